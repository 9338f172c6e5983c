"""One statement reconciliation run (凭证对账) on the 对账报告 page: its scope (division / VtCode / day), each
statement with what it declares and what its details add up to, and the breaks (statement amount against
what the gateway holds), each linking to its persistent break."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.reconcile.report.statements import STATEMENT_FIELD_LABELS_ZH
from gateway.reconcile.statements.report import SOURCE_LABELS_ZH, STATEMENT_BREAK_TYPES
from gateway.services.reconciliation import statements
from gateway.services.reconciliation.runs import RunSummary
from gateway.web.auth import SignedIn
from gateway.web.site import WebContext

STATEMENT_TYPES = {t.value: t.label_zh for t in STATEMENT_BREAK_TYPES}


def render_statement_run(
    ctx: WebContext,
    request: Request,
    person: SignedIn,
    run: RunSummary,
    body: Mapping[str, Any] | None,
    downloads: Mapping[str, str],
) -> Response:
    found: list[dict[str, Any]] = []
    listed: list[Mapping[str, Any]] = []
    if body is not None:
        scope = statements.scope_of(run.scope)
        found = [{**b, "break_key": statements.break_key(scope, b["key"])} for b in body.get("breaks", [])]
        listed = list(body.get("statements", []))
    return ctx.render(
        request,
        "statement_run.html",
        person=person,
        active="runs",
        run=run,
        s=run.summary or {},
        found=found,
        listed=listed,
        types=STATEMENT_TYPES,
        field_labels=STATEMENT_FIELD_LABELS_ZH,
        sources=SOURCE_LABELS_ZH,
        downloads=downloads if body is not None else {},
        notice=request.query_params.get("notice") == "run",
    )
