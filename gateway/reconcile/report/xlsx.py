"""The XLSX reports (indicators and payments): a 汇总 (summary) sheet and a 差异明细 (breaks) sheet,
Chinese headers.

汇总 holds one row per pair (indicators: upper, lower, fiscal year) or per group (payments: region, bank,
day) — 一致/不一致, counts and totals of both sides, the count of each break type — then, after a blank
row, the run's parameters (对账时点, windows) and the overall result. 差异明细 holds one row per break
(indicators: and in-transit item).

Both sheets have a frozen bold header row, an autofilter over the table and column widths sized to the
content (CJK characters count double). Amounts are number cells in ``#,##0.00`` written from their exact
decimal text, so Excel can SUM them; dates are real dates (``yyyy-mm-dd``); ids, codes and every other
text are inline strings, never formulas (:mod:`gateway.reconcile.report.xlsx_writer`,
:mod:`gateway.reconcile.report.cells`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from gateway.reconcile.indicators.ledger_columns import CHINA_TZ
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE, IndicatorReport
from gateway.reconcile.payments.report import PaymentReport
from gateway.reconcile.report.rows import (
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
from gateway.reconcile.report.xlsx_writer import Sheet, workbook_bytes

SUMMARY_SHEET = "汇总"
BREAKS_SHEET = "差异明细"


def _hours(window: timedelta) -> int:
    return int(window.total_seconds() // 3600)


def _china_time(as_of: datetime) -> datetime:
    """The run's instant as a naive 北京时间 datetime (a spreadsheet has no time zones)."""
    return as_of.astimezone(CHINA_TZ).replace(tzinfo=None) if as_of.tzinfo else as_of


def _overall(consistent: bool) -> str:
    return STATUS_AGREE if consistent else STATUS_DISAGREE


def _payment_sheets(report: PaymentReport) -> list[Sheet]:
    summary = Sheet(SUMMARY_SHEET, PAYMENT_SUMMARY_HEADERS_ZH)
    summary.rows(payment_summary_row(group) for group in report.groups)
    summary.note(["对账时点(北京时间)", _china_time(report.as_of), report.as_of.isoformat()])
    summary.note(["未支付时限(小时)", _hours(report.unpaid_window)])
    summary.note(["未清算时限(小时)", _hours(report.uncleared_window)])
    summary.note(["总体结果", _overall(report.consistent)])
    summary.note(["差异笔数", len(report.breaks)])
    details = Sheet(BREAKS_SHEET, PAYMENT_BREAK_HEADERS_ZH)
    details.rows(payment_break_row(item) for item in report.breaks)
    return [summary, details]


def _indicator_sheets(report: IndicatorReport) -> list[Sheet]:
    summary = Sheet(SUMMARY_SHEET, SUMMARY_HEADERS_ZH)
    summary.rows(summary_row(pair) for pair in report.pairs)
    summary.note(["对账时点(北京时间)", _china_time(report.as_of), report.as_of.isoformat()])
    summary.note(["在途时限(小时)", _hours(report.in_transit_window)])
    summary.note(["总体结果", _overall(report.consistent)])
    summary.note(["差异笔数", len(report.breaks)])
    summary.note(["在途笔数", len(report.in_transit)])
    details = Sheet(BREAKS_SHEET, BREAK_HEADERS_ZH)
    details.rows(break_row(item) for item in all_items(report))
    return [summary, details]


def render_xlsx(report: IndicatorReport | PaymentReport) -> bytes:
    if isinstance(report, PaymentReport):
        return workbook_bytes(_payment_sheets(report))
    return workbook_bytes(_indicator_sheets(report))
