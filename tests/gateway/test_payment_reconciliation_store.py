"""Payment reconciliation from the store (issue #5): a division-day run from ``payment_lines`` gives exactly
the file engine's report for that day on the same data (random days with every break type), on SQLite and
PostgreSQL; runs driven by real intake find short-paid, refunded-but-unpaid, never-cleared and double-cleared
vouchers, carry the breaks across runs and auto-close them when the counterpart arrives; resends do not
double count; the API runs, lists and renders payment runs; the 总览 page shows the payment scope."""

from __future__ import annotations

import html
import io
import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from gateway import audit
from gateway.payment_lines import PaymentLine
from gateway.reconcile.payments.columns import PaymentInputs
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_columns
from gateway.reconcile.payments.report import PaymentReport
from gateway.reconcile.report.json import payment_report_dict
from gateway.services import breaks as break_service
from gateway.services.errors import BadRequest
from gateway.services.reconciliation import payments as payment_runs
from gateway.services.reconciliation.runs import dashboard_summary, get_run, list_runs, report_file, run_now
from gateway.store.tables import messages, payment_lines
from tests.gateway.conftest import Harness
from tests.gateway.payment_flows import (
    ADM,
    BANK,
    COUNTY,
    PBC,
    clearing,
    clearing_receipt,
    receipt,
    refund,
    send,
    submit,
    voucher,
)
from tests.gateway.test_reconciliation_api import auth, error_code, tokens
from tests.web.conftest import sign_in

DAY = date(2026, 3, 16)
AS_OF = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


# ---- store run == engine on the same columns (random data) ------------------------------------------------

DAYS = (DAY - timedelta(days=1), DAY, DAY + timedelta(days=1))
BANKS = ("B1", "B2", "")


@st.composite
def chains(draw: st.DrawFn) -> list[PaymentLine]:
    """Lines of one division over three days: vouchers with receipts, refunds and clearing (some missing,
    short, doubled, or from another bank), orphan counterparts and quota statements (some unbalanced)."""
    lines: list[PaymentLine] = []
    serial = itertools.count()

    def line(role: str, vt: str, bank: str, no: str, day: date, **extra: Any) -> None:
        n = next(serial)
        position = extra.pop("position", n)
        lines.append(
            PaymentLine(position, extra.pop("line", 0), role, vt, ADM, bank, no, day, f"{n:064x}", **extra)
        )

    fen = st.integers(min_value=0, max_value=50_000)
    for i in range(draw(st.integers(0, 8))):
        no, day, bank, amount = f"V{i}", draw(st.sampled_from(DAYS)), draw(st.sampled_from(BANKS)), draw(fen)
        line("voucher", "5201", bank, no, day, amount_fen=amount)
        for _ in range(draw(st.integers(0, 2))):
            paid = draw(st.sampled_from([amount, amount, max(amount - 100, 0)]))
            on = draw(st.sampled_from([day, day + timedelta(days=1)]))
            own = draw(st.sampled_from([bank, bank, ""]))  # a receipt naming no bank still matches
            line("receipt", "5201", own, no, on, is_receipt=True, x_pay_amt_fen=paid, x_pay_date=on)
        if bank and draw(st.booleans()):  # another bank's receipt for it: a stray, never paying it
            other, on = (
                draw(st.sampled_from([b for b in BANKS if b and b != bank])),
                draw(st.sampled_from(DAYS)),
            )
            line("receipt", "5201", other, no, on, is_receipt=True, x_pay_amt_fen=amount, x_pay_date=on)
        if draw(st.booleans()):
            line("refund", "2252", "", f"R{i}", day, original_voucher_no=no, amount_fen=-draw(fen) - 1)
        for k in range(draw(st.integers(0, 2))):
            vt = draw(st.sampled_from(["2301", "2301", "2302"]))
            line("clearing", vt, "CB", no, day, clearing_no=f"C{i}-{k}", amount_fen=amount)
    for i in range(draw(st.integers(0, 2))):  # counterparts of vouchers finance never sent
        day, bank = draw(st.sampled_from(DAYS)), draw(st.sampled_from(BANKS))
        line("receipt", "5201", bank, f"X{i}", day, is_receipt=True, x_pay_amt_fen=draw(fen), x_pay_date=None)
        line("refund", "2252", "", f"XR{i}", day, original_voucher_no=f"Y{i}", amount_fen=-1 - draw(fen))
        line("clearing", "2301", bank, f"Z{i}", day, clearing_no=f"XC{i}", amount_fen=draw(fen))
    for i in range(draw(st.integers(0, 2))):
        day, bank, statement = draw(st.sampled_from(DAYS)), draw(st.sampled_from(BANKS)), next(serial)
        for k in range(draw(st.integers(1, 3))):
            pre, clr, reck = draw(fen), draw(fen), draw(fen)
            cur = pre + clr - reck + draw(st.sampled_from([0, 0, 1]))
            line(
                "quota",
                "3510",
                bank,
                f"Q{i}",
                day,
                line=k,
                position=statement,  # one record: its lines share the record's position
                pre_date_money_fen=pre,
                clear_amt_fen=clr,
                cur_reck_money_fen=reck,
                cur_date_money_fen=cur,
            )
    return lines


def as_inputs(lines: list[PaymentLine]) -> PaymentInputs:
    inputs = PaymentInputs()
    for x in lines:
        if x.role == "voucher":
            inputs.vouchers.append(x.adm_div_code, x.voucher_no, x.vou_date, x.pay_bank_code, x.amount_fen)
        elif x.role == "receipt":
            inputs.receipts.append(
                x.adm_div_code, x.voucher_no, x.vou_date, x.pay_bank_code, x.x_pay_amt_fen, x.x_pay_date
            )
        elif x.role == "refund":
            inputs.refunds.append(
                x.adm_div_code, x.voucher_no, x.original_voucher_no, x.vou_date, x.pay_bank_code, x.amount_fen
            )
        elif x.role == "clearing":
            inputs.clearing.append(
                x.adm_div_code,
                x.vt_code,
                x.clearing_no,
                x.voucher_no,
                x.vou_date,
                x.pay_bank_code,
                x.amount_fen,
            )
        else:
            inputs.quota.append(
                x.adm_div_code,
                x.voucher_no,
                x.vou_date,
                x.pay_bank_code,
                x.pre_date_money_fen,
                x.clear_amt_fen,
                x.cur_reck_money_fen,
                x.cur_date_money_fen,
            )
    return inputs


def restricted(report: PaymentReport, day: date, bank: str | None) -> dict[str, Any]:
    """The whole-data report's groups and breaks of one day (and bank), as JSON."""

    def mine(adm: str, b: str, d: date) -> bool:
        return adm == ADM and d == day and (bank is None or b == bank)

    groups = tuple(g for g in report.groups if mine(g.adm_div_code, g.bank, g.day))
    breaks = tuple(b for b in report.breaks if mine(b.adm_div_code, b.bank, b.day))
    return payment_report_dict(replace(report, groups=groups, breaks=breaks))


def store_lines(h: Harness, lines: list[PaymentLine]) -> None:
    with h.gateway.database.unit_of_work() as uow:
        conn = uow.payments._c
        conn.execute(sa.delete(payment_lines))
        conn.execute(sa.delete(messages))
        conn.execute(
            sa.insert(messages),
            [
                {
                    "id": 1,
                    "sender": COUNTY,
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
        uow.payments.add(1, lines)
        uow.commit()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=chains(), bank=st.sampled_from([None, "B1"]))
def test_store_run_equals_the_engine_on_the_same_data(
    harness: Harness, lines: list[PaymentLine], bank: str | None
) -> None:
    if bank is not None:  # a statement's line numbers count only the bank's lines in a bank-narrowed scope
        lines = [x for x in lines if x.role != "quota"]
    store_lines(harness, lines)
    whole = reconcile_payment_columns(as_inputs(lines), as_of=AS_OF)
    scope = payment_runs.payment_scope(ADM, DAY, bank)
    from_store = payment_runs.reconcile_scope_from_store(harness.gateway, scope, AS_OF)
    assert payment_report_dict(from_store) == restricted(whole, DAY, bank)


# ---- runs driven by real intake --------------------------------------------------------------------------


def seed_day(h: Harness) -> None:
    """V1 paid and cleared; V2 short-paid; V3 paid, refunded in part, never cleared; V4 never paid;
    V5 cleared twice; the treasury's 回单 names a voucher finance never sent. The bank's own refund of, or
    clearing request for, a voucher the gateway never routed is refused at intake (issue 13)."""
    send(
        h,
        COUNTY,
        voucher("V1", 100_00, DAY),
        voucher("V2", 200_00, DAY),
        voucher("V3", 300_00, DAY),
        voucher("V4", 400_00, DAY),
        voucher("V5", 500_00, DAY),
    )
    send(h, BANK, receipt("V1", 100_00, 100_00, DAY), receipt("V2", 200_00, 150_00, DAY))
    send(h, BANK, receipt("V3", 300_00, 300_00, DAY), receipt("V5", 500_00, 500_00, DAY))
    send(h, BANK, refund("F3", "V3", 50_00, DAY + timedelta(days=1)))
    unknown = submit(h, BANK, refund("F9", "V9", 10_00, DAY))
    assert unknown.status_code == 422 and unknown.json()["error"] == "voucher_unknown"
    unknown = submit(h, BANK, clearing("C9", [("V7", 70_00)], DAY))
    assert unknown.status_code == 422 and unknown.json()["error"] == "voucher_unknown"
    send(h, BANK, clearing("C1", [("V1", 100_00), ("V2", 150_00), ("V5", 500_00)], DAY))
    send(h, PBC, clearing_receipt("C1", [("V1", 100_00), ("V2", 150_00), ("V5", 500_00), ("V7", 70_00)], DAY))
    send(h, BANK, clearing("C2", [("V5", 500_00)], DAY + timedelta(days=1)))


def run(h: Harness, **kw: Any) -> Any:
    return run_now(h.gateway, kind="payments", adm_div_code=ADM, day=DAY, actor="ops:test", as_of=AS_OF, **kw)


def types_of(report: dict[str, Any]) -> dict[str, str]:
    return {b["key"].split("|")[-1]: b["type"] for b in report["breaks"]}


def test_intake_run_finds_every_break_and_carries_them(harness: Harness) -> None:
    seed_day(harness)
    first = run(harness)
    assert first.status == "succeeded" and first.summary is not None
    assert first.summary["status"] == "不一致" and first.summary["voucher_count"] == 5
    _, body = get_run(harness.gateway, first.id)
    assert body is not None
    found = sorted((b["type"], b["voucher_no"]) for b in body["breaks"])
    assert found == sorted(
        [
            ("PAY_AMOUNT_MISMATCH", "V2"),  # paid 150.00 of 200.00 (and cleared what it paid)
            ("NOT_CLEARED", "V3"),  # paid 300.00, 50.00 refunded, 250.00 never cleared
            ("UNPAID", "V4"),
            ("DOUBLE_CLEARED", "V5"),  # in 2301 C1 and again in C2
            ("CLEARED_UNKNOWN", "V7"),  # in the treasury's 回单 only
        ]
    )
    labels = {b["type"]: b["voucher_no"] for b in body["breaks"]}
    assert labels["DOUBLE_CLEARED"] == "V5"
    assert first.summary["opened"] == len(found)

    # the same run again: every break carried, none new
    second = run(harness)
    assert second.summary is not None
    assert (second.summary["opened"], second.summary["carried"], second.summary["closed"]) == (
        0,
        len(found),
        0,
    )

    # V4's receipt and V3's clearing arrive: those breaks close by themselves; V4 now awaits clearing
    send(harness, BANK, receipt("V4", 400_00, 400_00, DAY + timedelta(days=2)))
    send(harness, BANK, clearing("C3", [("V3", 250_00), ("V4", 400_00)], DAY + timedelta(days=2)))
    third = run(harness)
    assert third.summary is not None and third.summary["closed"] == 2
    with harness.gateway.database.unit_of_work() as uow:
        assert audit.verify(uow.audit) > 0
        actions = [e.action for e in uow.audit.entries()]
    assert actions.count("reconciliation.run") == 3


def test_resends_and_replaced_requests_do_not_double_count(harness: Harness) -> None:
    send(harness, COUNTY, voucher("V1", 100_00, DAY))
    send(harness, COUNTY, voucher("V1", 100_00, DAY))  # the same voucher resent under a new message id
    send(harness, BANK, receipt("V1", 100_00, 100_00, DAY))
    send(harness, BANK, receipt("V1", 100_00, 100_00, DAY))
    send(harness, BANK, clearing("C1", [("V1", 100_00)], DAY))
    send(harness, PBC, clearing_receipt("C1", [("V1", 100_00)], DAY))  # replaces its request
    summary = run(harness).summary
    assert summary is not None
    assert (summary["voucher_count"], summary["receipt_count"], summary["clearing_count"]) == (1, 1, 1)
    assert summary["status"] == "一致" and summary["breaks"] == 0


def test_a_refused_clearing_clears_nothing(harness: Harness) -> None:
    send(harness, COUNTY, voucher("V1", 100_00, DAY))
    send(harness, BANK, receipt("V1", 100_00, 100_00, DAY))
    send(harness, BANK, clearing("C1", [("V1", 100_00)], DAY))
    send(harness, PBC, clearing_receipt("C1", [("V1", 100_00)], DAY, cleared=False))
    run_id = run(harness).id
    _, body = get_run(harness.gateway, run_id)
    assert body is not None
    assert [(b["type"], b["voucher_no"]) for b in body["breaks"]] == [("NOT_CLEARED", "V1")]


def test_breaks_move_through_the_lifecycle(harness: Harness) -> None:
    send(harness, COUNTY, voucher("V4", 400_00, DAY))
    run(harness)
    page = break_service.list_breaks(harness.gateway, break_service.BreakFilters(kind="payments"))
    assert [b.type for b in page.items] == ["UNPAID"]
    key = page.items[0].key
    break_service.explain_break(harness.gateway, key, actor="ops:test", comment="银行系统故障，次日补发")
    break_service.resolve_break(harness.gateway, key, actor="ops:test", comment="已补发")
    view = break_service.get_break(harness.gateway, key)
    assert view.status == "resolved"
    assert [e.action for e in view.events] == ["opened", "explained", "resolved"]


def test_bad_scopes_are_refused(harness: Harness) -> None:
    for kw, problem in (
        ({"adm_div_code": "33032", "day": DAY}, "6-digit"),
        ({"adm_div_code": ADM, "day": "2026-13-01"}, "calendar"),
        ({"adm_div_code": ADM, "day": "20260316"}, "YYYY-MM-DD"),
        ({"adm_div_code": ADM, "day": DAY, "pay_bank_code": ""}, "non-empty"),
        ({"adm_div_code": ADM, "day": DAY, "unpaid_hours": -1}, "unpaid_hours"),
        ({"adm_div_code": ADM}, "needs adm_div_code and day"),
        ({"adm_div_code": ADM, "day": DAY, "upper": "330000000"}, "not upper"),
    ):
        with pytest.raises(BadRequest, match=problem):
            run_now(harness.gateway, kind="payments", actor="t", **kw)


def test_runs_list_and_render_and_the_dashboard(harness: Harness) -> None:
    seed_day(harness)
    done = run(harness)
    page = list_runs(harness.gateway, kind="payments", adm_div_code=ADM, day="2026-03-16")
    assert [r.id for r in page.items] == [done.id]
    assert done.scope == {"adm_div_code": ADM, "pay_bank_code": None, "day": "2026-03-16"}
    for fmt in ("json", "csv", "xlsx", "html"):
        content, _media, name = report_file(harness.gateway, done.id, fmt)
        assert name.endswith(fmt) and content
    boards = dashboard_summary(harness.gateway, kind="payments")
    assert len(boards) == 1 and boards[0].status == "不一致"
    assert boards[0].open_by_type["UNPAID"] == 1 and boards[0].totals["voucher_amount"] == "1500.00"


# ---- the HTTP API ------------------------------------------------------------------------------------------

RUN = {"kind": "payments", "adm_div_code": ADM, "day": "2026-03-16", "as_of": "2026-03-20T09:00:00Z"}


def test_api_runs_payments_and_serves_the_report(harness: Harness) -> None:
    seed_day(harness)
    response = harness.client.post("/v1/reconciliations", json=RUN, headers=auth(harness, "ops"))
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["kind"] == "payments" and made["summary"]["status"] == "不一致"
    got = harness.client.get(f"/v1/reconciliations/{made['id']}", headers=auth(harness, "viewer")).json()
    assert got["kind"] == "payments" and got["run"]["id"] == made["id"]
    assert {b["type"] for b in got["breaks"]} >= {"UNPAID", "DOUBLE_CLEARED", "CLEARED_UNKNOWN"}
    xlsx = harness.client.get(
        f"/v1/reconciliations/{made['id']}?format=xlsx", headers=auth(harness, "viewer")
    )
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).sheetnames
    html = harness.client.get(
        f"/v1/reconciliations/{made['id']}?format=html", headers=auth(harness, "viewer")
    )
    assert "未支付" in html.text
    listed = harness.client.get(
        "/v1/reconciliations", params={"kind": "payments"}, headers=auth(harness, "viewer")
    ).json()
    assert [r["id"] for r in listed["items"]] == [made["id"]]
    board = harness.client.get(
        "/v1/reconciliations/dashboard", params={"kind": "payments"}, headers=auth(harness, "viewer")
    ).json()
    assert board["pairs"][0]["scope"]["adm_div_code"] == ADM


def test_api_refuses_bad_payment_bodies(harness: Harness) -> None:
    ops = auth(harness, "ops")
    for body in (
        {**RUN, "upper": "330000000"},
        {**RUN, "in_transit_hours": 3},
        {**RUN, "day": "2026-02-30"},
        {**RUN, "adm_div_code": 330324},
        {**RUN, "unpaid_hours": "24"},
        {**RUN, "pay_bank_code": 102},
        {"kind": "payments", "day": "2026-03-16"},
        {**RUN, "kind": "wages"},
    ):
        response = harness.client.post("/v1/reconciliations", json=body, headers=ops)
        assert response.status_code == 400, (body, response.text)
        assert error_code(response) == "bad_request"
    viewer = harness.client.post("/v1/reconciliations", json=RUN, headers=auth(harness, "viewer"))
    assert viewer.status_code == 403


def test_dashboard_page_shows_the_payment_scope(harness: Harness) -> None:
    seed_day(harness)
    run(harness)
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    page = client.get("/ui/dashboard")
    assert page.status_code == 200
    section = page.text[page.text.index('id="payments"') :]
    assert 'data-scope="payments|330324|*|2026-03-16"' in section
    assert "不一致" in section and "未支付" in section and "1,500.00" in section


def test_run_and_break_pages_show_payment_breaks(harness: Harness) -> None:
    seed_day(harness)
    done = run(harness)
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    page = client.get(f"/ui/runs/{done.id}")
    assert page.status_code == 200, page.text
    table = page.text[page.text.index('id="run-breaks"') :]
    assert '<tr data-type="DOUBLE_CLEARED">' in table and "重复清算" in table and "C1, C2" in table
    assert "<code>V2</code>" in table and "200.00" in table and "150.00" in table and "50.00" in table
    (unpaid,) = break_service.list_breaks(
        harness.gateway, break_service.BreakFilters(kind="payments", types=("UNPAID",))
    ).items
    assert f"/breaks/{unpaid.key}" in table  # the run page links to the persistent break
    detail = client.get(f"/ui/breaks/{unpaid.key}")
    assert detail.status_code == 200, detail.text
    assert "未支付" in detail.text and "区划 330324 永嘉县" in detail.text and "V4" in detail.text
    assert "400.00" in detail.text and "代理银行 / 人民银行" in detail.text
    download = client.get(f"/ui/runs/{done.id}/report.csv")
    assert download.status_code == 200 and "V4" in download.content.decode("utf-8-sig")


def test_migration_0004_backfills_what_intake_writes(harness: Harness) -> None:
    from alembic import command

    from gateway.store.schema import _config, upgrade

    seed_day(harness)
    send(harness, COUNTY, voucher("V1", 100_00, DAY))  # a resend: stored inactive
    engine = harness.gateway.database.engine
    columns = [c for c in payment_lines.c if c.name != "id"]

    def snapshot() -> list[tuple[Any, ...]]:
        with engine.connect() as connection:
            query = sa.select(*columns).order_by(payment_lines.c.message_pk, payment_lines.c.position)
            return [tuple(r) for r in connection.execute(query.order_by(payment_lines.c.line))]

    written = snapshot()
    active = [c.name for c in columns].index("active")
    assert (
        len(written) == 19 and sum(1 for r in written if not r[active]) == 4
    )  # the resend, C1 request lines
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with engine.connect() as connection:
        assert "payment_lines" not in sa.inspect(connection).get_table_names()
    upgrade(engine)
    assert snapshot() == written


def test_quota_statements_count_once(harness: Harness) -> None:
    """Per statement the latest 3510 counts; a 5510 (the 回执) only while no 3510 is stored."""

    def statement(vt: str, cur: int, position: int) -> list[PaymentLine]:
        return [
            PaymentLine(
                position,
                k,
                "quota",
                vt,
                ADM,
                "B1",
                "Q1",
                DAY,
                f"{vt}{cur}{k}".ljust(64, "0"),
                pre_date_money_fen=10,
                clear_amt_fen=5,
                cur_reck_money_fen=3,
                cur_date_money_fen=cur,
            )
            for k in range(2)
        ]

    store_lines(harness, statement("5510", 11, 0))  # a 5510 alone counts (and is unbalanced)
    with harness.gateway.database.unit_of_work() as uow:
        uow.payments.add(1, statement("3510", 12, 1))  # the 3510 replaces it
        uow.payments.add(1, statement("5510", 13, 2))  # a later 5510 does not count
        uow.payments.add(1, statement("3510", 14, 3))  # a corrected 3510 replaces the first
        uow.commit()
        inputs = uow.payments.scope_inputs(ADM, DAY)
        active = uow.payments._c.execute(
            sa.select(payment_lines.c.vt_code, payment_lines.c.cur_date_money_fen).where(
                payment_lines.c.active.is_(True)
            )
        ).all()
    assert sorted(active) == [("3510", 14), ("3510", 14)]
    assert inputs.quota.cur_date_money == [14, 14]


def _listed(client: TestClient, **params: str) -> list[str]:
    page = client.get("/ui/breaks", params=params)
    assert page.status_code == 200, page.text
    table = page.text[page.text.index('id="breaks"') :]
    return re.findall(r'data-break="([0-9a-f]{64})"', table)


def test_the_break_list_filters_payment_breaks_by_kind_scope_and_type(harness: Harness) -> None:
    seed_day(harness)
    run(harness)
    gw = harness.gateway
    found = break_service.list_breaks(gw, break_service.BreakFilters(kind="payments", limit=500))
    assert found.total >= 3  # seed_day injects several break types
    keys = {b.key for b in found.items}
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    assert set(_listed(client, kind="payments")) == keys
    assert set(_listed(client)) == keys  # 全部: this store holds payment breaks only
    assert _listed(client, kind="indicators") == []
    scope = "payments|330324|*|2026-03-16"
    assert set(_listed(client, scope=scope)) == keys
    assert _listed(client, scope="payments|330324|*|2026-03-17") == []
    (unpaid,) = [b for b in found.items if b.type == "UNPAID"]
    assert _listed(client, scope=scope, type="UNPAID") == [unpaid.key]
    page = client.get("/ui/breaks", params={"kind": "payments"}).text
    row = page[page.index(f'data-break="{unpaid.key}"') :]
    row = row[: row.index("</tr>")]
    assert "未支付" in row and "区划 330324 永嘉县 · 2026-03-16" in row and "<code>V4</code>" in row
    # the dashboard's counts link to exactly that filtered list
    dashboard = client.get("/ui/dashboard").text
    section = dashboard[dashboard.index('id="payments"') :]
    link = re.search(r'href="/ui/breaks\?([^"]*type=UNPAID[^"]*)"', section)
    assert link is not None
    target = client.get("/ui/breaks?" + html.unescape(link.group(1)))
    assert re.findall(r'data-break="([0-9a-f]{64})"', target.text) == [unpaid.key]
    # wrong filters are refused with a specific Chinese reason, not ignored
    for params, reason in (
        ({"kind": "other"}, "未知的对账类别"),
        ({"scope": "payments|33|*|2026-03-16"}, "支付对账范围格式"),
        ({"kind": "indicators", "type": "UNPAID"}, "未知的差异类型"),
        ({"kind": "indicators", "scope": scope}, "类别与对账对"),
        ({"pair": "330000000|330300000|2026", "scope": scope}, "只选择一个"),
    ):
        refused = client.get("/ui/breaks", params=params)
        assert refused.status_code == 400 and reason in refused.text, (params, refused.text[:300])


# ---- issue 15: a break closes only when its counterpart is there ---------------------------------------


def _break(h: Harness, kind: str, voucher_no: str) -> break_service.BreakView:
    (item,) = [
        b
        for b in break_service.list_breaks(
            h.gateway, break_service.BreakFilters(kind="payments", types=(kind,), limit=500)
        ).items
        if b.detail["voucher_no"] == voucher_no
    ]
    return item


def test_an_earlier_as_of_run_does_not_close_what_a_later_run_found(harness: Harness) -> None:
    seed_day(harness)
    run(harness)  # as of 2026-03-20: V3 NOT_CLEARED, V4 UNPAID
    earlier = run_now(
        harness.gateway,
        kind="payments",
        adm_div_code=ADM,
        day=DAY,
        actor="ops:test",
        as_of=datetime(2026, 3, 17, 1, 0, tzinfo=UTC),  # V3 and V4 are back inside their 24 h windows
    )
    assert earlier.summary is not None
    assert earlier.summary["closed"] == 0
    assert earlier.summary["not_rechecked"] == 2
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    shown = client.get(f"/ui/runs/{earlier.id}")
    assert shown.status_code == 200 and "截至时间早于发现时、未重新判断 2 条" in shown.text
    for kind, voucher_no in (("NOT_CLEARED", "V3"), ("UNPAID", "V4")):
        item = _break(harness, kind, voucher_no)
        assert item.status == "open", (kind, item.status_comment)
        assert item.status_comment != "对方数据已到达，差异消除"


def test_moving_into_the_window_is_not_arrival_and_a_clearing_that_arrives_is_named(
    harness: Harness,
) -> None:
    seed_day(harness)
    run(harness)
    longer = run(harness, uncleared_hours=24 * 30, unpaid_hours=24 * 30)  # same as-of, windows now cover it
    assert longer.summary is not None
    assert longer.summary["closed"] == 0 and longer.summary["kept_in_transit"] == 2
    v3 = _break(harness, "NOT_CLEARED", "V3")
    assert v3.status == "open"
    events = break_service.get_break(harness.gateway, v3.key).events
    assert [e.action for e in events] == ["opened", "in_transit"]
    assert events[-1].comment is not None and "在途" in events[-1].comment
    again = run(harness, uncleared_hours=24 * 30, unpaid_hours=24 * 30)
    assert again.summary is not None and again.summary["kept_in_transit"] == 2
    assert len(break_service.get_break(harness.gateway, v3.key).events) == 2  # said once, not every run

    send(harness, BANK, clearing("C3", [("V3", 250_00)], DAY + timedelta(days=2)))
    closed = run(harness)
    assert closed.summary is not None and closed.summary["closed"] == 1
    v3 = break_service.get_break(harness.gateway, v3.key)
    assert v3.status == "closed"
    assert v3.status_comment is not None and "C3" in v3.status_comment and "V3" in v3.status_comment
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    page = client.get(f"/ui/breaks/{v3.key}")
    assert page.status_code == 200 and "清算 C3 已清算凭证 V3" in page.text
    history = page.text[page.text.index('id="history"') :]
    assert '<tr data-event="in_transit">' in history and "在途，未消除" in history
