"""投递队列: undelivered rows per receiver, and the ops actions retry / cancel / replay-since-T.

Every action goes through a confirmation page (a GET that changes nothing) and then a POST carrying the
session's CSRF token; the POST is refused for viewers whatever the page showed. The actions are the services
the API calls (:mod:`gateway.services.ops`), which write the audit entry in the same transaction.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.services import browse, ops
from gateway.services.errors import BadRequest, NotFound
from gateway.web import forms, labels, queue_held
from gateway.web.auth import SignedIn
from gateway.web.sections import Section
from gateway.web.site import WebContext, beijing, parse_moment, parse_page, path_id

SECTION = Section(key="queue", title="投递队列", path="/queue", order=50)

ACTIONS = {"retry": "重试投递", "cancel": "取消投递"}
ALLOWED_FROM = {"retry": ("dead", "cancelled"), "cancel": ("pending", "retrying", "dead")}
NOTICES = {
    "retry": "已将投递 #{id} 重新排队（操作已记入审计日志）。",
    "cancel": "已取消投递 #{id}（操作已记入审计日志）。",
    "replay": "已重新排队 {n} 条投递（操作已记入审计日志）。",
}


def _receiver(ctx: WebContext, text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if text not in {p.id for p in ctx.gateway.registry}:
        raise BadRequest(f"未登记的接收方 {text}")
    return text


def routes(ctx: WebContext) -> list[BaseRoute]:
    def queue(request: Request) -> Response:
        return render_queue(request, ctx.require(request))

    def render_queue(
        request: Request,
        person: SignedIn,
        errors: dict[str, str] | None = None,
        typed: dict[str, str] | None = None,
    ) -> Response:
        """The queue; the replay form, when it failed validation, with its messages and values as typed."""
        params = request.query_params
        state = params.get("state", "dead") if errors is None else "dead"
        view = browse.queue_view(
            ctx.gateway,
            state,
            _receiver(ctx, params.get("receiver", "")) if errors is None else None,
            parse_page(params.get("page")) if errors is None else 1,
        )
        notice = None
        code = params.get("notice", "")
        if code in NOTICES:
            number, count = params.get("id", ""), params.get("n", "")
            notice = NOTICES[code].format(
                id=number if number.isdigit() else "?", n=count if count.isdigit() else "?"
            )
        return ctx.render(
            request,
            "queue.html",
            person=person,
            active=SECTION.key,
            status=400 if errors else 200,
            view=view,
            notice=notice,
            allowed=ALLOWED_FROM,
            form_errors=errors or {},
            typed=typed or {},
            held=queue_held.held_rows(ctx),
            held_notice=queue_held.notice(request),
        )

    def confirm(request: Request) -> Response:
        person = ctx.require(request, ops=True)
        action = str(request.path_params["action"])
        if action not in ACTIONS:
            raise BadRequest(f"未知操作 {action}")
        return render_confirm(request, person, action, path_id(request, "outbox_id"))

    def render_confirm(
        request: Request,
        person: SignedIn,
        action: str,
        outbox_id: int,
        errors: dict[str, str] | None = None,
        reason: str = "",
    ) -> Response:
        row = browse.delivery(ctx.gateway, outbox_id)
        if row.state not in ALLOWED_FROM[action]:
            state = labels.QUEUE_STATES.get(row.state, row.state)
            raise BadRequest(f"投递 #{row.id} 当前状态为「{state}」，不能{ACTIONS[action]}")
        return ctx.render(
            request,
            "confirm.html",
            person=person,
            active=SECTION.key,
            status=400 if errors else 200,
            action=action,
            title=ACTIONS[action],
            row=row,
            form_errors=errors or {},
            reason=reason,
            max_reason=ops.MAX_REASON,
        )

    async def act(request: Request) -> Response:
        person, form = await ctx.action_form(request)
        action = str(request.path_params["action"])
        outbox_id = path_id(request, "outbox_id")
        if action not in ACTIONS:
            raise BadRequest(f"未知操作 {action}")
        reason = form.get("reason", "").strip()
        if action == "cancel":  # like a break's 说明 / 解决: why, in the audit log
            if not reason:
                errors = {"reason": forms.message("reason", action=ACTIONS[action])}
            elif len(reason) > ops.MAX_REASON:
                errors = {"reason": forms.message("too_long", field="原因", limit=ops.MAX_REASON)}
            else:
                errors = {}
            if errors:
                return render_confirm(request, person, action, outbox_id, errors, reason[: ops.MAX_REASON])
        try:
            if action == "retry":
                await run_in_threadpool(lambda: ops.retry(ctx.gateway, outbox_id, actor=person.actor))
            else:
                await run_in_threadpool(
                    lambda: ops.cancel(ctx.gateway, outbox_id, actor=person.actor, reason=reason)
                )
        except NotFound:
            detail = f"投递 #{outbox_id} 不存在或当前状态不允许{ACTIONS[action]}（可能已被他人处理）"
            raise NotFound(f"{detail}；未做任何更改。") from None
        back = form.get("back_state", "dead")
        state = back if back in browse.QUEUE_STATES else "dead"
        return ctx.redirect(request, "/queue", {"state": state, "notice": action, "id": str(outbox_id)})

    def confirm_replay(request: Request) -> Response:
        person = ctx.require(request, ops=True)
        since_text = request.query_params.get("since", "").strip()[:64]
        receiver_text = request.query_params.get("receiver", "").strip()[:64]
        errors: dict[str, str] = {}
        since = None
        if not since_text:
            errors["since"] = forms.message("required", field="重放起始时间")
        else:
            try:
                since = parse_moment(since_text, "重放起始时间")
            except BadRequest as exc:
                errors["since"] = exc.detail
        try:
            receiver = _receiver(ctx, receiver_text)
        except BadRequest as exc:
            errors["receiver"] = exc.detail
        if errors or since is None:
            return render_queue(request, person, errors, {"since": since_text, "receiver": receiver_text})
        return ctx.render(
            request,
            "confirm_replay.html",
            person=person,
            active=SECTION.key,
            since=since,
            since_text=beijing(since),
            receiver=receiver,
            count=ops.replay_count(ctx.gateway, since, receiver=receiver),
        )

    async def replay(request: Request) -> Response:
        person, form = await ctx.action_form(request)
        since = parse_moment(form.get("since", ""), "重放起始时间")
        receiver = _receiver(ctx, form.get("receiver", ""))
        count = await run_in_threadpool(
            lambda: ops.replay_since(ctx.gateway, since, actor=person.actor, receiver=receiver)
        )
        return ctx.redirect(request, "/queue", {"state": "pending", "notice": "replay", "n": str(count)})

    return [
        Route("/queue", queue, methods=["GET"], name="queue"),
        Route("/queue/replay", confirm_replay, methods=["GET"], name="queue_replay_confirm"),
        Route("/queue/replay", replay, methods=["POST"], name="queue_replay"),
        Route("/queue/{outbox_id:int}/{action}", confirm, methods=["GET"], name="queue_confirm"),
        Route("/queue/{outbox_id:int}/{action}", act, methods=["POST"], name="queue_act"),
        *queue_held.routes(ctx),
    ]
