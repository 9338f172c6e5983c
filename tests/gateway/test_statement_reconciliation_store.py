"""Statement reconciliation (凭证对账) from the store, on SQLite and PostgreSQL.

* store path: statement and payment lines written straight into the tables give, through
  ``StatementLineRepository.scope_inputs``, the report the engine gives on the same inputs, with every break
  type; a corrected statement under the same number replaces the earlier one; the scope's VtCode narrows it;
* end to end: real signed documents through intake — the golden 3501 / 3502 (built from the ITFE field lists,
  ``tests/golden/evoucher``), a bank-paid 3502 that differs, a 3510 — then ``POST /v1/reconciliations
  {"kind": "statements"}``, the report in every format, the run list and the dashboard; a corrected
  statement closes what it corrects and leaves open what still has no counterpart;
* migration 0012 back-fills what intake writes.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from gateway.payment_lines import PaymentLine
from gateway.reconcile.report.cells import csv_text
from gateway.reconcile.statements.columns import StatementInputs
from gateway.reconcile.statements.reference import reconcile_statements_reference
from gateway.reconcile.statements.report import STATEMENT_BREAK_TYPES
from gateway.services import breaks as break_service
from gateway.services.reconciliation import statements as statement_runs
from gateway.services.reconciliation.runs import get_run, list_runs, run_now
from gateway.statement_lines import StatementLine
from gateway.store.tables import messages, payment_lines, records, statement_lines
from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement
from tests.adapters.payments_samples import CHECK_3501, QUOTA_CHECK_3510
from tests.gateway.conftest import Harness
from tests.gateway.payment_flows import (
    ADM,
    BANK,
    COUNTY,
    PBC,
    VOUCHER_BANK,
    clearing,
    clearing_receipt,
    receipt,
    send,
    voucher,
)
from tests.gateway.samples import signed_headers
from tests.gateway.test_reconciliation_api import auth

DAY = date(2026, 3, 17)  # the golden statements' CheckDate
AS_OF = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "evoucher"


# ---- the store path ----------------------------------------------------------------------------------------


def _seed_message(conn: sa.Connection) -> None:
    conn.execute(sa.delete(statement_lines))
    conn.execute(sa.delete(records))
    conn.execute(sa.delete(payment_lines))
    conn.execute(sa.delete(messages))
    conn.execute(
        sa.insert(messages),
        [
            {
                "id": 1,
                "sender": PBC,
                "message_id": "seed",
                "received_at": AS_OF,
                "format": "evoucher",
                "msg_type": "batch",
                "body": b"",
                "body_sm3": "0" * 64,
                "headers": {},
                "status": "stored",
                "response": {},
            }
        ],
    )


def _statement(
    position: int, vt: str, number: str, bank: str, etype: str, lines: list[tuple[str, int]], **head: Any
) -> list[StatementLine]:
    digest = f"{position:064x}"
    common = (vt, ADM, number, head.pop("day", DAY), bank, etype, digest)
    total = head.pop("all_amt", sum(f for _, f in lines))
    count = head.pop("all_num", len(lines))
    return [StatementLine(position, 0, *common, amount_fen=total, all_num=count)] + [
        StatementLine(position, k, *common, voucher_no=v, amount_fen=f, pro_state="1")
        for k, (v, f) in enumerate(lines, start=1)
    ]


def _payments() -> list[PaymentLine]:
    def line(position: int, role: str, vt: str, no: str, **kw: Any) -> PaymentLine:
        bank = kw.pop("bank", "102")
        return PaymentLine(
            position,
            kw.pop("line", 0),
            role,
            vt,
            ADM,
            bank,
            no,
            kw.pop("day", DAY),
            f"p{position}".ljust(64, "0"),
            **kw,
        )

    return [
        line(100, "voucher", "5201", "V1", amount_fen=100_00),
        line(101, "voucher", "5201", "V2", amount_fen=200_00),
        line(102, "voucher", "5201", "V3", amount_fen=300_00),
        line(103, "receipt", "5201", "V1", is_receipt=True, x_pay_amt_fen=100_00, x_pay_date=DAY),
        line(104, "receipt", "5201", "V2", is_receipt=True, x_pay_amt_fen=150_00, x_pay_date=DAY),
        line(105, "receipt", "5201", "V3", is_receipt=True, x_pay_amt_fen=300_00, x_pay_date=DAY),
        line(106, "clearing", "2301", "V1", clearing_no="C1", amount_fen=100_00, bank="102333300018"),
        line(106, "clearing", "2301", "V2", line=2, clearing_no="C1", amount_fen=150_00, bank="102333300018"),
        line(
            107,
            "quota",
            "3510",
            "Q1",
            pre_date_money_fen=1000_00,
            clear_amt_fen=0,
            cur_reck_money_fen=200_00,
            cur_date_money_fen=800_00,
        ),
        line(
            107,
            "quota",
            "3510",
            "Q1",
            line=1,
            pre_date_money_fen=1000_00,
            clear_amt_fen=0,
            cur_reck_money_fen=200_00,
            cur_date_money_fen=700_00,
        ),
    ]


def _store(h: Harness, statements: list[StatementLine], payments: list[PaymentLine]) -> None:
    with h.gateway.database.unit_of_work() as uow:
        _seed_message(uow.statements._c)
        uow.statements._c.execute(  # the 3510's record: its period (BeginDate) is read from there
            sa.insert(records),
            [
                {
                    "message_pk": 1,
                    "position": 107,
                    "msg_type": "quota_reconciliation_statement",
                    "canonical": '{"begin_date": "2026-03-17", "end_date": "2026-03-17"}',
                    "result": "accepted",
                }
            ],
        )
        uow.statements.add(1, statements)
        uow.payments.add(1, payments)
        uow.commit()


def _expected_inputs(vt_code: str | None = None) -> StatementInputs:
    """The inputs the scope should read, built by hand from the lines above."""
    got = StatementInputs()
    if vt_code in (None, "3502"):
        got.statements.append(ADM, "3502", "S2", DAY, "102", "5201", 3, 100_00 + 180_00 + 1_00 + 5)
        for no, fen in (("V1", 100_00), ("V2", 180_00), ("GHOST", 1_00)):
            got.details.append(ADM, "3502", "S2", no, fen, "1")
    if vt_code in (None, "3501"):
        got.statements.append(ADM, "3501", "S1", DAY, "001", "5201", 2, 250_00)
        for no, fen in (("V1", 100_00), ("V2", 150_00)):
            got.details.append(ADM, "3501", "S1", no, fen, "1")
    if vt_code != "3510":
        for no in ("V1", "V2", "V3"):
            got.receipts.append(ADM, no, "102", DAY, {"V1": 100_00, "V2": 150_00, "V3": 300_00}[no])
    got.clearing.append(ADM, "2301", "C1", "V1", DAY, "102333300018", 100_00)
    got.clearing.append(ADM, "2301", "C1", "V2", DAY, "102333300018", 150_00)
    for no in ("V1", "V2") if vt_code == "3510" else ("V1", "V2", "V3"):  # those the lines read name
        got.vouchers.append(ADM, no)
    if vt_code in (None, "3510"):
        got.quota.append(ADM, "3510", "Q1", 0, DAY, DAY, "102", 1000_00, 0, 200_00, 800_00)
        got.quota.append(ADM, "3510", "Q1", 1, DAY, DAY, "102", 1000_00, 0, 200_00, 700_00)
    return got


def test_the_store_scope_gives_the_engine_report_with_every_break_type(harness: Harness) -> None:
    first = _statement(1, "3502", "S2", "102", "5201", [("V1", 100_00), ("V2", 999_00)])
    corrected = _statement(  # same number, received later: replaces the first; AllAmt off by 5 fen
        2, "3502", "S2", "102", "5201", [("V1", 100_00), ("V2", 180_00), ("GHOST", 1_00)], all_amt=281_05
    )
    pboc = _statement(3, "3501", "S1", "001", "5201", [("V1", 100_00), ("V2", 150_00)])
    other_day = _statement(4, "3501", "S9", "001", "5201", [("V1", 1)], day=date(2026, 3, 18))
    _store(harness, first + corrected + pboc + other_day, _payments())
    with harness.gateway.database.unit_of_work() as uow:
        active = uow.statements._c.execute(
            sa.select(statement_lines.c.position).where(statement_lines.c.active.is_(True)).distinct()
        ).scalars()
        assert sorted(active) == [2, 3, 4]
    for vt_code in (None, "3501", "3502", "3510"):
        # the quota header declares no clearing of 250.00 (CurReckMoney 200.00): QUOTA_CLEARED_MISMATCH
        scope = statement_runs.statement_scope(ADM, DAY, vt_code)
        with harness.gateway.database.unit_of_work() as uow:
            assert uow.statements.scope_inputs(ADM, DAY, vt_code) == _expected_inputs(vt_code), vt_code
        from_store = statement_runs.reconcile_scope_from_store(harness.gateway, scope, AS_OF)
        expected = reconcile_statements_reference(_expected_inputs(vt_code), as_of=AS_OF)
        assert from_store == expected, vt_code
    whole = statement_runs.reconcile_scope_from_store(
        harness.gateway, statement_runs.statement_scope(ADM, DAY), AS_OF
    )
    found = {(b.type.value, b.voucher_no) for b in whole.breaks}
    assert found == {
        ("STATEMENT_AMOUNT_MISMATCH", "V2"),  # the bank lists 180.00, its 回单 paid 150.00
        ("STATEMENT_UNKNOWN", "GHOST"),
        ("STATEMENT_OMITTED", "V3"),  # paid 300.00 that day, not on the bank's statement
        ("STATEMENT_TOTALS", "S2"),
        ("QUOTA_IDENTITY", "Q1"),
        ("QUOTA_CLEARED_MISMATCH", "Q1"),
    }
    assert {b.type for b in whole.breaks} == set(STATEMENT_BREAK_TYPES)
    pboc_statement = next(s for s in whole.statements if s.statement_no == "S1")
    assert pboc_statement.status == "一致" and pboc_statement.line_amount == Decimal("250.00")


# ---- end to end: signed documents through intake --------------------------------------------------------


def submit_raw(h: Harness, sender: str, body: bytes) -> httpx.Response:
    headers = signed_headers(h.config_dir, sender, body, uuid.uuid4().hex, h.clock.now)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


A, B, V3, V4 = "3303245201260000123", "3303248202260000045", "3303245201260000200", "3303245201260000201"
CLEARING_NO = "3303242301260000031"  # the 2301 the golden 3502 lists


def _bank_statement(lines: list[tuple[str, str]]) -> VoucherReconciliationStatement:
    """The agency bank side (人民银行与代理银行凭证对账) of the payment vouchers it paid on DAY."""
    details = [{"voucher_no": v, "amt": a, "pro_state": "1"} for v, a in lines]
    return VoucherReconciliationStatement.model_validate(
        {
            **CHECK_3501,
            "vt_code": "3502",
            "voucher_no": "3303243502260317009",
            "clear_bank_code": None,
            "clear_bank_name": None,
            "pay_bank_code": VOUCHER_BANK,
            "e_voucher_type": "5201",
            "all_num": len(details),
            "all_amt": str(sum(Decimal(a) for _, a in lines)),
            "details": details,
        }
    )


def _quota(reck: str, detail_cur: str) -> QuotaReconciliationStatement:
    data: dict[str, Any] = {**QUOTA_CHECK_3510, "begin_date": "20260317", "end_date": "20260317"}
    data.update(pre_date_money="20000.00", clear_amt="0.00", cur_reck_money=reck)
    data["cur_date_money"] = str(Decimal("20000.00") - Decimal(reck))
    data["all_amt"] = None
    detail = {**QUOTA_CHECK_3510["details"][0]}
    detail.update(pre_date_money="20000.00", clear_amt="0.00", cur_reck_money=reck, cur_date_money=detail_cur)
    data["details"] = [detail]
    return QuotaReconciliationStatement.model_validate(data)


def seed(h: Harness) -> None:
    send(h, COUNTY, voucher(A, 1234567, DAY), voucher(B, 86000, DAY), voucher(V3, 50000, DAY))
    send(h, COUNTY, voucher(V4, 10000, DAY))  # never paid: nobody's statement lists it
    send(h, BANK, receipt(A, 1234567, 1234567, DAY), receipt(B, 86000, 86000, DAY))
    send(h, BANK, receipt(V3, 50000, 50000, DAY))
    send(h, BANK, clearing(CLEARING_NO, [(A, 1234567), (B, 86000)], DAY))
    send(h, PBC, clearing_receipt(CLEARING_NO, [(A, 1234567), (B, 86000)], DAY))
    for name in ("3501.xml", "3502.xml"):  # the golden documents, as the treasury sends them
        answer = submit_raw(h, PBC, (GOLDEN / name).read_bytes())
        assert answer.status_code == 202, answer.text
    send(h, PBC, _bank_statement([(A, "12345.67"), (B, "800.00"), ("3303245201269999999", "1.00")]))
    send(h, PBC, _quota("13000.00", "6000.00"))  # cleared 13205.67; the detail's balance is broken


RUN = {"kind": "statements", "adm_div_code": ADM, "day": "2026-03-17", "as_of": "2026-03-20T09:00:00Z"}


def test_api_runs_statements_end_to_end_and_a_correction_closes_breaks(harness: Harness) -> None:
    seed(harness)
    ops, viewer = auth(harness, "ops"), auth(harness, "viewer")
    response = harness.client.post("/v1/reconciliations", json=RUN, headers=ops)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["kind"] == "statements" and made["summary"]["status"] == "不一致"
    assert made["summary"]["voucher_statements"] == 3 and made["summary"]["quota_statements"] == 1
    got = harness.client.get(f"/v1/reconciliations/{made['id']}", headers=viewer).json()
    found = sorted((b["type"], b["voucher_no"]) for b in got["breaks"])
    assert found == sorted(
        [
            ("STATEMENT_AMOUNT_MISMATCH", B),  # the bank's 3502 says 800.00, its 回单 paid 860.00
            ("STATEMENT_UNKNOWN", "3303245201269999999"),
            ("STATEMENT_OMITTED", V3),  # paid 500.00 that day, missing from the bank's 3502
            ("QUOTA_CLEARED_MISMATCH", QUOTA_CHECK_3510["voucher_no"]),  # 13000.00 vs 13205.67 cleared
            ("QUOTA_IDENTITY", QUOTA_CHECK_3510["voucher_no"]),
        ]
    )
    golden = {s["statement_no"]: s["status"] for s in got["statements"]}
    assert golden["3303243501260317001"] == "一致" and golden["3303243502260317001"] == "一致"
    mismatch = next(b for b in got["breaks"] if b["type"] == "STATEMENT_AMOUNT_MISMATCH")
    assert (mismatch["statement_amount"], mismatch["held_amount"], mismatch["difference"]) == (
        "800.00",
        "860.00",
        "-60.00",
    )
    csv = harness.client.get(f"/v1/reconciliations/{made['id']}?format=csv", headers=viewer)
    rows = [line.split(",") for line in csv.content.decode("utf-8-sig").splitlines()]
    assert rows[0][:6] == ["区划", "凭证类型", "代理银行", "对账日期", "对账单号", "差异类型"]
    assert V3 in {csv_text(r[7]) for r in rows[1:]} and len(rows) == 6
    xlsx = harness.client.get(f"/v1/reconciliations/{made['id']}?format=xlsx", headers=viewer)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["汇总", "差异明细"] and book["差异明细"].max_row == 6
    page = harness.client.get(f"/v1/reconciliations/{made['id']}?format=html", headers=viewer)
    assert "对账单遗漏凭证" in page.text and "已清算额度与清算不符" in page.text
    listed = harness.client.get(
        "/v1/reconciliations",
        params={"kind": "statements", "adm_div_code": ADM, "day": "2026-03-17", "vt_code": "*"},
        headers=viewer,
    ).json()
    assert [r["id"] for r in listed["items"]] == [made["id"]]
    board = harness.client.get(
        "/v1/reconciliations/dashboard", params={"kind": "statements"}, headers=viewer
    ).json()
    (scope,) = board["pairs"]
    assert scope["scope"] == {"adm_div_code": ADM, "vt_code": None, "day": "2026-03-17"}
    assert scope["open_by_type"]["STATEMENT_OMITTED"] == 1 and scope["status"] == "不一致"

    send(harness, PBC, _bank_statement([(A, "12345.67"), (B, "860.00"), (V3, "500.00")]))  # corrected
    again = run_now(
        harness.gateway, kind="statements", actor="ops:test", adm_div_code=ADM, day=DAY, as_of=AS_OF
    )
    assert again.summary is not None and again.summary["closed"] == 2
    left = break_service.list_breaks(harness.gateway, break_service.BreakFilters(kind="statements"))
    status = {b.type: b.status for b in left.items}
    assert status["STATEMENT_AMOUNT_MISMATCH"] == "closed" and status["STATEMENT_OMITTED"] == "closed"
    assert status["STATEMENT_UNKNOWN"] == "open"  # still no such voucher: left for ops, not closed
    runs = list_runs(harness.gateway, kind="statements")
    assert [r.id for r in runs.items] == [again.id, made["id"]]
    _, body = get_run(harness.gateway, again.id)
    assert body is not None and {b["type"] for b in body["breaks"]} == {
        "QUOTA_CLEARED_MISMATCH",
        "QUOTA_IDENTITY",
    }


def test_api_refuses_bad_statement_bodies(harness: Harness) -> None:
    ops = auth(harness, "ops")
    for body in (
        {**RUN, "vt_code": "5201"},
        {**RUN, "pay_bank_code": "102"},
        {**RUN, "day": "2026-02-30"},
        {**RUN, "adm_div_code": 330324},
        {"kind": "statements", "day": "2026-03-17"},
    ):
        response = harness.client.post("/v1/reconciliations", json=body, headers=ops)
        assert response.status_code == 400, (body, response.text)


def test_migration_0012_backfills_what_intake_writes(harness: Harness) -> None:
    from alembic import command

    from gateway.store.schema import _config, upgrade

    seed(harness)
    send(harness, PBC, _bank_statement([(A, "12345.67")]))  # replaces the earlier one of that number
    engine = harness.gateway.database.engine
    columns = [c for c in statement_lines.c if c.name != "id"]

    def snapshot() -> list[tuple[Any, ...]]:
        with engine.connect() as connection:
            order = (statement_lines.c.message_pk, statement_lines.c.position, statement_lines.c.line)
            return [tuple(r) for r in connection.execute(sa.select(*columns).order_by(*order))]

    written = snapshot()
    active = [c.name for c in columns].index("active")
    assert len(written) == 3 + 2 + 4 + 2 and sum(1 for r in written if not r[active]) == 4
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011_extensions")
    with engine.connect() as connection:
        assert "statement_lines" not in sa.inspect(connection).get_table_names()
    upgrade(engine)
    assert snapshot() == written


def test_the_ops_pages_list_and_show_statement_runs_and_breaks(harness: Harness) -> None:
    from fastapi.testclient import TestClient

    from tests.gateway.test_reconciliation_api import tokens
    from tests.web.conftest import sign_in

    seed(harness)
    done = run_now(
        harness.gateway, kind="statements", actor="ops:test", adm_div_code=ADM, day=DAY, as_of=AS_OF
    )
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    listing = client.get("/ui/runs", params={"kind": "statements"})
    assert listing.status_code == 200, listing.text
    row = listing.text[listing.text.index(f'data-run="{done.id}"') :]
    assert "凭证对账" in row and "区划 330324 · 3501 / 3502 / 3510 对账单 · 对账日期 2026-03-17" in row
    page = client.get(f"/ui/runs/{done.id}")
    assert page.status_code == 200, page.text
    table = page.text[page.text.index('id="run-breaks"') :]
    assert '<tr data-type="STATEMENT_OMITTED">' in table and "对账单遗漏凭证" in table and V3 in table
    assert 'data-statement="3303243501260317001"' in page.text  # the golden 3501, 一致
    (omitted,) = break_service.list_breaks(
        harness.gateway, break_service.BreakFilters(kind="statements", types=("STATEMENT_OMITTED",))
    ).items
    assert f"/breaks/{omitted.key}" in table
    detail = client.get(f"/ui/breaks/{omitted.key}")
    assert detail.status_code == 200, detail.text
    assert (
        "对账单与我方记录对照" in detail.text and "500.00" in detail.text and "凭证对账 · 区划" in detail.text
    )
    filtered = client.get("/ui/breaks", params={"kind": "statements", "type": "STATEMENT_UNKNOWN"})
    assert filtered.status_code == 200 and "对账单凭证我方无记录" in filtered.text
    download = client.get(f"/ui/runs/{done.id}/report.csv")
    assert download.status_code == 200 and V3 in download.content.decode("utf-8-sig")
    board = client.get("/ui/dashboard")
    assert board.status_code == 200, board.text
    section = board.text[board.text.index('id="kind-statements"') :]
    assert "凭证对账" in board.text and "对账日期 2026-03-17" in section and "不一致" in section
    assert "对账单遗漏凭证 <strong>1</strong>" in section


# ---- the store path on random data ---------------------------------------------------------------------

R_DAYS = (date(2026, 3, 16), DAY, date(2026, 3, 18))
R_NUMBERS = ("V0", "V1", "V2", "V3", "C0", "C1")


@st.composite
def stored_lines(draw: st.DrawFn) -> tuple[list[StatementLine], list[PaymentLine], list[tuple[int, date]]]:
    """Statements (some sent twice under one number: the later counts) and payment lines over three days:
    vouchers, 回单 paid on or after their VouDate, 2301 / 2302 documents, 3510 statements of one day or a
    longer period."""
    fen = st.sampled_from([0, 1, 40_00, 60_00, 100_00])
    statements: list[StatementLine] = []
    position = 0
    for _ in range(draw(st.integers(0, 5))):
        position += 1
        vt = draw(st.sampled_from(["3501", "3502"]))
        details = draw(st.lists(st.tuples(st.sampled_from(R_NUMBERS), fen), max_size=4))
        statements += _statement(
            position,
            vt,
            draw(st.sampled_from(["S1", "S2"])),
            draw(st.sampled_from(["102", ""])),
            draw(st.sampled_from(["", "5201", "2301", "2301", "2302"])),
            details,
            day=draw(st.sampled_from(R_DAYS)),
        )
    payments: list[PaymentLine] = []
    quota_periods: list[tuple[int, date]] = []

    def line(role: str, vt: str, no: str, day: date, **kw: Any) -> None:
        nonlocal position
        position += 1
        bank = kw.pop("bank", draw(st.sampled_from(["102", ""])))
        digest = f"{position:064x}"
        payments.append(
            PaymentLine(kw.pop("at", position), kw.pop("line", 0), role, vt, ADM, bank, no, day, digest, **kw)
        )

    for number in ("V0", "V1", "V2", "V3"):
        if draw(st.booleans()):
            line("voucher", "5201", number, draw(st.sampled_from(R_DAYS)), amount_fen=100_00)
        for _ in range(draw(st.integers(0, 2))):
            own = draw(st.sampled_from(R_DAYS))
            paid_on = draw(st.sampled_from([None, own, R_DAYS[-1]]))
            paid = draw(fen)
            line("receipt", "5201", number, own, is_receipt=True, x_pay_amt_fen=paid, x_pay_date=paid_on)
    for clearing_no in ("C0", "C1"):
        if draw(st.booleans()):
            vt, day, at = draw(st.sampled_from(["2301", "2302"])), draw(st.sampled_from(R_DAYS)), position + 1
            # (a document of another day that a statement of DAY lists is known, and held 0 that day)
            for k, number in enumerate(
                draw(st.lists(st.sampled_from(("V0", "V1", "V9")), min_size=1, max_size=3)), 1
            ):
                line(
                    "clearing", vt, number, day, at=at, line=k, clearing_no=clearing_no, amount_fen=draw(fen)
                )
    for number in ("Q1", "Q2"):
        if draw(st.booleans()):
            end, at = draw(st.sampled_from(R_DAYS)), position + 1
            quota_periods.append((at, draw(st.sampled_from([end, date(2026, 3, 1)]))))
            for k in range(draw(st.integers(1, 2)) + 1):
                pre, clr, reck = draw(fen), draw(fen), draw(fen)
                cur = pre + clr - reck + draw(st.sampled_from([0, 0, 1]))
                line(
                    "quota",
                    "3510",
                    number,
                    end,
                    at=at,
                    line=k,
                    pre_date_money_fen=pre,
                    clear_amt_fen=clr,
                    cur_reck_money_fen=reck,
                    cur_date_money_fen=cur,
                )
    return statements, payments, quota_periods


def _scope_of_lines(
    statements: list[StatementLine],
    payments: list[PaymentLine],
    periods: dict[int, date],
    vt_code: str | None,
) -> StatementInputs:
    """What the scope (ADM, DAY, vt_code) must read, selected in plain Python from the lines."""
    got = StatementInputs()
    latest: dict[tuple[str, str], int] = {}
    for s in statements:
        latest[(s.vt_code, s.statement_no)] = s.position
    voucher_types = [v for v in ("3501", "3502") if vt_code in (None, v)]
    chosen = [
        s
        for s in statements
        if latest[(s.vt_code, s.statement_no)] == s.position
        and s.check_date == DAY
        and s.vt_code in voucher_types
    ]
    documents: set[str] = set()
    for s in chosen:
        if s.line == 0:
            got.statements.append(
                ADM,
                s.vt_code,
                s.statement_no,
                s.check_date,
                s.bank,
                s.e_voucher_type,
                s.all_num,
                s.amount_fen,
            )
        else:
            got.details.append(ADM, s.vt_code, s.statement_no, s.voucher_no, s.amount_fen, s.pro_state or "")
            if s.e_voucher_type in ("2301", "2302"):
                documents.add(str(s.voucher_no))
    named = set(got.details.voucher_no)
    for p in payments:
        if voucher_types and p.role == "receipt" and (p.x_pay_date or p.vou_date) == DAY:
            got.receipts.append(ADM, p.voucher_no, p.pay_bank_code, DAY, p.x_pay_amt_fen)
        if p.role == "clearing" and (p.vou_date == DAY or p.clearing_no in documents):
            got.clearing.append(
                ADM, p.vt_code, p.clearing_no, p.voucher_no, p.vou_date, p.pay_bank_code, p.amount_fen
            )
        if vt_code in (None, "3510") and p.role == "quota" and p.vou_date == DAY:
            got.quota.append(
                ADM,
                p.vt_code,
                p.voucher_no,
                p.line,
                periods[p.position],
                p.vou_date,
                p.pay_bank_code,
                p.pre_date_money_fen,
                p.clear_amt_fen,
                p.cur_reck_money_fen,
                p.cur_date_money_fen,
            )
    named |= set(got.receipts.voucher_no) | set(got.clearing.voucher_no)
    for number in sorted({p.voucher_no for p in payments if p.role == "voucher"} & named):
        got.vouchers.append(ADM, number)
    return got


ANOTHER_DAYS_DOCUMENT = (  # a 3502 of DAY lists 2301 C0, which is dated the day before: known, held 0
    _statement(1, "3502", "S1", "102", "2301", [("C0", 40_00)]),
    [
        PaymentLine(
            2,
            1,
            "clearing",
            "2301",
            ADM,
            "102",
            "V0",
            R_DAYS[0],
            "c".ljust(64, "0"),
            clearing_no="C0",
            amount_fen=1,
        )
    ],
    [],
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=stored_lines(), vt_code=st.sampled_from([None, "3501", "3502", "3510"]))
@example(drawn=ANOTHER_DAYS_DOCUMENT, vt_code=None)
def test_store_scope_equals_the_engine_on_random_lines(
    harness: Harness,
    drawn: tuple[list[StatementLine], list[PaymentLine], list[tuple[int, date]]],
    vt_code: str | None,
) -> None:
    statements, payments, periods = drawn
    with harness.gateway.database.unit_of_work() as uow:
        conn = uow.statements._c
        _seed_message(conn)
        for at, begin in periods:
            canonical = json.dumps({"begin_date": begin.isoformat()})
            conn.execute(
                sa.insert(records),
                [
                    {
                        "message_pk": 1,
                        "position": at,
                        "msg_type": "quota_reconciliation_statement",
                        "canonical": canonical,
                        "result": "accepted",
                    }
                ],
            )
        uow.statements.add(1, statements)
        uow.payments.add(1, payments)
        uow.commit()
    scope = statement_runs.statement_scope(ADM, DAY, vt_code)
    from_store = statement_runs.reconcile_scope_from_store(harness.gateway, scope, AS_OF)
    expected = reconcile_statements_reference(
        _scope_of_lines(statements, payments, dict(periods), vt_code), as_of=AS_OF
    )
    assert from_store == expected
