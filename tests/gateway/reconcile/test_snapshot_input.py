"""Snapshot files: encodings, XLSX, and clear errors naming file, line and column."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from gateway.reconcile import EngineSettings
from gateway.reconcile.breaks import BreakType
from gateway.reconcile.errors import BadValueError, MissingColumnsError, SnapshotFormatError
from gateway.reconcile.indicators.duckdb_engine import load_only
from tests.gateway.reconcile.conftest import Reconcile
from tests.gateway.reconcile.ledgers import (
    LOWER_HEADER,
    UPPER_HEADER,
    csv_text,
    lower_row,
    upper_row,
    write_csv,
    write_pair,
    write_xlsx,
)

UPPER_ROWS = [upper_row("U1", AMOUNT="100.00"), upper_row("U2", doc_no="浙财农〔2026〕2号")]
LOWER_ROWS = [lower_row("L1", ori="U1", AMOUNT="90.00", BGT_DOC_TITLE="下级标题")]


def _summary(reconcile: Reconcile, upper: Path, lower: Path) -> list[tuple[str, str | None, str]]:
    report = reconcile(upper, lower)
    return [(b.type.value, b.bgt_id, ",".join(f.lower or "" for f in b.fields)) for b in report.breaks]


EXPECTED = [("AMOUNT_MISMATCH", "U1", "下级标题"), ("MISSING_IN_LOWER", "U2", "")]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gbk", False)])
def test_csv_in_utf8_with_or_without_bom_and_gbk(
    tmp_path: Path, reconcile: Reconcile, encoding: str, bom: bool
) -> None:
    upper = write_csv(tmp_path / "u.csv", UPPER_HEADER, UPPER_ROWS, encoding=encoding, bom=bom)
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, LOWER_ROWS, encoding=encoding, bom=bom)
    assert _summary(reconcile, upper, lower) == EXPECTED


def test_xlsx_first_sheet(tmp_path: Path, reconcile: Reconcile) -> None:
    upper = write_xlsx(tmp_path / "u.xlsx", UPPER_HEADER, UPPER_ROWS)
    lower = write_xlsx(tmp_path / "l.xlsx", LOWER_HEADER, LOWER_ROWS)
    assert _summary(reconcile, upper, lower) == EXPECTED


def test_header_is_case_insensitive_in_any_order_and_extra_columns_are_ignored(
    tmp_path: Path, reconcile: Reconcile
) -> None:
    header = ["extra_note", *reversed([h.lower() for h in UPPER_HEADER])]
    rows = [{**r, **{h.lower(): v for h, v in r.items()}, "extra_note": "x"} for r in UPPER_ROWS]
    upper = write_csv(tmp_path / "u.csv", header, rows)
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, LOWER_ROWS)
    assert _summary(reconcile, upper, lower) == EXPECTED


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("AMOUNT", "12.345", "more than two decimal places (amount_precision)"),
        ("AMOUNT", "1e3", "plain decimal"),
        ("AMOUNT", "１００.００", "amount_not_ascii"),
        ("AMOUNT", "١٠٠.٠٠", "amount_not_ascii"),
        ("AMOUNT", "+100.00", "amount_sign"),
        ("AMOUNT", " 100.00", "amount_whitespace"),
        ("AMOUNT", "-0.00", "negative_zero"),
        ("AMOUNT", "1000000000000.00", "amount_out_of_range"),
        ("AMOUNT", "", "must not be empty"),
        ("DOC_DATE", "2026-02-30", "not a real calendar date"),
        ("DOC_DATE", "2026/03/01", "YYYY-MM-DD"),
        ("CREATE_TIME", "2026-03-01 25:00:00", "not a real date and time"),
        ("FISCAL_YEAR", "26", "4 digits"),
        ("MOF_DIV_CODE", "33000000", "9 digits"),
        ("IS_DELETED", "0", "IS_DELETED must be 1"),
        ("BGT_ID", "", "must not be empty"),
    ],
)
def test_malformed_cell_names_file_line_and_column(
    tmp_path: Path, reconcile: Reconcile, column: str, value: str, problem: str
) -> None:
    rows = [upper_row("U1"), upper_row("U2"), upper_row("U3", **{column: value})]
    upper, lower = write_pair(tmp_path, rows, [])
    with pytest.raises(BadValueError) as caught:
        reconcile(upper, lower)
    assert (caught.value.path, caught.value.line, caught.value.column) == (str(upper), 4, column)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"{upper}: line 4, column {column}: ")


def test_malformed_cell_in_xlsx_names_the_sheet_row(tmp_path: Path, reconcile: Reconcile) -> None:
    upper = write_xlsx(tmp_path / "u.xlsx", UPPER_HEADER, [upper_row("U1"), upper_row("U2", AMOUNT="abc")])
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, [])
    with pytest.raises(BadValueError) as caught:
        reconcile(upper, lower)
    assert (caught.value.line, caught.value.column) == (3, "AMOUNT")


def test_missing_required_columns_are_listed(tmp_path: Path, reconcile: Reconcile) -> None:
    header = [h for h in UPPER_HEADER if h not in ("AMOUNT", "REC_DIV_CODE")]
    upper = write_csv(tmp_path / "u.csv", header, [upper_row("U1")])
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, [])
    with pytest.raises(MissingColumnsError) as caught:
        reconcile(upper, lower)
    assert set(caught.value.names) == {"AMOUNT", "REC_DIV_CODE"}


def test_optional_columns_may_be_absent(tmp_path: Path, reconcile: Reconcile) -> None:
    upper = tmp_path / "u.csv"
    upper.write_text(
        "BGT_ID,MOF_DIV_CODE,REC_DIV_CODE,FISCAL_YEAR,COR_BGT_DOC_NO,AMOUNT\nU1,330000000,330300000,2026,D,5\n",
        encoding="utf-8",
    )
    lower = tmp_path / "l.csv"
    lower.write_text("BGT_ID,MOF_DIV_CODE,FISCAL_YEAR,SUP_BGT_DOC_NO,AMOUNT\nL1,330300000,2026,D,5.00\n")
    report = reconcile(upper, lower)
    assert report.breaks == () and report.pairs[0].upper_amount == report.pairs[0].lower_amount


def test_blank_lines_are_skipped(tmp_path: Path, reconcile: Reconcile) -> None:
    text = csv_text(UPPER_HEADER, [upper_row("U1")]) + "\n" + ",," * 3 + "\n"
    upper = tmp_path / "u.csv"
    upper.write_text(text, encoding="utf-8")
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, [])
    assert [b.type for b in reconcile(upper, lower).breaks] == [BreakType.MISSING_IN_LOWER]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty file"), (b"\xff\xfe\x00\x81\x30\xff\n", "neither")],
)
def test_unusable_files_get_a_clear_error(
    tmp_path: Path, reconcile: Reconcile, content: bytes, message: str
) -> None:
    upper = tmp_path / "u.csv"
    upper.write_bytes(content)
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, [])
    with pytest.raises(SnapshotFormatError, match=message):
        reconcile(upper, lower)


def test_xlsx_typed_cells_dates_and_numbers_are_read_as_text(tmp_path: Path, reconcile: Reconcile) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["BGT_ID", "MOF_DIV_CODE", "REC_DIV_CODE", "FISCAL_YEAR", "COR_BGT_DOC_NO", "DOC_DATE", "AMOUNT"]
    )
    sheet.append(["U1", 330000000, 330300000, 2026, "D1", datetime(2026, 3, 1), 99.5])
    workbook.save(tmp_path / "u.xlsx")
    lower = write_csv(
        tmp_path / "l.csv",
        LOWER_HEADER,
        [lower_row("L1", ori="U1", sup="D1", AMOUNT="99.50", DOC_DATE="20260302")],
    )
    [item] = reconcile(tmp_path / "u.xlsx", lower).breaks
    assert item.type is BreakType.ATTRIBUTE_MISMATCH
    assert item.upper_amount == Decimal("99.50")
    assert [(f.field, f.upper, f.lower) for f in item.fields if f.field == "DOC_DATE"] == [
        ("DOC_DATE", "2026-03-01", "2026-03-02")
    ]


def test_load_only_counts_rows_including_deleted(tmp_path: Path) -> None:
    upper, lower = write_pair(tmp_path, [upper_row("U1"), upper_row("U2", IS_DELETED="1")], [lower_row("L1")])
    assert load_only(upper, lower, EngineSettings(memory_limit="256MB", threads=1)) == (2, 1)


def test_a_row_longer_than_the_header_is_refused_with_its_line(tmp_path: Path, reconcile: Reconcile) -> None:
    upper = tmp_path / "u.csv"
    upper.write_text(csv_text(UPPER_HEADER, [upper_row("U1")]) + "U2" + ",x" * len(UPPER_HEADER) + "\n")
    lower = write_csv(tmp_path / "l.csv", LOWER_HEADER, [])
    with pytest.raises(
        SnapshotFormatError, match=f"line 3: {len(UPPER_HEADER) + 1} values but the header has"
    ):
        reconcile(upper, lower)
