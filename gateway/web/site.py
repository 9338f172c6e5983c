"""What every page shares: the templates, the session codec, the registered sections, the signed-in person,
HTML error pages and the security headers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.bootstrap import Gateway
from gateway.errors import StoreError, ValueNotStorable
from gateway.services.errors import BadRequest, Forbidden, InvalidText, NotFound, ServiceError
from gateway.services.text import storable_pairs
from gateway.web import chains, display, labels
from gateway.web.auth import (
    SESSION_COOKIE,
    CsrfFailed,
    NeedsOps,
    NeedsSignIn,
    SessionCodec,
    SignedIn,
    check_csrf,
    read_form,
    signed_in,
)
from gateway.web.sections import Section

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

BEIJING = display.BEIJING
"""Pages show times in 北京时间 (Asia/Shanghai, UTC+8; :mod:`gateway.web.display`); the store keeps UTC."""


def beijing(value: datetime | str | None, seconds: bool = True) -> str:
    """A time as plain text in 北京时间 (for text built in Python; templates use the ``bjt`` filter)."""
    return display.beijing_text(value, seconds)


def parse_day(text: str, field: str) -> datetime | None:
    """``YYYY-MM-DD`` (北京时间) → the day's first instant, as aware UTC; empty → ``None``."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{field}：日期格式应为 YYYY-MM-DD") from None
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING).astimezone(UTC)


def parse_moment(text: str, field: str) -> datetime:
    """``YYYY-MM-DD[ T]HH:MM[:SS]`` (北京时间 unless a zone is given) → aware UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{field}：时间格式应为 YYYY-MM-DD HH:MM[:SS]") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC)


_PERSON = "fiscalgw.person"
"""Request scope key of the signed-in person (``None`` once looked up and not signed in)."""

MAX_ID = 2**63 - 1
"""Row ids are BIGINT: a larger number in a path is no row (and must not reach the database driver)."""


def path_id(request: Request, name: str) -> int:
    value = int(request.path_params[name])
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"编号 {value} 不存在")
    return value


def parse_page(text: str | None) -> int:
    if not text:
        return 1
    if not text.isdigit():
        raise BadRequest("页码必须是正整数")
    return int(text)


def _environment(gateway: Gateway) -> jinja2.Environment:
    names = {party.id: party.name for party in gateway.registry}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bjt"] = display.beijing_markup
    env.filters["money"] = display.money
    env.filters["division_label"] = lambda code: display.division_label(gateway.registry, code)
    env.globals["chain_rows"] = chains.chain_rows
    env.globals["trace_query"] = chains.trace_query
    env.filters["type_label"] = lambda code: labels.label(labels.MESSAGE_TYPES, code)
    env.filters["life_label"] = lambda code: labels.label(labels.LIFECYCLE, code)
    env.filters["state_label"] = lambda code: labels.label(labels.QUEUE_STATES, code)
    env.filters["channel_label"] = lambda code: labels.label(labels.CHANNELS, code)
    env.filters["format_label"] = lambda code: labels.label(labels.FORMATS, code)
    env.filters["action_label"] = lambda code: labels.label(labels.AUDIT_ACTIONS, code)
    env.filters["result_label"] = lambda code: labels.label(labels.RECORD_RESULTS, code)
    env.filters["audit_subject"] = lambda subject: labels.audit_subject(subject, names)
    env.filters["audit_detail"] = lambda detail: labels.audit_detail(detail, beijing)
    env.filters["party"] = lambda party_id: names.get(party_id, party_id)
    env.filters["dict_merge"] = lambda base, **more: {**base, **{k: str(v) for k, v in more.items()}}
    env.globals["labels"] = labels
    env.globals["parties"] = tuple(gateway.registry)
    return env


@dataclass
class WebContext:
    gateway: Gateway
    sessions: SessionCodec
    sections: tuple[Section, ...]
    env: jinja2.Environment

    @classmethod
    def create(cls, gateway: Gateway, sections: tuple[Section, ...]) -> WebContext:
        return cls(gateway, SessionCodec.from_settings(gateway.settings), sections, _environment(gateway))

    def now(self) -> float:
        """Session clock: wall time (sessions expire in real time, whatever the gateway's business clock)."""
        return time.time()

    # ---- who is asking ------------------------------------------------------------------------------

    def person(self, request: Request) -> SignedIn | None:
        """The signed-in person, looked up once per request (:class:`SessionResolver` does it off the event
        loop; a sync page that runs before it, or after a failed look-up, asks the database itself)."""
        if _PERSON in request.scope:
            found: SignedIn | None = request.scope[_PERSON]
            return found
        who = signed_in(request, self.sessions, self.gateway.settings, self.now(), self._live)
        request.scope[_PERSON] = who
        return who

    def known_person(self, request: Request) -> SignedIn | None:
        """The person already looked up for this request, without asking the database (error pages, which
        must render even when the database is away)."""
        found: SignedIn | None = request.scope.get(_PERSON)
        return found

    def _live(self, digest: str) -> bool:
        with self.gateway.database.read_unit_of_work() as uow:
            return uow.sessions.live(digest, self.session_moment()) is not None

    def session_moment(self) -> datetime:
        """The session clock (:meth:`now`) as an aware UTC datetime, for the ``web_sessions`` rows."""
        return datetime.fromtimestamp(self.now(), UTC)

    def require(self, request: Request, *, ops: bool = False) -> SignedIn:
        """The signed-in person (and ops, if asked); first, no path or query value may hold U+0000 or a lone
        surrogate (``invalid_text``, the API's rule) — every page asks for the person before its inputs."""
        storable_pairs(request.path_params.items(), "path segment")
        storable_pairs(request.query_params.multi_items(), "query parameter")
        person = self.person(request)
        if person is None:
            raise NeedsSignIn()
        if ops and not person.can_act:
            raise NeedsOps()
        return person

    async def action_form(self, request: Request) -> tuple[SignedIn, dict[str, str]]:
        """A state-changing POST by ops: session, role, then the form's CSRF token."""
        person = self.require(request, ops=True)
        form = await read_form(request)
        check_csrf(person.csrf, form)
        return person, form

    # ---- answers ------------------------------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        *,
        person: SignedIn | None,
        active: str | None = None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        root = str(request.scope.get("root_path", ""))
        html = self.env.get_template(template).render(
            root=root,
            person=person,
            sections=self.sections,
            active=active,
            gateway_name=self.gateway.settings.gateway.name,
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, request: Request, path: str, query: Mapping[str, str] | None = None) -> Response:
        root = str(request.scope.get("root_path", ""))
        suffix = f"?{urlencode(dict(query))}" if query else ""
        return RedirectResponse(f"{root}{path}{suffix}", status_code=303)

    def error_page(self, request: Request, status: int, title: str, detail: str) -> Response:
        return self.render(
            request,
            "error.html",
            person=self.known_person(request),
            status=status,
            title=title,
            detail=detail,
        )

    # ---- exception handlers (installed on the web sub-application) ----------------------------------

    def handlers(self) -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
        async def needs_sign_in(request: Request, _exc: Exception) -> Response:
            if request.method == "GET":
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return self.redirect(request, "/login", {"next": target})
            return self.error_page(request, 401, "请先登录", "会话已失效或尚未登录，请重新登录后再操作。")

        async def needs_ops(request: Request, _exc: Exception) -> Response:
            return self.error_page(
                request,
                403,
                "无权操作",
                "当前账号为只读 (viewer) 角色；重试、取消、重放等操作需要运维 (ops) 角色。",
            )

        async def csrf_failed(request: Request, _exc: Exception) -> Response:
            return self.error_page(
                request,
                403,
                "表单校验失败 (CSRF)",
                "表单缺少有效的防伪令牌，可能已过期或来自其他网站。操作未执行；请返回页面刷新后重试。",
            )

        async def service_error(request: Request, exc: Exception) -> Response:
            status, title = 400, "请求有误"
            if isinstance(exc, NotFound):
                status, title = 404, "未找到"
            elif isinstance(exc, Forbidden):
                status, title = 403, "无权访问"
            elif not isinstance(exc, BadRequest):
                status, title = 409, "操作未完成"
            detail = exc.detail if isinstance(exc, ServiceError) else str(exc)
            if isinstance(exc, InvalidText):
                detail = "输入中含有无法保存的字符 (U+0000 空字符或孤立的代理码点)；未做任何更改。"
            return self.error_page(request, status, title, detail)

        async def store_unavailable(request: Request, _exc: Exception) -> Response:
            return self.error_page(
                request, 503, "数据库暂不可用", "请稍后重试；若持续出现，请查看网关日志与 /readyz。"
            )

        async def value_refused(request: Request, _exc: Exception) -> Response:
            detail = "输入中有数据库无法保存的值 (数值超出范围或含非法字符)；未做任何更改。"
            return self.error_page(request, 400, "请求有误", detail)

        async def not_found(request: Request, exc: Exception) -> Response:
            status = int(getattr(exc, "status_code", 404))
            title = "页面不存在" if status == 404 else "请求有误"
            return self.error_page(request, status, title, f"{request.url.path}")

        return {
            NeedsSignIn: needs_sign_in,
            NeedsOps: needs_ops,
            CsrfFailed: csrf_failed,
            ServiceError: service_error,
            StoreError: store_unavailable,
            ValueNotStorable: value_refused,
            404: not_found,
            405: not_found,
        }


class SessionResolver:
    """Pure ASGI middleware: looks the session up (one primary-key read of ``web_sessions``) in the thread
    pool before the page runs, so async pages and error handlers never query on the event loop. A failed
    look-up is left to the page, whose own attempt raises inside the exception handlers (a 503 page)."""

    def __init__(self, app: ASGIApp, ctx: WebContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            if SESSION_COOKIE in request.cookies:
                try:
                    await run_in_threadpool(self.ctx.person, request)
                except StoreError:
                    scope.pop(_PERSON, None)
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Pure ASGI middleware: no caching, no framing, no third-party anything (CSP: same origin only)."""

    HEADERS = (
        (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.HEADERS if h[0] not in names)
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
