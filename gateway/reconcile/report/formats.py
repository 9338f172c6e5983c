"""Report format registry: ``json``, ``csv``, ``xlsx``, ``html`` → renderer."""

from __future__ import annotations

from collections.abc import Callable

from gateway.reconcile.errors import ReportFormatError
from gateway.reconcile.indicators.report import IndicatorReport
from gateway.reconcile.payments.report import PaymentReport
from gateway.reconcile.report.csv import render_csv
from gateway.reconcile.report.html import render_html
from gateway.reconcile.report.json import render_json
from gateway.reconcile.report.xlsx import render_xlsx

AnyReport = IndicatorReport | PaymentReport
Renderer = Callable[[AnyReport], bytes]

RENDERERS: dict[str, Renderer] = {
    "json": render_json,
    "csv": render_csv,
    "xlsx": render_xlsx,
    "html": render_html,
}
BINARY_FORMATS = frozenset({"xlsx"})


def render_report(report: AnyReport, fmt: str) -> bytes:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ReportFormatError(f"unknown report format {fmt!r} (choose {', '.join(RENDERERS)})") from None
    return renderer(report)
