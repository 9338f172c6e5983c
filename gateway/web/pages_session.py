"""Sign-in (``/login``), sign-out (``/logout``), the web root and the local static files."""

from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from gateway import audit
from gateway.services import people
from gateway.services.errors import Unauthenticated
from gateway.web.auth import (
    LOGIN_COOKIE,
    LOGIN_MAX_AGE,
    SESSION_COOKIE,
    check_csrf,
    login_csrf,
    new_session_id,
    read_form,
    session_digest,
    session_id_of,
    session_value,
)
from gateway.web.site import STATIC, WebContext

STATIC_FILES = frozenset(p.name for p in STATIC.iterdir() if p.is_file())


def _safe_next(target: str | None, root: str) -> str | None:
    """Only a path inside the web pages (no scheme, no host, no ``//``) may follow sign-in."""
    if not target or not target.startswith(f"{root}/") or target.startswith("//") or "\\" in target:
        return None
    return target


def routes(ctx: WebContext) -> list[BaseRoute]:
    secure = ctx.gateway.settings.secure_cookies

    def _cookie(response: Response, name: str, value: str, max_age: int, request: Request) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=str(request.scope.get("root_path", "")) or "/",
            httponly=True,
            samesite="strict",
            secure=secure,
        )

    def _drop_cookie(response: Response, name: str, request: Request) -> None:
        path = str(request.scope.get("root_path", "")) or "/"
        response.delete_cookie(name, path=path, httponly=True, samesite="strict", secure=secure)

    def login_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        root = str(request.scope.get("root_path", ""))
        response = ctx.render(
            request,
            "login.html",
            person=None,
            status=status,
            csrf=token,
            error=error,
            next=_safe_next(request.query_params.get("next"), root) or "",
        )
        _cookie(
            response,
            LOGIN_COOKIE,
            ctx.sessions.dumps("login", {"c": token, "t": ctx.now()}),
            LOGIN_MAX_AGE,
            request,
        )
        return response

    def show_login(request: Request) -> Response:
        if ctx.person(request) is not None:
            return ctx.redirect(request, "/")
        return login_page(request)

    async def do_login(request: Request) -> Response:
        form = await read_form(request)
        check_csrf(login_csrf(request, ctx.sessions, ctx.now()), form)
        try:
            person = people.person_for(ctx.gateway, f"Bearer {form.get('token', '')}", need="viewer")
        except Unauthenticated:
            return login_page(request, error="令牌无效，请检查后重试。", status=401)

        session_id = new_session_id()

        def record() -> None:
            gw = ctx.gateway
            moment = ctx.session_moment()
            with gw.database.unit_of_work() as uow:
                uow.sessions.purge_expired(moment)
                uow.sessions.add(
                    session_digest(session_id),
                    person.name,
                    person.role,
                    moment,
                    moment + timedelta(seconds=ctx.sessions.max_age),
                )
                audit.append(
                    uow.audit,
                    actor=f"{person.role}:{person.name}",
                    action="web.sign_in",
                    subject="web",
                    at=gw.clock(),
                )
                uow.commit()

        await run_in_threadpool(record)
        root = str(request.scope.get("root_path", ""))
        target = _safe_next(form.get("next"), root)
        response = ctx.redirect(request, target[len(root) :] if target else "/")
        _cookie(
            response,
            SESSION_COOKIE,
            session_value(ctx.sessions, person, ctx.now(), session_id),
            ctx.sessions.max_age,
            request,
        )
        _drop_cookie(response, LOGIN_COOKIE, request)
        return response

    async def do_logout(request: Request) -> Response:
        person = ctx.require(request)
        check_csrf(person.csrf, await read_form(request))
        session_id = session_id_of(request, ctx.sessions, ctx.now())

        def end() -> None:  # on the server: a copy of the cookie is refused from now on, by every process
            gw = ctx.gateway
            with gw.database.unit_of_work() as uow:
                if session_id is not None and uow.sessions.end(session_digest(session_id)):
                    audit.append(
                        uow.audit, actor=person.actor, action="web.sign_out", subject="web", at=gw.clock()
                    )
                uow.commit()

        await run_in_threadpool(end)
        response = ctx.redirect(request, "/login")
        _drop_cookie(response, SESSION_COOKIE, request)
        return response

    def home(request: Request) -> Response:
        ctx.require(request)
        first = ctx.sections[0].path if ctx.sections else "/login"
        return ctx.redirect(request, first)

    def static(request: Request) -> Response:
        name = str(request.path_params["name"])
        if name not in STATIC_FILES:
            return ctx.error_page(request, 404, "页面不存在", request.url.path)
        return FileResponse(STATIC / name, headers={"Cache-Control": "public, max-age=3600"})

    return [
        Route("/", home, methods=["GET"], name="home"),
        Route("/login", show_login, methods=["GET"], name="login"),
        Route("/login", do_login, methods=["POST"], name="login_post"),
        Route("/logout", do_logout, methods=["POST"], name="logout"),
        Route("/static/{name}", static, methods=["GET"], name="static"),
    ]
