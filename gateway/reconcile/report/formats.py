"""Report format registry: ``json``, ``csv``, ``xlsx``, ``html`` → renderer, per report type.

:data:`RENDERERS` renders indicator and payment reports; a kind with a report type of its own registers its
renderers in :data:`RENDERERS_BY_REPORT` (the statement kind: :mod:`gateway.reconcile.report.statements`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gateway.reconcile.errors import ReportFormatError
from gateway.reconcile.indicators.report import IndicatorReport
from gateway.reconcile.payments.report import PaymentReport
from gateway.reconcile.report.csv import render_csv
from gateway.reconcile.report.html import render_html
from gateway.reconcile.report.json import render_json
from gateway.reconcile.report.statements import STATEMENT_RENDERERS
from gateway.reconcile.report.xlsx import render_xlsx
from gateway.reconcile.statements.report import StatementReport

AnyReport = IndicatorReport | PaymentReport | StatementReport
Renderer = Callable[[IndicatorReport | PaymentReport], bytes]

RENDERERS: dict[str, Renderer] = {
    "json": render_json,
    "csv": render_csv,
    "xlsx": render_xlsx,
    "html": render_html,
}
RENDERERS_BY_REPORT: dict[type[Any], Mapping[str, Callable[[Any], bytes]]] = {
    StatementReport: STATEMENT_RENDERERS,
}
BINARY_FORMATS = frozenset({"xlsx"})


def render_report(report: AnyReport, fmt: str) -> bytes:
    table: Mapping[str, Callable[[Any], bytes]] = RENDERERS_BY_REPORT.get(type(report), RENDERERS)
    try:
        renderer = table[fmt]
    except KeyError:
        raise ReportFormatError(f"unknown report format {fmt!r} (choose {', '.join(table)})") from None
    return renderer(report)
