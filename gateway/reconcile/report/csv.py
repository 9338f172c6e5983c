"""The CSV reports: UTF-8 with BOM (so Excel shows Chinese), one row per break (indicators: and
in-transit item), Chinese headers. The per-pair / per-group summary lives in the JSON, XLSX and HTML
reports.

Text cells that start like a formula are neutralised with a leading ``'``; the cells of id columns
(region and bank codes, BGT_IDs, 指标文号, voucher numbers) otherwise get a leading TAB so that Excel keeps
them as text instead of ``3.30325E+19``; :func:`gateway.reconcile.report.cells.csv_text` reads a cell back
(:mod:`gateway.reconcile.report.cells`). Amounts are plain two-decimal numbers, dates ``yyyy-mm-dd``."""

from __future__ import annotations

import codecs
import csv
import io

from gateway.reconcile.indicators.report import IndicatorReport
from gateway.reconcile.payments.report import PaymentReport
from gateway.reconcile.report.cells import csv_row
from gateway.reconcile.report.rows import (
    BREAK_HEADERS_ZH,
    PAYMENT_BREAK_HEADERS_ZH,
    all_items,
    break_row,
    id_columns,
    payment_break_row,
)


def render_csv(report: IndicatorReport | PaymentReport) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(report, PaymentReport):
        ids = id_columns(PAYMENT_BREAK_HEADERS_ZH)
        writer.writerow(PAYMENT_BREAK_HEADERS_ZH)
        for payment in report.breaks:
            writer.writerow(csv_row(payment_break_row(payment), ids))
    else:
        ids = id_columns(BREAK_HEADERS_ZH)
        writer.writerow(BREAK_HEADERS_ZH)
        for item in all_items(report):
            writer.writerow(csv_row(break_row(item), ids))
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
