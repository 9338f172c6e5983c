"""Reconciliation from the store gives exactly the file engine's breaks on the same data (random ledgers with
every break type, several pairs and years), on SQLite and PostgreSQL; and runs driven by real intake carry
breaks across runs, auto-close them when the counterpart arrives, and audit every step."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway import audit
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.ledger_columns import (
    CHINA_TZ,
    parse_amount,
    parse_create_time,
    parse_deleted,
    parse_doc_date,
)
from gateway.reconcile.report.json import report_dict
from gateway.rows import NewIndicator
from gateway.services import breaks as break_service
from gateway.services.errors import BadRequest, Conflict
from gateway.services.reconciliation import runs as reconciliation_service
from gateway.services.reconciliation.indicators import PairScope, _only_pair, reconcile_pair_from_store
from gateway.services.reconciliation.runs import ReconciliationFailed, run_now
from gateway.store.tables import ledger_indicators
from schemas.money import to_fen
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import CITY, COUNTY, PROVINCE, booking, document, issue, send
from tests.gateway.reconcile.conftest import AS_OF
from tests.gateway.reconcile.ledgers import LOWER_HEADER, UPPER_HEADER, Row, write_csv
from tests.gateway.reconcile.test_engines_agree import (
    EVERY_TYPE_LOWER,
    EVERY_TYPE_UPPER,
    lower_rows,
    upper_rows,
)
from tests.gateway.test_reconciliation_api import tokens
from tests.web.conftest import sign_in


def _blank(value: str | None) -> str | None:
    return value or None


def to_store(row: Row, side: str) -> NewIndicator:
    """A snapshot row as the ledger holds it (the same cell rules the engines use)."""
    created = parse_create_time(_blank(row.get("CREATE_TIME")))
    amount = parse_amount(row["AMOUNT"])
    return NewIndicator(
        division=row["MOF_DIV_CODE"],
        side=side,
        counterparty=_blank(row.get("REC_DIV_CODE")) if side == "issued" else None,
        fiscal_year=int(row["FISCAL_YEAR"]),
        bgt_id=row["BGT_ID"],
        ori_bgt_id=_blank(row.get("ORI_BGT_ID")),
        cor_bgt_doc_no=_blank(row.get("COR_BGT_DOC_NO")),
        sup_bgt_doc_no=_blank(row.get("SUP_BGT_DOC_NO")),
        bgt_doc_title=_blank(row.get("BGT_DOC_TITLE")),
        doc_date=parse_doc_date(_blank(row.get("DOC_DATE"))),
        pro_code=_blank(row.get("PRO_CODE")),
        fund_type_code=_blank(row.get("FUND_TYPE_CODE")),
        tp_func_code=_blank(row.get("TP_FUNC_CODE")),
        gov_bgt_eco_code=_blank(row.get("GOV_BGT_ECO_CODE")),
        distri_type_code=_blank(row.get("DISTRI_TYPE_CODE")),
        is_track=_blank(row.get("IS_TRACK")),
        amount_fen=to_fen(amount),
        create_time=None if created is None else created.replace(tzinfo=CHINA_TZ).astimezone(UTC),
        is_deleted=parse_deleted(_blank(row.get("IS_DELETED"))),
    )


def _load(h: Harness, upper: Sequence[Row], lower: Sequence[Row]) -> None:
    with h.gateway.database.unit_of_work() as uow:
        uow.ledger.add_many([to_store(r, "issued") for r in upper], h.clock.now)
        uow.ledger.add_many([to_store(r, "received") for r in lower], h.clock.now)
        uow.commit()


def _reset(h: Harness) -> None:
    with h.gateway.database.engine.begin() as connection:
        connection.execute(sa.delete(ledger_indicators))


def assert_store_matches_files(h: Harness, upper: list[Row], lower: list[Row], hours: int) -> None:
    _reset(h)
    _load(h, upper, lower)
    window = timedelta(hours=hours)
    with TemporaryDirectory() as tmp:
        up = write_csv(Path(tmp) / "u.csv", UPPER_HEADER, upper)
        low = write_csv(Path(tmp) / "l.csv", LOWER_HEADER, lower)
        whole = reconcile_indicator_files(up, low, as_of=AS_OF, in_transit_window=window)
    scopes = {(p.upper, p.lower, p.fiscal_year) for p in whole.pairs} | {(PROVINCE, CITY, 2024)}
    for upper_code, lower_code, year in sorted(scopes):
        scope = PairScope(upper_code, lower_code, year)
        from_files = report_dict(_only_pair(whole, scope))
        from_store = report_dict(reconcile_pair_from_store(h.gateway, scope, AS_OF, window))
        assert from_store == from_files, scope


def test_store_run_gives_the_file_runs_breaks(harness: Harness) -> None:
    # One database for all examples (each starts from an empty ledger), so the examples stay cheap.
    @example(upper=EVERY_TYPE_UPPER, lower=EVERY_TYPE_LOWER, hours=48)
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        upper=st.lists(upper_rows(), max_size=12),
        lower=st.lists(lower_rows(), max_size=12),
        hours=st.sampled_from([0, 48, 24 * 90]),
    )
    def check(upper: list[Row], lower: list[Row], hours: int) -> None:
        assert_store_matches_files(harness, upper, lower, hours)

    check()


def test_every_break_type_appears_in_the_explicit_example(harness: Harness) -> None:
    _load(harness, EVERY_TYPE_UPPER, EVERY_TYPE_LOWER)
    report = reconcile_pair_from_store(harness.gateway, PairScope(PROVINCE, CITY, 2026), AS_OF)
    kinds = {b.type.value for b in (*report.breaks, *report.in_transit)}
    assert kinds == {
        "AMOUNT_MISMATCH",
        "ATTRIBUTE_MISMATCH",
        "DUPLICATE",
        "IN_TRANSIT",
        "MISSING_IN_LOWER",
        "MISSING_IN_UPPER",
    }


# ---- runs driven by real intake ---------------------------------------------------------------------------

LATER = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a week after the harness clock: past the 48 h window


B2_DOC = "浙财农〔2026〕13号"


def _seed(h: Harness) -> None:
    send(
        h,
        PROVINCE,
        document(
            "BA_BGT_INFO",
            issue("B-1", "1000.00"),
            issue("B-2", "500.00", COR_BGT_DOC_NO=B2_DOC),
            issue("B-3", "70.00", COR_BGT_DOC_NO="浙财农〔2026〕14号", CREATE_TIME="2026-03-10 12:00:00"),
            issue("B-4", "9.00", to=COUNTY),
        ),
        "m1",
    )
    send(
        h,
        CITY,
        document(
            "BA_BGT_INFO",
            booking("L-1", "B-1", "990.00"),
            booking("L-9", "GHOST", "1.00", SUP_BGT_DOC_NO="财预〔2026〕99号"),
        ),
        "c1",
    )


def _types(h: Harness, status: str = "open") -> dict[str, str]:
    page = break_service.list_breaks(h.gateway, break_service.BreakFilters(statuses=(status,), limit=500))
    return {b.ident: b.type for b in page.items}


def test_a_run_from_intake_finds_breaks_and_persists_them(harness: Harness) -> None:
    _seed(harness)
    run = run_now(
        harness.gateway,
        kind="indicators",
        upper=PROVINCE,
        lower=CITY,
        fiscal_year=2026,
        actor="ops:t",
        as_of=LATER,
    )
    assert run.status == "succeeded"
    assert run.summary is not None
    assert run.summary["status"] == "不一致"
    assert (run.summary["upper_count"], run.summary["lower_count"]) == (3, 2)
    assert (run.summary["upper_amount"], run.summary["lower_amount"]) == ("1570.00", "991.00")
    assert (run.summary["opened"], run.summary["in_transit"]) == (3, 1)
    assert _types(harness) == {
        f"AMOUNT_MISMATCH|{PROVINCE}|{CITY}|2026|id:B-1": "AMOUNT_MISMATCH",
        f"MISSING_IN_LOWER|{PROVINCE}|{CITY}|2026|id:B-2": "MISSING_IN_LOWER",
        f"MISSING_IN_UPPER|{PROVINCE}|{CITY}|2026|lower-id:L-9": "MISSING_IN_UPPER",
    }
    # the same data again: the same three breaks, carried (not re-opened as new)
    again = run_now(
        harness.gateway,
        kind="indicators",
        upper=PROVINCE,
        lower=CITY,
        fiscal_year=2026,
        actor="ops:t",
        as_of=LATER,
    )
    assert again.summary is not None
    assert (again.summary["opened"], again.summary["carried"], again.summary["closed"]) == (0, 3, 0)
    page = break_service.list_breaks(harness.gateway, break_service.BreakFilters(limit=500))
    assert {b.first_run_id for b in page.items} == {run.id}
    assert {b.last_run_id for b in page.items} == {again.id}
    with harness.gateway.database.unit_of_work() as uow:
        assert audit.verify(uow.audit) > 0
        actions = [e.action for e in uow.audit.entries()]
    assert actions.count("reconciliation.run") == 2


def test_breaks_close_when_the_counterpart_arrives_and_reopen_when_it_goes(harness: Harness) -> None:
    _seed(harness)
    gw = harness.gateway

    def run() -> dict[str, int]:
        result = run_now(
            gw, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t", as_of=LATER
        )
        assert result.summary is not None
        return {k: result.summary[k] for k in ("opened", "reopened", "closed", "carried")}

    run()
    missing = f"MISSING_IN_LOWER|{PROVINCE}|{CITY}|2026|id:B-2"
    send(harness, CITY, document("BA_BGT_INFO", booking("L-2", "B-2", "500.00", SUP_BGT_DOC_NO=B2_DOC)), "c2")
    assert run() == {"opened": 0, "reopened": 0, "closed": 1, "carried": 2}
    assert missing not in _types(harness)
    assert _types(harness, "closed") == {missing: "MISSING_IN_LOWER"}
    closed = next(
        b for b in break_service.list_breaks(gw, break_service.BreakFilters()).items if b.ident == missing
    )
    # the reason names the record that closed it and the message that carried it (issue 15)
    assert closed.status_comment is not None
    assert "L-2" in closed.status_comment and "c2" in closed.status_comment
    send(
        harness,
        CITY,
        document("BA_BGT_INFO", booking("L-2", "B-2", "500.00", SUP_BGT_DOC_NO=B2_DOC, IS_DELETED="1")),
        "c3",
    )
    assert run() == {"opened": 0, "reopened": 1, "closed": 0, "carried": 3}
    view = next(
        b for b in break_service.list_breaks(gw, break_service.BreakFilters()).items if b.ident == missing
    )
    history = break_service.get_break(gw, view.key).events
    assert [e.action for e in history] == ["opened", "closed", "reopened"]


def test_lifecycle_open_explained_resolved_is_audited(harness: Harness) -> None:
    _seed(harness)
    gw = harness.gateway
    run_now(gw, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t", as_of=LATER)
    [item] = break_service.list_breaks(gw, break_service.BreakFilters(types=("AMOUNT_MISMATCH",))).items
    assert (item.upper_amount, item.lower_amount, item.difference, item.amount) == (
        "1000.00",
        "990.00",
        "10.00",
        "10.00",
    )
    with pytest.raises(BadRequest):
        break_service.explain_break(gw, item.key, comment="  ", actor="ops:alice")
    explained = break_service.explain_break(
        gw, item.key, comment="县级少录10元，已通知补录", actor="ops:alice"
    )
    assert (explained.status, explained.status_by) == ("explained", "ops:alice")
    resolved = break_service.resolve_break(gw, item.key, comment="已补录", actor="ops:bob")
    assert (resolved.status, resolved.status_by, resolved.status_comment) == ("resolved", "ops:bob", "已补录")
    assert [(e.action, e.actor) for e in resolved.events] == [
        ("opened", "system"),
        ("explained", "ops:alice"),
        ("resolved", "ops:bob"),
    ]
    with pytest.raises(Conflict):
        break_service.explain_break(gw, item.key, comment="again", actor="ops:alice")
    with gw.database.unit_of_work() as uow:
        assert audit.verify(uow.audit) > 0
        entries = [(e.action, e.actor, e.subject) for e in uow.audit.entries()]
    assert ("break.explained", "ops:alice", f"break/{item.key}") in entries
    assert ("break.resolved", "ops:bob", f"break/{item.key}") in entries


def test_filters_sorting_and_paging(harness: Harness) -> None:
    _seed(harness)
    gw = harness.gateway
    run_now(gw, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t", as_of=LATER)
    filters = break_service.BreakFilters
    by_amount = break_service.list_breaks(gw, filters(sort="-amount"))
    assert [b.amount for b in by_amount.items] == ["500.00", "10.00", "1.00"]
    assert break_service.list_breaks(gw, filters(min_amount_fen=200, max_amount_fen=50000)).total == 2
    first = break_service.list_breaks(gw, filters(sort="amount", limit=2))
    rest = break_service.list_breaks(gw, filters(sort="amount", limit=2, offset=2))
    assert (first.total, len(first.items), len(rest.items)) == (3, 2, 1)
    assert break_service.list_breaks(gw, filters(upper=PROVINCE, lower=CITY, fiscal_year=2026)).total == 3
    assert break_service.list_breaks(gw, filters(upper=PROVINCE, lower=COUNTY)).total == 0
    harness.clock.now += timedelta(days=10)
    assert break_service.list_breaks(gw, filters(min_age_days=9)).total == 3
    assert break_service.list_breaks(gw, filters(max_age_days=5)).total == 0
    with pytest.raises(BadRequest):
        break_service.list_breaks(gw, filters(sort="colour"))
    with pytest.raises(BadRequest):
        break_service.list_breaks(gw, filters(types=("NOT_A_TYPE",)))


def test_failed_engine_run_is_recorded_and_audited(harness: Harness) -> None:
    bad = {**EVERY_TYPE_UPPER[0], "DOC_DATE": "2026-03-01"}
    row = to_store(bad, "issued")
    _load(harness, [], [])
    with harness.gateway.database.unit_of_work() as uow:  # a corrupt date written behind the services' back
        uow.ledger.add_many([NewIndicator(**{**row.__dict__, "doc_date": "2026-13-45"})], harness.clock.now)
        uow.commit()
    with pytest.raises(ReconciliationFailed, match="DOC_DATE"):
        run_now(harness.gateway, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t")
    page = reconciliation_service.list_runs(harness.gateway)
    assert [r.status for r in page.items] == ["failed"]
    assert "DOC_DATE" in (page.items[0].error or "")
    with harness.gateway.database.unit_of_work() as uow:
        assert [e.action for e in uow.audit.entries()][-1] == "reconciliation.failed"


def test_bad_requests(harness: Harness) -> None:
    gw = harness.gateway
    with pytest.raises(BadRequest, match="payments"):
        run_now(gw, kind="payments", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t")
    with pytest.raises(BadRequest, match="9-digit"):
        run_now(gw, kind="indicators", upper="33", lower=CITY, fiscal_year=2026, actor="t")
    with pytest.raises(BadRequest, match="zone"):
        run_now(
            gw,
            kind="indicators",
            upper=PROVINCE,
            lower=CITY,
            fiscal_year=2026,
            actor="t",
            as_of=datetime(2026, 3, 1),
        )


def test_two_concurrent_runs_of_one_pair_both_succeed_and_share_the_breaks(harness: Harness) -> None:
    _seed(harness)
    results: list[str] = []

    def run() -> None:
        summary = run_now(
            harness.gateway,
            kind="indicators",
            upper=PROVINCE,
            lower=CITY,
            fiscal_year=2026,
            actor="t",
            as_of=LATER,
        )
        assert summary.summary is not None
        results.append(f"{summary.status}:{summary.summary['opened']}+{summary.summary['carried']}")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == ["succeeded:0+3", "succeeded:3+0"]
    assert break_service.list_breaks(harness.gateway, break_service.BreakFilters()).total == 3


# ---- issue 15: an earlier as-of, or the in-transit window, never closes a break -------------------------


def _run(h: Harness, as_of: datetime, **kw: Any) -> dict[str, Any]:
    result = run_now(
        h.gateway,
        kind="indicators",
        upper=PROVINCE,
        lower=CITY,
        fiscal_year=2026,
        actor="t",
        as_of=as_of,
        **kw,
    )
    assert result.summary is not None
    return dict(result.summary)


def test_an_earlier_as_of_run_does_not_close_a_later_runs_break(harness: Harness) -> None:
    _seed(harness)
    _run(harness, LATER)
    missing = f"MISSING_IN_LOWER|{PROVINCE}|{CITY}|2026|id:B-2"
    assert missing in _types(harness)
    earlier = _run(harness, datetime(2026, 3, 2, 0, 0, tzinfo=UTC))  # B-2 is inside its 48 h window again
    assert earlier["closed"] == 0 and earlier["not_rechecked"] >= 1
    assert _types(harness).get(missing) == "MISSING_IN_LOWER"
    assert missing not in _types(harness, "closed")


def test_a_break_back_in_transit_stays_open(harness: Harness) -> None:
    _seed(harness)
    _run(harness, LATER)
    missing = f"MISSING_IN_LOWER|{PROVINCE}|{CITY}|2026|id:B-2"
    wider = _run(harness, LATER, in_transit_hours=24 * 30)  # same as-of; B-2 now inside the window
    assert wider["closed"] == 0 and wider["kept_in_transit"] == 1
    assert _types(harness).get(missing) == "MISSING_IN_LOWER"
    view = next(
        b
        for b in break_service.list_breaks(harness.gateway, break_service.BreakFilters()).items
        if b.ident == missing
    )
    events = break_service.get_break(harness.gateway, view.key).events
    assert [e.action for e in events] == ["opened", "in_transit"]


def test_the_dashboard_says_in_transit_when_only_in_transit_explains_the_difference(harness: Harness) -> None:
    send(
        harness,
        PROVINCE,
        document("BA_BGT_INFO", issue("B-1", "1000.00"), issue("B-2", "500.00", COR_BGT_DOC_NO=B2_DOC)),
        "m1",
    )
    send(harness, CITY, document("BA_BGT_INFO", booking("L-1", "B-1", "1000.00")), "c1")
    summary = _run(harness, datetime(2026, 3, 2, 0, 0, tzinfo=UTC))  # B-2 still in transit
    assert summary["breaks"] == 0 and summary["in_transit"] == 1
    (board,) = reconciliation_service.dashboard_summary(harness.gateway)
    assert board.status == "一致"
    assert board.status_text == "一致（在途 1 笔 / 金额 500.00）"
    client = TestClient(harness.client.app)
    sign_in(client, tokens(harness)["viewer"])
    page = client.get("/ui/dashboard")
    assert page.status_code == 200 and "一致（在途 1 笔 / 金额 500.00）" in page.text
