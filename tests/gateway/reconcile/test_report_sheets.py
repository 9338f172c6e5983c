"""Issue 15 item 4: the XLSX reports are spreadsheets ops can work with — amounts are numbers in
``#,##0.00`` (Excel can SUM them), dates are real dates, ids are text; frozen header, autofilter, column
widths; a 汇总 sheet with one row per pair / group. The CSV keeps ids as text when opened in Excel.

Read back with openpyxl (not read-only, so data types, styles, panes and filters are kept)."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from openpyxl.workbook.workbook import Workbook

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break, BreakType
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary, empty_counts
from gateway.reconcile.money_text import money_or_empty
from gateway.reconcile.payments.report import FoundRow, GroupRow, PaymentReport, assemble_report
from gateway.reconcile.report.cells import FORMULA_START, csv_text
from gateway.reconcile.report.formats import render_report
from gateway.reconcile.report.rows import BREAK_HEADERS_ZH, PAYMENT_BREAK_HEADERS_ZH
from gateway.reconcile.report.xlsx_writer import Sheet, display_width, workbook_bytes
from schemas.money import MAX_AMOUNT, format_money, from_fen

AS_OF = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 12:00 北京时间
VOUCHER = "33032452012600000123"  # 20 digits: Excel would make it 3.30325E+19 if it were a number
BGT_ID = "0330000202600000001"  # a leading zero Excel would drop
MAX = format_money(MAX_AMOUNT)


def _break(bgt_id: str, upper: str, lower: str | None, kind: BreakType = BreakType.AMOUNT_MISMATCH) -> Break:
    up, low = Decimal(upper), None if lower is None else Decimal(lower)
    return Break(
        kind,
        f"{kind}|{bgt_id}",
        "330000",
        "330100",
        2026,
        bgt_id,
        None if low is None else "L-" + bgt_id,
        "浙财预〔2026〕1号",
        up,
        low,
        None if low is None else up - low,
    )


def _indicator_report() -> IndicatorReport:
    breaks = (
        _break(BGT_ID, MAX, "0.01"),
        _break("B-2", "1234567.89", "-0.50"),
        _break("=1+2", "7.10", None, BreakType.MISSING_IN_LOWER),
    )
    counts = empty_counts()
    counts[BreakType.AMOUNT_MISMATCH] = 2
    counts[BreakType.MISSING_IN_LOWER] = 1
    pair = PairSummary(
        "330000", "330100", 2026, 3, 2, Decimal("1000001241.09"), Decimal("1234567.39"), counts
    )
    agree = PairSummary("330000", "330200", 2026, 1, 1, Decimal("5.00"), Decimal("5.00"), empty_counts())
    return IndicatorReport(AS_OF, timedelta(hours=48), (pair, agree), breaks, ())


_NONE3 = (None, None, None)


def _payment_report() -> PaymentReport:
    day = date(2026, 3, 9)
    groups: list[GroupRow] = [("330000", "102100099996", day, 2, 15000, 1, 9000, 0, 0, 1, 9000, 0, 0, 0)]
    bank = "102100099996"
    unpaid: FoundRow = (
        "UNPAID",
        "330000",
        bank,
        day,
        f"voucher:{VOUCHER}",
        VOUCHER,
        6000,
        *_NONE3,
        6000,
        *_NONE3,
    )
    short: FoundRow = ("PAY_AMOUNT_MISMATCH", "330000", bank, day, "voucher:000777", "000777", 9000, 8999)
    short += (None, None, 1, *_NONE3)
    found: list[FoundRow] = [unpaid, short]
    return assemble_report(AS_OF, timedelta(hours=24), timedelta(hours=24), groups, found)


def _book(report: IndicatorReport | PaymentReport) -> Workbook:
    return load_workbook(io.BytesIO(render_report(report, "xlsx")))


def _column(sheet: object, header: str) -> int:
    row = [c.value for c in next(sheet.iter_rows(max_row=1))]  # type: ignore[attr-defined]
    return row.index(header) + 1


def test_indicator_amounts_are_numbers_in_thousands_format_and_ids_are_text() -> None:
    sheet = _book(_indicator_report())["差异明细"]
    for row in (2, 3):
        for header in ("上级金额", "下级金额", "差额"):
            cell = sheet.cell(row, _column(sheet, header))
            assert (cell.data_type, cell.number_format) == ("n", "#,##0.00"), (row, header, cell.value)
    assert [sheet.cell(2, c).value for c in (9, 10, 11)] == [999999999999.99, 0.01, 999999999999.98]
    assert [sheet.cell(3, c).value for c in (9, 10, 11)] == [1234567.89, -0.5, 1234568.39]
    assert sheet.cell(4, _column(sheet, "下级金额")).value is None  # an absent side is an empty cell
    for header in ("上级", "下级", "指标主键", "下级指标主键", "指标文号", "差异键"):
        cell = sheet.cell(2, _column(sheet, header))
        assert cell.data_type == "s", (header, cell.value)
    assert sheet.cell(2, _column(sheet, "指标主键")).value == BGT_ID  # the leading zero is kept
    assert sheet.cell(4, _column(sheet, "指标主键")).value == "=1+2"  # text, not a formula
    year = sheet.cell(2, _column(sheet, "年度"))
    assert (year.data_type, year.value) == ("n", 2026)


def test_sheets_have_a_frozen_header_an_autofilter_and_content_widths() -> None:
    book = _book(_indicator_report())
    details, summary = book["差异明细"], book["汇总"]
    assert details.freeze_panes == "A2" and summary.freeze_panes == "A2"
    assert details.auto_filter.ref == "A1:M4"  # header + 3 breaks, 13 columns
    assert summary.auto_filter.ref == "A1:N3"  # header + 2 pairs, 14 columns (the notes below stay outside)
    assert all(cell.font.b for cell in details[1])
    width = details.column_dimensions
    # 指标文号 "浙财预〔2026〕1号" is 6 wide + 5 narrow characters: 17 columns on screen
    assert display_width("浙财预〔2026〕1号") == 17
    assert width["H"].width >= 17
    assert width["I"].width >= len("999,999,999,999.99")
    assert width["C"].width < width["H"].width


def test_summary_sheet_has_a_row_per_pair_with_numbers_and_the_overall_result() -> None:
    sheet = _book(_indicator_report())["汇总"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:8] == ["上级", "下级", "年度", "结果", "上级笔数", "下级笔数", "上级金额", "下级金额"]
    assert rows[1][:8] == ["330000", "330100", 2026, "不一致", 3, 2, 1000001241.09, 1234567.39]
    assert rows[2][3] == "一致"
    assert sheet.cell(2, 7).number_format == "#,##0.00" and sheet.cell(2, 7).data_type == "n"
    expected = [
        {BreakType.AMOUNT_MISMATCH: 2, BreakType.MISSING_IN_LOWER: 1}.get(t, 0) for t in INDICATOR_BREAK_TYPES
    ]
    assert rows[1][8:] == expected and rows[2][8:] == [0] * len(INDICATOR_BREAK_TYPES)
    notes = {row[0]: row[1:] for row in rows[4:] if row[0]}
    assert notes["总体结果"][0] == "不一致"
    assert notes["差异笔数"][0] == 3
    as_of = sheet.cell(5, 2)
    assert as_of.is_date and as_of.value == datetime(2026, 3, 20, 12, 0)  # 北京时间
    assert notes["对账时点(北京时间)"][1] == "2026-03-20T04:00:00+00:00"


def test_payment_dates_are_real_dates_and_voucher_numbers_text() -> None:
    book = _book(_payment_report())
    details = book["差异明细"]
    day = details.cell(2, _column(details, "日期"))
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert day.value == datetime(2026, 3, 9)
    vouchers = {details.cell(r, _column(details, "凭证号")).value for r in (2, 3)}
    assert vouchers == {VOUCHER, "000777"}
    assert all(details.cell(r, _column(details, "凭证号")).data_type == "s" for r in (2, 3))
    assert details.cell(2, _column(details, "代理银行")).value == "102100099996"
    paid = details.cell(2, _column(details, "实际支付金额"))
    assert (paid.data_type, paid.number_format, paid.value) == ("n", "#,##0.00", 89.99)
    summary = book["汇总"]
    assert summary.cell(2, _column(summary, "日期")).is_date
    assert summary.cell(2, _column(summary, "凭证金额")).value == 150.0
    assert summary.cell(2, _column(summary, "结果")).value == "不一致"
    assert (summary.freeze_panes, details.freeze_panes) == ("A2", "A2")
    assert details.auto_filter.ref == "A1:M3"


def test_every_amount_to_the_documented_maximum_is_exact_to_the_fen() -> None:
    """An XLSX number is an IEEE-754 double. Amounts up to 999,999,999,999.99 have ≤ 14 significant digits;
    a double holds any 15-significant-digit decimal exactly enough that printing it with 15 significant
    digits gives the decimal back (DBL_DIG = 15). The sheet holds the exact decimal text; reading it as a
    double (as Excel and openpyxl do) and printing with 15 significant digits gives the fen back."""
    rng = random.Random(15)
    fens = [10**14 - 1, 10**14 - 2, 1, 0, 5, 10**12 + 1, 123456789012345, 99999999999999, 10**13 + 7]
    fens += [rng.randrange(10**14) for _ in range(20000)]
    for fen in fens:
        text = format_money(from_fen(fen))
        assert Decimal(f"{float(text):.15g}") == Decimal(text), text
        assert Decimal(f"{-float(text):.15g}") == -Decimal(text), text
    sheet = Sheet("s", ("金额",))
    amounts = [from_fen(f) * s for f in fens[:2000] for s in (1, -1)]
    sheet.rows([money_or_empty(a)] for a in amounts)
    data = workbook_bytes([sheet])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert f"<v>{MAX}</v>" in xml and "<v>-999999999999.99</v>" in xml  # the exact decimal text
    read = load_workbook(io.BytesIO(data))["s"]
    for row, amount in enumerate(amounts, 2):
        value = read.cell(row, 1).value
        assert Decimal(f"{value:.15g}") == amount, (row, amount, value)


def test_text_cells_read_back_exactly_and_are_never_formulas() -> None:
    hostile = ["=1+2", "\t=cmd", "\r@SUM(1)", " lead", "trail ", "a\nb", "x\x01y", "_x0041_", "<&>\"'", "号"]
    sheet = Sheet("s", ("文本",))
    sheet.rows([v] for v in hostile)
    read = load_workbook(io.BytesIO(workbook_bytes([sheet])))["s"]
    cells = [read.cell(r, 1) for r in range(2, len(hostile) + 2)]
    assert all(c.data_type == "s" for c in cells)
    # Excel decodes the OOXML _xHHHH_ escape (characters XML cannot hold); openpyxl leaves it to unescape()
    assert [unescape(c.value) for c in cells] == hostile


def test_csv_marks_ids_as_text_and_keeps_amounts_and_dates_plain() -> None:
    body = render_report(_payment_report(), "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(PAYMENT_BREAK_HEADERS_ZH)
    first = next(r for r in rows[1:] if r[3] == "未支付")
    # 区划, 代理银行, 凭证号 carry the TAB text mark; 日期 and amounts are plain
    assert first[:3] == ["\t330000", "\t102100099996", "2026-03-09"]
    assert first[5] == "\t" + VOUCHER and first[6] == "60.00"
    assert {csv_text(r[5]) for r in rows[1:]} == {VOUCHER, "000777"}
    body = render_report(_indicator_report(), "csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(BREAK_HEADERS_ZH)
    ids = {r[5] for r in rows[1:]}
    assert ids == {"\t" + BGT_ID, "\tB-2", "'=1+2"}  # a formula-like id keeps its ' (and no TAB)
    assert rows[2][8:11] == ["1234567.89", "-0.50", "1234568.39"]
    for row in rows[1:]:
        for cell in row:
            if cell.startswith("\t"):  # the id mark: never followed by something formula-like
                assert not cell[1:].startswith(FORMULA_START), cell


@pytest.mark.parametrize("value", ["", "3303", "'x", "''", "\tx", "=1", "'=1"])
def test_csv_text_reads_a_cell_back(value: str) -> None:
    from gateway.reconcile.report.cells import csv_cell, csv_id_cell

    assert csv_text(str(csv_id_cell(value))) == value
    assert csv_text(str(csv_cell(value))) == value


def test_a_total_beyond_fifteen_significant_digits_is_text_not_a_rounded_number() -> None:
    """Pair totals are sums and may pass 999,999,999,999.99: up to 13 integer digits (15 significant) they
    are exact number cells; from 10¹³ yuan on a double would round them, so they are written as text."""
    sheet = Sheet("s", ("金额",))
    texts = ["9999999999999.99", "-9999999999999.99", "10000000000000.01", "-12345678901234567.89"]
    sheet.rows([money_or_empty(Decimal(t))] for t in texts)
    read = load_workbook(io.BytesIO(workbook_bytes([sheet])))["s"]
    cells = [read.cell(r, 1) for r in range(2, 6)]
    assert [c.data_type for c in cells] == ["n", "n", "s", "s"]
    assert [Decimal(f"{c.value:.15g}") for c in cells[:2]] == [Decimal(t) for t in texts[:2]]
    assert [c.value for c in cells[2:]] == texts[2:]
