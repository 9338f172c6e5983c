"""报文追踪: search messages, one message's lifecycle and business chain, and its signed original."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.services import browse, trace
from gateway.services.browse import Page
from gateway.services.errors import BadRequest
from gateway.web import forms, labels
from gateway.web.forms import FormInvalid
from gateway.web.sections import Section
from gateway.web.site import WebContext, parse_day, parse_page, path_id

SECTION = Section(key="trace", title="报文追踪", path="/messages", order=40)

CONTENT_TYPES = {
    "mof.json": ("application/json", "json"),
    "mof.xml": ("application/xml", "xml"),
    "evoucher": ("application/xml", "xml"),
    "cfx": ("application/xml", "xml"),
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
"""Wire format → content type and file extension of the downloaded original. No charset is added: the bytes
are the sender's, and the XML formats declare their own encoding (GBK for evoucher and CFX)."""

FILTERS = ("message_id", "bgt_id", "voucher_no", "party", "type", "from", "to")
FIELD_NAMES = {
    "message_id": "报文编号",
    "bgt_id": "指标 ID",
    "voucher_no": "支付凭证号",
    "party": "参与方",
    "type": "报文类型",
    "from": "起始日期",
    "to": "截止日期",
    "sender": "发送方",
}
"""The search fields' Chinese names, for their validation messages."""
_SAFE_NAME = re.compile(r"[^0-9A-Za-z._-]")


def _text(request: Request, name: str, limit: int = 128) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > limit:
        raise BadRequest(forms.message("too_long", field=FIELD_NAMES.get(name, name), limit=limit))
    return value


def criteria_from(request: Request) -> tuple[browse.MessageCriteria, dict[str, str]]:
    """The search criteria; a bad field raises :class:`FormInvalid` naming it (the form comes back)."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in FILTERS:
        try:
            values[name] = _text(request, name)
        except BadRequest as exc:
            values[name] = request.query_params.get(name, "")[:128]
            errors[name] = exc.detail
    if values["type"] and values["type"] not in labels.MESSAGE_TYPES:
        errors["type"] = f"未知的报文类型 {values['type'][:32]}"
    days = {}
    for name, field in (("from", "起始日期"), ("to", "截止日期")):
        try:
            days[name] = parse_day(values[name], field)
        except BadRequest as exc:
            days[name] = None
            errors[name] = exc.detail
    if errors:
        raise FormInvalid(errors, values)
    end = days["to"]
    criteria = browse.MessageCriteria(
        message_id=values["message_id"] or None,
        bgt_id=values["bgt_id"][:64] or None,
        voucher_no=values["voucher_no"][:64] or None,
        party=values["party"] or None,
        msg_type=values["type"] or None,
        received_from=days["from"],
        received_to=None if end is None else end + timedelta(days=1),
    )
    return criteria, values


def traced_chain(ctx: WebContext, values: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    """A search by one business key (a break's 报文追踪 link) shows that key's whole chain above the
    messages: ``(key, trace)``; ``None`` for any other search."""
    keys = [k for k in trace.TRACE_KEYS if values[k]]
    if len(keys) != 1:
        return None
    key = keys[0]
    value = values[key][:64]
    if not value.isprintable():
        return None
    return key, trace.trace(ctx.gateway, None, key, value)


def routes(ctx: WebContext) -> list[BaseRoute]:
    def search(request: Request) -> Response:
        person = ctx.require(request)
        try:
            criteria, values = criteria_from(request)
        except FormInvalid as exc:  # the search comes back as typed, each message by its field
            return ctx.render(
                request,
                "messages.html",
                person=person,
                active=SECTION.key,
                status=400,
                page=Page([], 1, False),
                values=exc.values,
                query={},
                traced=None,
                form_errors=exc.errors,
            )
        page = browse.search_messages(ctx.gateway, criteria, parse_page(request.query_params.get("page")))
        query = {k: v for k, v in values.items() if v}
        return ctx.render(
            request,
            "messages.html",
            person=person,
            active=SECTION.key,
            page=page,
            values=values,
            query=query,
            traced=traced_chain(ctx, values),
            form_errors={},
        )

    def find(request: Request) -> Response:
        ctx.require(request)
        sender = _text(request, "sender", 32)
        message_id = _text(request, "message_id")
        if not sender or not message_id:
            raise BadRequest("需要发送方与报文编号")
        return ctx.redirect(request, f"/messages/{browse.find_message(ctx.gateway, sender, message_id)}")

    def message(request: Request) -> Response:
        person = ctx.require(request)
        view = browse.message_view(ctx.gateway, path_id(request, "pk"))
        return ctx.render(
            request,
            "message.html",
            person=person,
            active=SECTION.key,
            view=view,
            steps=labels.LIFECYCLE_STEPS,
        )

    def original(request: Request) -> Response:
        ctx.require(request)
        found = browse.original(ctx.gateway, path_id(request, "pk"))
        media_type, extension = CONTENT_TYPES.get(found.format, ("application/octet-stream", "bin"))
        name = _SAFE_NAME.sub("_", f"{found.sender}_{found.message_id}")[:150]
        return Response(
            found.body,
            headers={
                "Content-Type": media_type,  # as is: Starlette would add "charset=utf-8" to text/*
                "Content-Disposition": f'attachment; filename="{name}.{extension}"',
            },
        )

    return [
        Route("/messages", search, methods=["GET"], name="messages"),
        Route("/messages/find", find, methods=["GET"], name="message_find"),
        Route("/messages/{pk:int}", message, methods=["GET"], name="message"),
        Route("/messages/{pk:int}/original", original, methods=["GET"], name="message_original"),
    ]
