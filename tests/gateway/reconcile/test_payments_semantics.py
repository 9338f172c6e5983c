"""Payment reconciliation semantics (ADR 0003 §Payments), each rule against both engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.reconcile.breaks import BreakType
from gateway.reconcile.errors import BadValueError, MissingColumnsError
from gateway.reconcile.payments.columns import Role
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_files
from gateway.reconcile.payments.reference import reconcile_payment_files_reference
from gateway.reconcile.payments.report import PaymentBreak, PaymentReport
from tests.gateway.reconcile.ledgers import write_csv
from tests.gateway.reconcile.payment_files import (
    ADM,
    BANK,
    VOUCHER_HEADER,
    clearing,
    quota,
    receipt,
    refund,
    voucher,
    write_chain,
)

AS_OF = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 2026-03-10 12:00 China time
Engine = Callable[..., PaymentReport]


def _duckdb(files: list[tuple[Path, Role]], *, as_of: datetime = AS_OF, **hours: int) -> PaymentReport:
    return reconcile_payment_files(files, as_of=as_of, **_windows(hours))


def _reference(files: list[tuple[Path, Role]], *, as_of: datetime = AS_OF, **hours: int) -> PaymentReport:
    return reconcile_payment_files_reference(files, as_of=as_of, **_windows(hours))


def _windows(hours: dict[str, int]) -> dict[str, timedelta]:
    return {name: timedelta(hours=value) for name, value in hours.items()}


@pytest.fixture(params=["duckdb", "reference"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return {"duckdb": _duckdb, "reference": _reference}[str(request.param)]


def _only(report: PaymentReport) -> PaymentBreak:
    assert len(report.breaks) == 1, report.breaks
    return report.breaks[0]


def test_a_fully_paid_and_cleared_voucher_is_consistent(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(tmp_path, [voucher("V1")], [receipt("V1")], [clearing("C1", "V1")])
    report = engine(files)
    assert report.breaks == () and report.consistent
    [group] = report.groups
    assert (group.adm_div_code, group.bank, group.day.isoformat()) == (ADM, BANK, "2026-03-01")
    assert (group.voucher_count, group.receipt_count, group.clearing_count) == (1, 1, 1)
    assert group.voucher_amount == group.paid_amount == group.cleared_amount == Decimal("100.00")
    assert group.status == "一致"


def test_unpaid_only_after_the_window_counted_from_the_end_of_the_voucher_day(
    engine: Engine, tmp_path: Path
) -> None:
    files = write_chain(tmp_path, [voucher("V1", day="20260309")])
    inside = engine(files, unpaid_window=24)  # due 2026-03-11 00:00 China time
    assert inside.breaks == () and inside.groups[0].awaiting_payment == 1 and inside.consistent
    late = engine(files, as_of=datetime(2026, 3, 10, 16, 0, tzinfo=UTC), unpaid_window=24)
    item = _only(late)
    assert item.type is BreakType.UNPAID and item.difference == Decimal("100.00")
    assert item.key == f"UNPAID|{ADM}|{BANK}|2026-03-09|voucher:V1"
    assert engine(files, unpaid_window=6).breaks[0].type is BreakType.UNPAID


def test_paid_amount_mismatch_and_a_receipt_for_an_unknown_voucher(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1")],
        [receipt("V1", paid="99.50"), receipt("GHOST", paid="5.00")],
        [clearing("C1", "V1", amount="99.50")],
    )
    ghost, mismatch = sorted(engine(files).breaks, key=lambda b: b.voucher_no)
    assert ghost.type is BreakType.PAY_AMOUNT_MISMATCH and ghost.voucher_no == "GHOST"
    assert ghost.voucher_amount is None and ghost.paid_amount == Decimal("5.00")
    assert ghost.difference == Decimal("-5.00") and ghost.key.endswith("|receipt:GHOST")
    assert mismatch.type is BreakType.PAY_AMOUNT_MISMATCH and mismatch.difference == Decimal("0.50")


def test_a_receipt_is_matched_on_division_voucher_number_and_bank(engine: Engine, tmp_path: Path) -> None:
    """Issue 13: another bank's 回单 for a voucher does not pay it — the voucher stays unpaid and the receipt
    is a stray PAY_AMOUNT_MISMATCH in its own bank's group; a receipt naming no bank still matches."""
    files = write_chain(
        tmp_path,
        [voucher("V1"), voucher("V2")],
        [receipt("V1", PAY_BANK_CODE="105"), receipt("V2", PAY_BANK_CODE="")],
        [clearing("C1", "V2")],
    )
    report = engine(files)
    found = sorted((b.type, b.bank, b.key.rsplit("|", 1)[-1]) for b in report.breaks)
    assert found == [
        (BreakType.PAY_AMOUNT_MISMATCH, "105", "receipt:V1"),
        (BreakType.UNPAID, BANK, "voucher:V1"),
    ]
    groups = {g.bank: (g.voucher_count, g.receipt_count, g.paid_amount) for g in report.groups}
    assert groups == {BANK: (2, 1, Decimal("100.00")), "105": (0, 1, Decimal("100.00"))}


def test_a_failed_payment_receipt_of_zero_is_a_mismatch_not_unpaid(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(tmp_path, [voucher("V1")], [receipt("V1", paid="0.00")])
    item = _only(engine(files))
    assert item.type is BreakType.PAY_AMOUNT_MISMATCH and item.difference == Decimal("100.00")


def test_not_cleared_after_the_window_and_a_refund_reduces_what_must_clear(
    engine: Engine, tmp_path: Path
) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1"), voucher("V2"), voucher("V3")],
        [receipt("V1"), receipt("V2"), receipt("V3"), refund("R3", "V3", amount="-40.00", day="20260301")],
        [clearing("C1", "V2", amount="60.00"), clearing("C1", "V3", amount="60.00")],
    )
    report = engine(files)
    by_voucher = {b.voucher_no: b for b in report.breaks}
    assert set(by_voucher) == {"V1", "V2"}
    assert by_voucher["V1"].type is BreakType.NOT_CLEARED and by_voucher["V1"].difference == Decimal("100.00")
    assert by_voucher["V2"].difference == Decimal("40.00") and by_voucher["V2"].cleared_amount == Decimal(
        "60.00"
    )
    # V3: paid 100, refunded 40, cleared 60 -> nothing outstanding


def test_a_refund_not_yet_returned_by_a_2302_is_not_cleared_with_a_negative_difference(
    engine: Engine, tmp_path: Path
) -> None:
    base = [voucher("V1")], [receipt("V1"), refund("R1", "V1", amount="-30.00", day="20260302")]
    cleared = [clearing("C1", "V1")]
    item = _only(engine(write_chain(tmp_path, *base, cleared)))
    assert item.type is BreakType.NOT_CLEARED and item.difference == Decimal("-30.00")
    assert item.refund_amount == Decimal("30.00")
    returned = [*cleared, clearing("C9", "V1", amount="30.00", vt="2302", day="20260303")]
    assert engine(write_chain(tmp_path, *base, returned)).breaks == ()


def test_clearing_waits_for_the_window_after_the_latest_payment_or_refund_day(
    engine: Engine, tmp_path: Path
) -> None:
    files = write_chain(tmp_path, [voucher("V1", day="20260308")], [receipt("V1", day="20260309")])
    report = engine(files, uncleared_window=24)
    assert report.breaks == () and report.groups[0].awaiting_clearing == 1
    assert _only(engine(files, uncleared_window=0)).type is BreakType.NOT_CLEARED


def test_double_cleared_wins_over_not_cleared_and_lists_the_clearing_vouchers(
    engine: Engine, tmp_path: Path
) -> None:
    files = write_chain(
        tmp_path, [voucher("V1")], [receipt("V1")], [clearing("C2", "V1"), clearing("C1", "V1")]
    )
    item = _only(engine(files))
    assert item.type is BreakType.DOUBLE_CLEARED and item.difference == Decimal("-100.00")
    assert [(f.field, f.value) for f in item.fields] == [("CLEARING_NO", "C1, C2")]


def test_cleared_unknown_is_one_break_per_voucher_finance_never_sent(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1")],
        [receipt("V1")],
        [clearing("C1", "V1"), clearing("C1", "X", amount="7.00"), clearing("C2", "X", amount="3.00")],
    )
    item = _only(engine(files))
    assert item.type is BreakType.CLEARED_UNKNOWN and item.cleared_amount == Decimal("10.00")
    assert item.voucher_amount is None and item.difference == Decimal("-10.00")


def test_refund_unmatched_when_the_original_is_unknown_or_unpaid(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1"), voucher("V2", day="20260309")],
        [receipt("V1"), refund("R1", "NOPE"), refund("R2", "V2")],
        [clearing("C1", "V1")],
    )
    refunds = sorted((b for b in engine(files).breaks), key=lambda b: b.key)
    assert [b.type for b in refunds] == [BreakType.REFUND_UNMATCHED] * 2
    unknown, unpaid = sorted(refunds, key=lambda b: b.voucher_no)
    assert unknown.voucher_no == "NOPE" and unknown.voucher_amount is None and unknown.bank == ""
    assert unpaid.voucher_no == "V2" and unpaid.voucher_amount == Decimal("100.00")
    assert unpaid.day.isoformat() == "2026-03-09" and unpaid.refund_amount == Decimal("10.00")
    assert [(f.field, f.value) for f in unpaid.fields] == [("REFUND_NO", "R2")]


def test_quota_identity_per_statement_line(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1")],
        [receipt("V1")],
        [clearing("C1", "V1")],
        [
            quota("Q1", "100.00", "50.00", "30.00", "120.00"),
            quota("Q1", "100.00", "50.00", "30.00", "121.00"),
        ],
    )
    item = _only(engine(files))
    assert item.type is BreakType.QUOTA_IDENTITY and item.difference == Decimal("-1.00")
    assert item.key == f"QUOTA_IDENTITY|{ADM}|{BANK}|2026-03-01|quota:Q1#2"
    assert [f.value for f in item.fields] == ["100.00", "50.00", "30.00", "121.00"]


def test_voucher_rows_with_one_number_are_one_voucher(engine: Engine, tmp_path: Path) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1", amount="60.00"), voucher("V1", amount="40.00", day="20260302")],
        [receipt("V1")],
        [clearing("C1", "V1")],
    )
    report = engine(files)
    assert report.breaks == ()
    assert report.groups[0].voucher_count == 1 and report.groups[0].day.isoformat() == "2026-03-01"


def test_receipts_refunds_and_clearing_join_the_group_of_their_voucher(
    engine: Engine, tmp_path: Path
) -> None:
    files = write_chain(
        tmp_path,
        [voucher("V1", PAY_BANK_CODE="B9")],
        [receipt("V1", PAY_BANK_CODE=""), refund("R1", "V1", amount="-100.00")],
        [clearing("C1", "V1", day="20260305", PAY_BANK_CODE="X")],
    )
    report = engine(files)
    [group] = report.groups
    assert (group.bank, group.receipt_count, group.refund_count, group.clearing_count) == ("B9", 1, 1, 1)
    assert [b.type for b in report.breaks] == [BreakType.NOT_CLEARED]  # refunded in full, cleared 100


def test_gbk_and_xlsx_inputs_give_the_same_report(engine: Engine, tmp_path: Path) -> None:
    rows = ([voucher("V1", PAY_BANK_CODE="工商银行")], [receipt("V1", paid="1.00", PAY_BANK_CODE="工商银行")])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    gbk = engine(write_chain(tmp_path / "a", *rows, encoding="gbk"))
    xlsx = engine(write_chain(tmp_path / "b", *rows, xlsx=True))
    assert gbk.breaks == xlsx.breaks
    assert [(b.type, b.bank) for b in gbk.breaks] == [
        (BreakType.NOT_CLEARED, "工商银行"),
        (BreakType.PAY_AMOUNT_MISMATCH, "工商银行"),
    ]


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"ADM_DIV_CODE": "33032"}, "ADM_DIV_CODE"),
        ({"VOU_DATE": "20260230"}, "VOU_DATE"),
        ({"PAY_AMT": "1.005"}, "PAY_AMT"),
        ({"PAY_AMT": "-1.00"}, "PAY_AMT"),
        ({"VT_CODE": "2301"}, "VT_CODE"),
        ({"VOUCHER_NO": ""}, "VOUCHER_NO"),
    ],
)
def test_a_malformed_cell_is_located_by_line_and_column(
    engine: Engine, tmp_path: Path, overrides: dict[str, str], column: str
) -> None:
    path = write_csv(tmp_path / "v.csv", VOUCHER_HEADER, [voucher("V1"), voucher("V2", **overrides)])
    with pytest.raises(BadValueError) as caught:
        engine([(path, Role.VOUCHERS)])
    assert (caught.value.line, caught.value.column) == (3, column)


def test_receipt_rows_are_checked_by_kind(engine: Engine, tmp_path: Path) -> None:
    bad_refund = write_chain(tmp_path, [voucher("V1")], [receipt("V1"), refund("R1", "V1", amount="5.00")])
    with pytest.raises(BadValueError) as caught:
        engine(bad_refund)
    assert (caught.value.line, caught.value.column) == (3, "PAY_AMT")


def test_missing_required_columns_are_named(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "v.csv", ("ADM_DIV_CODE", "VOUCHER_NO"), [{"ADM_DIV_CODE": ADM}])
    with pytest.raises(MissingColumnsError) as caught:
        engine([(path, Role.VOUCHERS)])
    assert caught.value.names == ("VOU_DATE", "PAY_AMT")


def test_receipts_of_several_banks_for_one_number(engine: Engine, tmp_path: Path) -> None:
    """Each 回单 is matched on its own bank, whatever else its voucher number holds: the bank's and the
    bank-less 回单 pay, another bank's are a stray per bank — the DuckDB engine decides most numbers from
    their receipts' bank range and matches these mixed ones row by row."""
    files = write_chain(
        tmp_path,
        [
            voucher("V1"),  # its bank's 回单 and another bank's
            voucher("V2"),  # a bank-less 回单 and another bank's
            voucher("V3"),  # a bank-less 回单 and its bank's: paid in full
            voucher("V4", PAY_BANK_CODE=""),  # names no bank: two banks' 回单 both pay
            voucher("V5"),  # two 回单 of one other bank: one stray of two
        ],
        [
            receipt("V1", paid="60.00"),
            receipt("V1", paid="40.00", PAY_BANK_CODE="105"),
            receipt("V2", paid="60.00", PAY_BANK_CODE=""),
            receipt("V2", paid="40.00", PAY_BANK_CODE="105"),
            receipt("V3", paid="50.00", PAY_BANK_CODE=""),
            receipt("V3", paid="50.00"),
            receipt("V4", paid="30.00", PAY_BANK_CODE="105"),
            receipt("V4", paid="70.00", PAY_BANK_CODE="106"),
            receipt("V5", paid="50.00", PAY_BANK_CODE="105"),
            receipt("V5", paid="50.00", PAY_BANK_CODE="105"),
            receipt("G1", paid="5.00", PAY_BANK_CODE=""),  # no voucher: a stray per bank
            receipt("G1", paid="7.00", PAY_BANK_CODE="105"),
            receipt("G2", paid="1.00", PAY_BANK_CODE="105"),
            receipt("G2", paid="2.00", PAY_BANK_CODE="106"),
        ],
        [clearing("C1", v, amount=a) for v, a in (("V1", "60.00"), ("V2", "60.00"), ("V3", "100.00"))]
        + [clearing("C1", "V4", PAY_BANK_CODE="")],
    )
    report = engine(files)
    found = sorted((b.type.value, b.bank, b.key.rsplit("|", 1)[-1], b.paid_amount) for b in report.breaks)
    mismatch = BreakType.PAY_AMOUNT_MISMATCH.value
    assert found == sorted(
        [
            (mismatch, "", "receipt:G1", Decimal("5.00")),
            (mismatch, "105", "receipt:G1", Decimal("7.00")),
            (mismatch, "105", "receipt:G2", Decimal("1.00")),
            (mismatch, "105", "receipt:V1", Decimal("40.00")),
            (mismatch, "105", "receipt:V2", Decimal("40.00")),
            (mismatch, "105", "receipt:V5", Decimal("100.00")),
            (mismatch, "106", "receipt:G2", Decimal("2.00")),
            (mismatch, BANK, "voucher:V1", Decimal("60.00")),
            (mismatch, BANK, "voucher:V2", Decimal("60.00")),
            (BreakType.UNPAID.value, BANK, "voucher:V5", None),
        ]
    )
    receipts = {g.bank: (g.receipt_count, g.paid_amount) for g in report.groups}
    assert receipts == {
        BANK: (4, Decimal("220.00")),
        "": (3, Decimal("105.00")),
        "105": (6, Decimal("188.00")),
        "106": (1, Decimal("2.00")),
    }
