"""The XLSX reports (indicators and payments): a 汇总 (summary) sheet and a 差异明细 (breaks) sheet,
Chinese headers.

Written with openpyxl in write-only mode so a large break list streams to the file. Every text cell is an
inline string, never a formula (:mod:`gateway.reconcile.report_cells`).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gateway.reconcile.indicator_report import IndicatorReport
from gateway.reconcile.payments_report import PaymentReport
from gateway.reconcile.report_cells import xlsx_row
from gateway.reconcile.report_rows import (
    BREAK_HEADERS_ZH,
    PAYMENT_BREAK_HEADERS_ZH,
    PAYMENT_SUMMARY_HEADERS_ZH,
    SUMMARY_HEADERS_ZH,
    all_items,
    break_row,
    payment_break_row,
    payment_summary_row,
    summary_row,
)

SUMMARY_SHEET = "汇总"
BREAKS_SHEET = "差异明细"


def _header(sheet: WriteOnlyWorksheet, names: tuple[str, ...]) -> None:
    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _hours(seconds: float) -> int:
    return int(seconds // 3600)


def _payment_workbook(workbook: Workbook, report: PaymentReport) -> None:
    summary = workbook.create_sheet(SUMMARY_SHEET)
    summary.append(xlsx_row(summary, ["对账时点", report.as_of.isoformat()]))
    summary.append(xlsx_row(summary, ["未支付时限(小时)", _hours(report.unpaid_window.total_seconds())]))
    summary.append(xlsx_row(summary, ["未清算时限(小时)", _hours(report.uncleared_window.total_seconds())]))
    summary.append([])
    _header(summary, PAYMENT_SUMMARY_HEADERS_ZH)
    for group in report.groups:
        summary.append(xlsx_row(summary, payment_summary_row(group)))
    details = workbook.create_sheet(BREAKS_SHEET)
    _header(details, PAYMENT_BREAK_HEADERS_ZH)
    for item in report.breaks:
        details.append(xlsx_row(details, payment_break_row(item)))


def render_xlsx(report: IndicatorReport | PaymentReport) -> bytes:
    """Amounts are written as text (two-decimal strings) so no float ever touches them."""
    workbook = Workbook(write_only=True)
    if isinstance(report, PaymentReport):
        _payment_workbook(workbook, report)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    summary = workbook.create_sheet(SUMMARY_SHEET)
    summary.append(xlsx_row(summary, ["对账时点", report.as_of.isoformat()]))
    summary.append(
        xlsx_row(summary, ["在途时限(小时)", int(report.in_transit_window.total_seconds() // 3600)])
    )
    summary.append([])
    _header(summary, SUMMARY_HEADERS_ZH)
    for pair in report.pairs:
        summary.append(xlsx_row(summary, summary_row(pair)))
    details = workbook.create_sheet(BREAKS_SHEET)
    _header(details, BREAK_HEADERS_ZH)
    for item in all_items(report):
        details.append(xlsx_row(details, break_row(item)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
