"""One payment reconciliation run (支付对账) on the 对账报告 page: its scope (division / agency bank / day),
the totals of finance's vouchers, the bank's 回单 and refunds and the PBOC's clearing per group, and the
breaks with their voucher numbers and amounts, each linking to its persistent break."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.reconcile.payments.report import PAYMENT_BREAK_TYPES
from gateway.services.reconciliation import payments
from gateway.services.reconciliation.runs import RunSummary
from gateway.web import recon_common
from gateway.web.auth import SignedIn
from gateway.web.site import WebContext

PAYMENT_TYPES = {t.value: t.label_zh for t in PAYMENT_BREAK_TYPES}


def render_payment_run(
    ctx: WebContext,
    request: Request,
    person: SignedIn,
    run: RunSummary,
    body: Mapping[str, Any] | None,
    downloads: Mapping[str, str],
) -> Response:
    found: list[dict[str, Any]] = []
    groups: list[Mapping[str, Any]] = []
    if body is not None:
        scope = payments.scope_of(run.scope)
        found = [{**b, "break_key": payments.break_key(scope, b["key"])} for b in body.get("breaks", [])]
        groups = list(body.get("groups", []))
    return ctx.render(
        request,
        "payment_run.html",
        person=person,
        active="runs",
        run=run,
        s=run.summary or {},
        found=found,
        groups=groups,
        types=PAYMENT_TYPES,
        field_labels=recon_common.PAYMENT_FIELDS,
        downloads=downloads if body is not None else {},
        notice=request.query_params.get("notice") == "run",
    )
