"""对账报告: the runs of each pair, one run's summary and breaks with its report downloads (CSV, XLSX,
JSON), and "立即对账" (run now) for ops — a POST with the session's CSRF token; the run service writes
the audit entry with the run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.services import report_cache
from gateway.services.browse import MAX_PAGE, Page
from gateway.services.errors import BadRequest, Conflict, NotFound
from gateway.services.reconciliation import payments, statements
from gateway.services.reconciliation import runs as run_service
from gateway.services.reconciliation.indicators import stable_key
from gateway.services.reconciliation.runs import ReconciliationFailed
from gateway.web import forms, recon_common
from gateway.web.auth import SignedIn
from gateway.web.forms import FormInvalid
from gateway.web.pages_payment_run import render_payment_run
from gateway.web.pages_statement_run import render_statement_run
from gateway.web.sections import Section
from gateway.web.site import WebContext, parse_page, path_id

SECTION = Section(key="runs", title="对账报告", path="/runs", order=30)
PAGE_SIZE = 50
DOWNLOADS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}
TRIGGER = "web"
KINDS = {"": "全部", **recon_common.KINDS}
RUN_PAGES = {
    payments.NAME: render_payment_run,  # 支付对账: division / bank / day
    statements.NAME: render_statement_run,  # 凭证对账: division / VtCode / day
}
"""The run page of each kind whose report is not an indicator report."""


def routes(ctx: WebContext) -> list[BaseRoute]:
    recon_common.install(ctx.env)

    def runs(request: Request) -> Response:
        return render_runs(request, ctx.require(request))

    def render_runs(
        request: Request,
        person: SignedIn,
        *,
        status: int = 200,
        form_errors: Mapping[str, str] | None = None,
        form_values: Mapping[str, str] | None = None,
    ) -> Response:
        """The run list with its filters and the two run-now forms; a run-now form that failed validation
        comes back with ``form_errors`` next to its fields and ``form_values`` as typed."""
        pair = recon_common.parse_pair(request.query_params.get("pair", "")[:64])
        kind = request.query_params.get("kind", "")[:16]
        if kind not in KINDS:
            raise BadRequest(f"类别应为 {' / '.join(recon_common.KINDS.values())} 之一")
        if pair is not None:
            kind = recon_common.KIND  # a pair is an indicator scope
        number = parse_page(request.query_params.get("page"))
        if number > MAX_PAGE:
            raise BadRequest(f"页码应在 1 到 {MAX_PAGE} 之间")
        found = run_service.list_runs(
            ctx.gateway,
            kind=kind or None,
            upper=None if pair is None else pair.upper,
            lower=None if pair is None else pair.lower,
            fiscal_year=None if pair is None else pair.fiscal_year,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        page = Page(found.items, number, found.offset + len(found.items) < found.total)
        return ctx.render(
            request,
            "runs.html",
            person=person,
            active=SECTION.key,
            status=status,
            page=page,
            total=found.total,
            pair=pair,
            kind=kind,
            kinds=KINDS,
            payment_kind=payments.NAME,
            pairs=recon_common.known_pairs(ctx.gateway),
            query={k: v for k, v in (("pair", pair.key if pair else ""), ("kind", kind)) if v},
            form_errors=dict(form_errors or {}),
            form_values=dict(form_values or {}),
        )

    def run(request: Request) -> Response:
        person = ctx.require(request)
        run_id = path_id(request, "run_id")
        try:
            summary, body = run_service.get_run(ctx.gateway, run_id)
        except NotFound:
            raise NotFound(f"对账 #{run_id} 不存在") from None
        page = RUN_PAGES.get(summary.kind)  # a kind with a page of its own; indicators below
        if page is not None:
            return page(ctx, request, person, summary, body, DOWNLOADS)
        found: list[dict[str, Any]] = []
        in_transit: list[dict[str, Any]] = []
        if body is not None:
            found = [
                {
                    **b,
                    "break_key": stable_key(summary.kind, b["key"]),
                    "difference": recon_common.shown_difference(
                        b.get("difference"), b.get("upper_amount"), b.get("lower_amount")
                    ),
                }
                for b in body.get("breaks", [])
            ]
            in_transit = list(body.get("in_transit", []))
        scope = summary.scope
        return ctx.render(
            request,
            "run.html",
            person=person,
            active=SECTION.key,
            run=summary,
            s=summary.summary or {},
            pair_key=f"{scope.get('upper')}|{scope.get('lower')}|{scope.get('fiscal_year')}",
            found=found,
            in_transit=in_transit,
            downloads=DOWNLOADS if body is not None else {},
            notice=request.query_params.get("notice") == "run",
            field_labels=recon_common.FIELDS,
        )

    def download(request: Request) -> Response:
        ctx.require(request)
        run_id = path_id(request, "run_id")
        fmt = str(request.path_params["fmt"])
        if fmt not in DOWNLOADS:
            raise NotFound(f"不支持的报告格式 {fmt[:16]}")
        try:
            content, media_type, name = report_cache.report_file(ctx.gateway, run_id, fmt)
        except NotFound:
            raise NotFound(f"对账 #{run_id} 不存在或没有报告（未完成或失败）") from None
        return Response(
            content,
            headers={"Content-Type": media_type, "Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def run_now(request: Request) -> Response:
        person, form = await ctx.action_form(request)
        try:
            if form.get("kind", "") == payments.NAME:
                return await run_payments_now(request, person.actor, form)
            return await run_pair_now(request, person.actor, form)
        except FormInvalid as exc:
            values = {k: v[:64] for k, v in form.items() if k != "csrf"}
            return render_runs(request, person, status=400, form_errors=exc.errors, form_values=values)

    async def run_pair_now(request: Request, actor: str, form: dict[str, str]) -> Response:
        try:
            pair = recon_common.parse_pair(form.get("pair", "")[:64])
        except BadRequest as exc:
            raise FormInvalid({"pair": exc.detail}) from None
        if pair is None:
            raise FormInvalid({"pair": forms.message("choose", field="对账对")})
        try:
            done = await run_in_threadpool(
                lambda: run_service.run_now(
                    ctx.gateway,
                    kind=recon_common.KIND,
                    upper=pair.upper,
                    lower=pair.lower,
                    fiscal_year=pair.fiscal_year,
                    actor=actor,
                    trigger=TRIGGER,
                )
            )
        except ReconciliationFailed as exc:
            raise Conflict(f"对账失败（已记录并审计）：{exc}") from None
        return ctx.redirect(request, f"/runs/{done.id}", {"notice": "run"})

    async def run_payments_now(request: Request, actor: str, form: dict[str, str]) -> Response:
        check = forms.FormCheck()
        adm_div_code = check.adm_div_code("adm_div_code", form.get("adm_div_code", "").strip())
        day = check.day("day", form.get("day", "").strip(), "对账日期")
        bank = check.bank("pay_bank_code", form.get("pay_bank_code", "").strip())
        check.done()
        assert day is not None
        try:
            done = await run_in_threadpool(
                lambda: run_service.run_now(
                    ctx.gateway,
                    kind=payments.NAME,
                    adm_div_code=adm_div_code,
                    day=day.isoformat(),
                    pay_bank_code=bank,
                    actor=actor,
                    trigger=TRIGGER,
                )
            )
        except ReconciliationFailed as exc:
            raise Conflict(f"对账失败（已记录并审计）：{exc}") from None
        return ctx.redirect(request, f"/runs/{done.id}", {"notice": "run"})

    return [
        Route("/runs", runs, methods=["GET"], name="runs"),
        Route("/runs", run_now, methods=["POST"], name="run_now"),
        Route("/runs/{run_id:int}", run, methods=["GET"], name="run"),
        Route("/runs/{run_id:int}/report.{fmt}", download, methods=["GET"], name="run_report"),
    ]
