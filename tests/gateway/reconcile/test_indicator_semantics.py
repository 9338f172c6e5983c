"""Issue #5 indicator semantics, rule by rule, on both engines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gateway.reconcile.breaks import BreakType, FieldDifference
from tests.gateway.reconcile.conftest import Reconcile
from tests.gateway.reconcile.ledgers import CITY, COUNTY, UPPER, lower_row, upper_row, write_pair


def test_identical_ledgers_are_consistent(tmp_path: Path, reconcile: Reconcile) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1"), upper_row("U2", doc_no="浙财农〔2026〕2号", AMOUNT="20.50")],
        [lower_row("L1", ori="U1"), lower_row("L2", sup="浙财农〔2026〕2号", AMOUNT="20.50")],
    )
    report = reconcile(upper, lower)
    assert report.breaks == () and report.in_transit == ()
    [pair] = report.pairs
    assert (pair.upper, pair.lower, pair.fiscal_year, pair.status) == (UPPER, CITY, 2026, "一致")
    assert (pair.upper_count, pair.lower_count) == (2, 2)
    assert pair.upper_amount == pair.lower_amount == Decimal("120.50")


def test_id_match_with_different_amount_is_amount_mismatch_listing_attributes(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1", AMOUNT="100.00")],
        [lower_row("L1", ori="U1", AMOUNT="99.99", IS_TRACK="1")],
    )
    [item] = reconcile(upper, lower).breaks
    assert item.type is BreakType.AMOUNT_MISMATCH
    assert (item.bgt_id, item.lower_bgt_id, item.doc_no) == ("U1", "L1", "浙财农〔2026〕1号")
    assert (item.upper_amount, item.lower_amount, item.difference) == (
        Decimal("100.00"),
        Decimal("99.99"),
        Decimal("0.01"),
    )
    assert item.fields == (FieldDifference("IS_TRACK", "2", "1"),)
    assert item.key == f"AMOUNT_MISMATCH|{UPPER}|{CITY}|2026|id:U1"


def test_id_match_with_equal_amount_and_other_attributes_is_attribute_mismatch(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1", DOC_DATE="2026-03-01")],
        [lower_row("L1", ori="U1", sup="浙财农〔2026〕1号补", DOC_DATE="20260302", BGT_DOC_TITLE="")],
    )
    [item] = reconcile(upper, lower).breaks
    assert item.type is BreakType.ATTRIBUTE_MISMATCH
    assert item.difference == Decimal("0.00")
    assert item.fields == (
        FieldDifference("BGT_DOC_TITLE", "关于下达2026年农业转移支付资金的通知", None),
        FieldDifference("COR_BGT_DOC_NO", "浙财农〔2026〕1号", "浙财农〔2026〕1号补"),
        FieldDifference("DOC_DATE", "2026-03-01", "2026-03-02"),
    )


def test_document_with_several_lines_matches_by_summed_amount(tmp_path: Path, reconcile: Reconcile) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1", AMOUNT="60.00"), upper_row("U2", AMOUNT="40.00")],
        [lower_row("L1", AMOUNT="30.00"), lower_row("L2", AMOUNT="30.00"), lower_row("L3", AMOUNT="40.00")],
    )
    assert reconcile(upper, lower).breaks == ()


def test_document_group_with_different_sum_is_one_amount_mismatch(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1", AMOUNT="60.00"), upper_row("U2", AMOUNT="40.00")],
        [lower_row("L1", AMOUNT="90.00")],
    )
    [item] = reconcile(upper, lower).breaks
    assert item.type is BreakType.AMOUNT_MISMATCH
    assert (item.bgt_id, item.lower_bgt_id) == (None, "L1")
    assert item.difference == Decimal("10.00")
    assert item.key == f"AMOUNT_MISMATCH|{UPPER}|{CITY}|2026|doc:浙财农〔2026〕1号|2300409|111"


def test_document_groups_split_by_transfer_function_and_fund_type(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1", TP_FUNC_CODE="2300409"), upper_row("U2", FUND_TYPE_CODE="121")],
        [lower_row("L1", TP_FUNC_CODE="2300410")],
    )
    types = sorted(b.type.value for b in reconcile(upper, lower).breaks)
    assert types == ["MISSING_IN_LOWER", "MISSING_IN_LOWER", "MISSING_IN_UPPER"]


def test_unmatched_upper_is_in_transit_inside_the_window_else_missing(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [
            upper_row("NEW", doc_no="D1", CREATE_TIME="2026-03-09 08:00:00"),
            upper_row("OLD", doc_no="D2", CREATE_TIME="2026-03-08 11:59:59"),
            upper_row("NONE", doc_no="D3", CREATE_TIME=""),
        ],
        [],
    )
    report = reconcile(upper, lower)
    assert [b.bgt_id for b in report.in_transit] == ["NEW"]
    assert report.in_transit[0].type is BreakType.IN_TRANSIT
    assert sorted((b.type.value, b.bgt_id) for b in report.breaks) == [
        ("MISSING_IN_LOWER", "NONE"),
        ("MISSING_IN_LOWER", "OLD"),
    ]
    assert sorted(b.bgt_id or "" for b in reconcile(upper, lower, hours=49).in_transit) == ["NEW", "OLD"]


def test_in_transit_alone_keeps_the_pair_consistent(tmp_path: Path, reconcile: Reconcile) -> None:
    upper, lower = write_pair(tmp_path, [upper_row("NEW", CREATE_TIME="2026-03-10T09:00:00")], [])
    report = reconcile(upper, lower)
    assert report.breaks == ()
    assert report.pairs[0].status == "一致"
    assert report.pairs[0].break_counts[BreakType.IN_TRANSIT] == 1


def test_unmatched_lower_is_missing_in_upper_with_its_own_document_number(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(tmp_path, [], [lower_row("L1", ori="GHOST", sup="浙财农〔2026〕99号")])
    [item] = reconcile(upper, lower).breaks
    assert item.type is BreakType.MISSING_IN_UPPER
    assert (item.bgt_id, item.lower_bgt_id, item.doc_no) == (None, "L1", "浙财农〔2026〕99号")
    assert (item.upper_amount, item.lower_amount, item.difference) == (None, Decimal("100.00"), None)
    assert (item.upper, item.lower) == (UPPER, CITY)  # no upper row: the parent division by code


def test_duplicates_are_reported_per_key_and_take_no_further_part(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1", AMOUNT="10.00"), upper_row("U1", AMOUNT="15.00"), upper_row("U2", doc_no="D2")],
        [
            lower_row("L1", ori="U1", AMOUNT="25.00"),
            lower_row("L2", ori="U2", sup="D2"),
            lower_row("L3", ori="U2"),
        ],
    )
    report = reconcile(upper, lower)
    got = sorted((b.type.value, b.key, str(b.upper_amount), str(b.lower_amount)) for b in report.breaks)
    assert got == [
        ("DUPLICATE", f"DUPLICATE|{UPPER}|{CITY}|2026|lower-ori:U2", "None", "200.00"),
        ("DUPLICATE", f"DUPLICATE|{UPPER}|{CITY}|2026|upper-id:U1", "25.00", "None"),
        ("MISSING_IN_LOWER", f"MISSING_IN_LOWER|{UPPER}|{CITY}|2026|id:U2", "100.00", "None"),
        # L1 (ORI_BGT_ID U1) lost its id partner to the duplicate, and its document group has no upper side
        ("MISSING_IN_UPPER", f"MISSING_IN_UPPER|{UPPER}|{CITY}|2026|lower-id:L1", "None", "25.00"),
    ]


def test_deleted_rows_are_ignored(tmp_path: Path, reconcile: Reconcile) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1"), upper_row("U1", IS_DELETED="1"), upper_row("GONE", doc_no="D9", IS_DELETED="1")],
        [lower_row("L1", ori="U1"), lower_row("L0", ori="U1", IS_DELETED="1")],
    )
    report = reconcile(upper, lower)
    assert report.breaks == ()
    assert (report.pairs[0].upper_count, report.pairs[0].lower_count) == (1, 1)


def test_pairs_and_years_are_reconciled_separately(tmp_path: Path, reconcile: Reconcile) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U1"), upper_row("U1", FISCAL_YEAR="2025"), upper_row("C1", REC_DIV_CODE=COUNTY)],
        [lower_row("L1", ori="U1"), lower_row("K1", ori="C1", MOF_DIV_CODE=COUNTY)],
    )
    report = reconcile(upper, lower)
    assert [(p.upper, p.lower, p.fiscal_year, p.status) for p in report.pairs] == [
        (UPPER, CITY, 2025, "不一致"),
        (UPPER, CITY, 2026, "一致"),
        (UPPER, COUNTY, 2026, "一致"),
    ]
    [item] = report.breaks
    assert (item.type, item.fiscal_year, item.bgt_id) == (BreakType.MISSING_IN_LOWER, 2025, "U1")


def test_a_lower_row_belongs_to_the_upper_that_issued_its_source(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("P1", REC_DIV_CODE=COUNTY), upper_row("C1", MOF_DIV_CODE=CITY, REC_DIV_CODE=COUNTY)],
        [lower_row("K1", ori="C1", MOF_DIV_CODE=COUNTY), lower_row("K2", ori="P1", MOF_DIV_CODE=COUNTY)],
    )
    report = reconcile(upper, lower)
    assert report.breaks == ()
    assert [(p.upper, p.lower_count) for p in report.pairs] == [(UPPER, 1), (CITY, 1)]


def test_breaks_are_in_deterministic_order_with_unique_keys(tmp_path: Path, reconcile: Reconcile) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row(f"U{i}", doc_no=f"D{i}") for i in (3, 1, 2)],
        [lower_row("L1", sup="X"), lower_row("L1", sup="Y")],
    )
    report = reconcile(upper, lower)
    keys = [b.key for b in report.breaks]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == 5
    assert keys[-1].endswith("lower-id:L1#2")
