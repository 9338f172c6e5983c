"""预算指标核算: accepted indicator records post balanced double entries per level (ADR 0005), via the real
intake on SQLite and PostgreSQL; adjustments, recalls and deletions reverse; repeats never post twice."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.rows import IndicatorRow
from gateway.services.ledger import check_ledger
from gateway.store.tables import ledger_entries, ledger_indicators, ledger_postings
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import (
    CITY,
    COUNTY,
    PROVINCE,
    UPPER_DOC,
    booking,
    change,
    document,
    issue,
    receipt,
    send,
)


def rows(h: Harness, division: str, side: str) -> list[IndicatorRow]:
    with h.gateway.database.unit_of_work() as uow:
        return uow.ledger.rows(division, side)


def balances(h: Harness, division: str) -> dict[str, int]:
    with h.gateway.database.unit_of_work() as uow:
        return {k: v for k, v in uow.ledger.balances(division, 2026).items() if v}


def entries(h: Harness) -> int:
    with h.gateway.database.unit_of_work() as uow:
        return uow.ledger.entry_count()


def assert_ledger_ok(h: Harness) -> None:
    with h.gateway.database.unit_of_work() as uow:
        check = check_ledger(uow.ledger)
    assert check.ok, check.problems()


def test_issue_posts_one_balanced_entry_on_the_issuers_ledger(harness: Harness) -> None:
    send(
        harness,
        PROVINCE,
        document("BA_BGT_INFO", issue("B-1", "1000.00"), issue("B-2", "5.05", to=COUNTY)),
        "m1",
    )
    issued = rows(harness, PROVINCE, "issued")
    assert [(r.bgt_id, r.counterparty, r.amount_fen, r.cor_bgt_doc_no) for r in issued] == [
        ("B-1", CITY, 100000, UPPER_DOC),
        ("B-2", COUNTY, 505, UPPER_DOC),
    ]
    assert balances(harness, PROVINCE) == {"5301": 100505, "4301": -100505}
    assert rows(harness, CITY, "received") == []  # routing alone books nothing for the lower
    assert entries(harness) == 2
    assert_ledger_ok(harness)


def test_a_repeated_message_is_never_posted_twice(harness: Harness) -> None:
    body = document("BA_BGT_INFO", issue("B-1", "1000.00"))
    send(harness, PROVINCE, body, "m1")
    replay = send(harness, PROVINCE, body, "m1")  # same id, same body: the stored answer, no new work
    assert replay.json()["message_id"] == "m1"
    assert entries(harness) == 1
    assert [r.amount_fen for r in rows(harness, PROVINCE, "issued")] == [100000]
    assert_ledger_ok(harness)


def test_adjust_recall_and_delete_post_reversing_entries(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00")), "m1")
    send(harness, PROVINCE, document("BA_BGT_ADJSUB", change("A-1", "B-1", "-200.00")), "m2")
    send(harness, PROVINCE, document("BA_BGT_ADJSUB", change("A-2", "B-1", "50.00")), "m3")
    send(harness, PROVINCE, document("BA_BGT_ADJSUB", change("A-3", "B-1", "100.00", recall=True)), "m4")
    [row] = rows(harness, PROVINCE, "issued")
    assert row.amount_fen == 100000 - 20000 + 5000 - 10000
    with harness.gateway.database.unit_of_work() as uow:
        lines = uow.ledger.journal(PROVINCE)
    # A reduction is the reversing entry: debit the source, credit the issued account.
    assert [(kind, account, side) for _, kind, account, side, _ in lines] == [
        ("issue", "5301", "D"),
        ("issue", "4301", "C"),
        ("adjust", "4301", "D"),
        ("adjust", "5301", "C"),
        ("adjust", "5301", "D"),
        ("adjust", "4301", "C"),
        ("recall", "4301", "D"),
        ("recall", "5301", "C"),
    ]
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00", deleted=True)), "m5")
    [row] = rows(harness, PROVINCE, "issued")
    assert (row.is_deleted, row.amount_fen) == (True, 0)
    assert balances(harness, PROVINCE) == {}
    assert_ledger_ok(harness)


def test_a_real_adjsub_row_changes_its_receiving_indicator(harness: Harness) -> None:
    """BaBgtAdjsubPO.java (zhouxiaolejoe/micro-service-parent): BGT_ID is the 调入 indicator that receives
    ADD_AMOUNT, ORI_BGT_ID its source, and the table has no ADJ_TYPE_CODE: the row is a signed 调整 of
    BGT_ID."""
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00"), issue("B-2", "10.00")), "m1")
    real = change("A-1", "B-2", "250.00")
    real.pop("ADJ_TYPE_CODE")
    real["BGT_ID"] = "B-1"  # 调入指标主键; ORI_BGT_ID B-2 is the 源指标
    send(harness, PROVINCE, document("BA_BGT_ADJSUB", real), "m2")
    amounts = {r.bgt_id: r.amount_fen for r in rows(harness, PROVINCE, "issued")}
    assert amounts == {"B-1": 100000 + 25000, "B-2": 1000}
    assert_ledger_ok(harness)


def test_lower_booking_and_its_own_adjustment_post_on_the_lower_ledger(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00")), "m1")
    send(harness, CITY, document("BA_BGT_INFO", booking("L-1", "B-1", "1000.00")), "c1")
    [row] = rows(harness, CITY, "received")
    assert (row.bgt_id, row.ori_bgt_id, row.sup_bgt_doc_no, row.amount_fen) == (
        "L-1",
        "B-1",
        UPPER_DOC,
        100000,
    )
    assert balances(harness, CITY) == {"1301": 100000, "4401": -100000}
    adjust = change("LA-1", "L-1", "-1.00")
    adjust.update({"MOF_DIV_CODE": CITY, "COR_BGT_DOC_NO": "温财农〔2026〕3号", "SUP_BGT_DOC_NO": UPPER_DOC})
    adjust.pop("REC_DIV_CODE")
    send(harness, CITY, document("BA_BGT_ADJSUB", adjust), "c2")
    [row] = rows(harness, CITY, "received")
    assert row.amount_fen == 99900
    assert_ledger_ok(harness)


def test_receipt_books_the_received_side_once_and_a_later_booking_supersedes_it(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00")), "m1")
    send(harness, CITY, document("BA_BGT_RECEIPT", receipt("B-1", "L-1")), "c1")
    send(
        harness, CITY, document("BA_BGT_RECEIPT", receipt("B-1", "L-1")), "c2"
    )  # a second 签收: no new entry
    send(harness, CITY, document("BA_BGT_RECEIPT", receipt("B-9", "L-9")), "c3")  # unknown upper id: nothing
    [row] = rows(harness, CITY, "received")
    assert (row.origin, row.bgt_id, row.ori_bgt_id, row.amount_fen) == ("receipt", "L-1", "B-1", 100000)
    assert row.create_time == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # REC_TIME is Beijing time
    assert entries(harness) == 2
    send(harness, CITY, document("BA_BGT_INFO", booking("L-1", "B-1", "990.00")), "c4")
    superseded, booked = rows(harness, CITY, "received")
    assert (superseded.is_deleted, superseded.amount_fen) == (True, 0)
    assert (booked.origin, booked.amount_fen, booked.is_deleted) == ("booking", 99000, False)
    assert balances(harness, CITY) == {"1301": 99000, "4401": -99000}
    assert_ledger_ok(harness)


def test_rejected_receipt_books_nothing(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00")), "m1")
    send(harness, CITY, document("BA_BGT_RECEIPT", receipt("B-1", "L-1", accepted=False)), "c1")
    assert rows(harness, CITY, "received") == []


def test_the_invariant_check_finds_unbalanced_entries_and_drifted_amounts(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00")), "m1")
    assert_ledger_ok(harness)
    with harness.gateway.database.engine.begin() as connection:  # tamper behind the services' back
        connection.execute(
            sa.update(ledger_postings).where(ledger_postings.c.dr_cr == "C").values(amount_fen=1)
        )
        connection.execute(sa.update(ledger_indicators).values(amount_fen=7))
    with harness.gateway.database.unit_of_work() as uow:
        check = check_ledger(uow.ledger)
    assert not check.ok
    assert len(check.unbalanced) == 1 and check.unbalanced[0][1] == 100000 - 1
    assert [(a, b) for _, a, b in check.amount_mismatches] == [(7, 100000)]
    assert any("debit − credit" in p for p in check.problems())


def test_unique_entry_constraint_backs_up_idempotency(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00")), "m1")
    with harness.gateway.database.engine.begin() as connection:
        entry = connection.execute(sa.select(ledger_entries)).one()
    with harness.gateway.database.engine.begin() as connection:
        try:
            connection.execute(
                sa.insert(ledger_entries).values(
                    message_pk=entry.message_pk,
                    position=entry.position,
                    indicator_id=entry.indicator_id,
                    kind=entry.kind,
                    posted_at=entry.posted_at,
                )
            )
        except sa.exc.IntegrityError:
            refused = True
        else:
            refused = False
    assert refused
