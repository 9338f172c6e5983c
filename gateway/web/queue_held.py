"""投递队列 › 待审核凭证: vouchers held by the indicator control (ADR 0008), with the ops actions 放行
(release: checked again, then routed) and 退回 (refuse, a reason required). Like the queue's own actions,
each goes through a confirmation page (a GET that changes nothing) and a POST with the session's CSRF
token; the services (:mod:`gateway.services.control_review`) write the audit entry."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.rows import Spend
from gateway.services import control_review
from gateway.services.control_rules import CODES
from gateway.services.errors import BadRequest, NotFound
from gateway.web import forms
from gateway.web.auth import SignedIn
from gateway.web.site import WebContext, path_id
from schemas.money import format_fen

ACTIONS = {"release": "放行", "refuse": "退回"}
NOTICES = {
    "release": "已放行凭证 {no}，已进入投递队列（操作已记入审计日志）。",
    "refuse": "已退回凭证 {no}，不再投递（操作已记入审计日志）。",
}
MAX_COMMENT = 500


@dataclass(frozen=True)
class HeldRow:
    id: int
    voucher_no: str
    adm_div_code: str
    vt_code: str
    file_no_code: str
    amount: str
    reasons: tuple[str, ...]
    decided_at: object
    message_pk: int
    rule_version: int | None


def held_rows(ctx: WebContext) -> list[HeldRow]:
    return [_row(s) for s in control_review.held(ctx.gateway)]


def _row(s: Spend) -> HeldRow:
    reasons = tuple(CODES.get(c, c) for c in s.codes.split(",") if c)
    return HeldRow(
        s.id,
        s.voucher_no,
        s.adm_div_code,
        s.vt_code,
        s.file_no_code or "—",
        format_fen(s.amount_fen),
        reasons,
        s.decided_at,
        s.message_pk,
        s.rule_version,
    )


def routes(ctx: WebContext) -> list[BaseRoute]:
    def _one(spend_id: int) -> HeldRow:
        for row in held_rows(ctx):
            if row.id == spend_id:
                return row
        raise NotFound(f"凭证 #{spend_id} 不在待审核列表中（可能已被他人处理）")

    def render_confirm(
        request: Request,
        person: SignedIn,
        action: str,
        spend_id: int,
        errors: dict[str, str] | None = None,
        comment: str = "",
    ) -> Response:
        return ctx.render(
            request,
            "confirm_held.html",
            person=person,
            active="queue",
            status=400 if errors else 200,
            action=action,
            title=ACTIONS[action],
            row=_one(spend_id),
            form_errors=errors or {},
            comment=comment,
            max_comment=MAX_COMMENT,
        )

    def confirm(request: Request) -> Response:
        person = ctx.require(request, ops=True)
        action = str(request.path_params["action"])
        if action not in ACTIONS:
            raise BadRequest(f"未知操作 {action}")
        return render_confirm(request, person, action, path_id(request, "spend_id"))

    async def act(request: Request) -> Response:
        person, form = await ctx.action_form(request)
        action = str(request.path_params["action"])
        spend_id = path_id(request, "spend_id")
        if action not in ACTIONS:
            raise BadRequest(f"未知操作 {action}")
        comment = form.get("comment", "").strip()
        if action == "refuse" and not comment:
            errors = {"comment": forms.message("reason", action=ACTIONS[action])}
            return render_confirm(request, person, action, spend_id, errors)
        if len(comment) > MAX_COMMENT:
            errors = {"comment": forms.message("too_long", field="说明", limit=MAX_COMMENT)}
            return render_confirm(request, person, action, spend_id, errors, comment[:MAX_COMMENT])
        row = _one(spend_id)
        if action == "release":
            await run_in_threadpool(
                lambda: control_review.release(ctx.gateway, spend_id, person.actor, comment)
            )
        else:
            await run_in_threadpool(
                lambda: control_review.refuse(ctx.gateway, spend_id, person.actor, comment)
            )
        return ctx.redirect(request, "/queue", {"held_notice": action, "no": row.voucher_no})

    return [
        Route("/queue/held/{spend_id:int}/{action}", confirm, methods=["GET"], name="held_confirm"),
        Route("/queue/held/{spend_id:int}/{action}", act, methods=["POST"], name="held_act"),
    ]


def notice(request: Request) -> str | None:
    code = request.query_params.get("held_notice", "")
    if code not in NOTICES:
        return None
    return NOTICES[code].format(no=request.query_params.get("no", "?")[:64])
