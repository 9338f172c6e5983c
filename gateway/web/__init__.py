"""The ops web pages (简体中文), served by the gateway under ``/ui``: server-rendered Jinja2 templates, local
CSS, no JavaScript build and nothing fetched from the internet.

Layout:

* :mod:`gateway.web.auth` — signed session cookie, CSRF tokens, the signed-in person;
* :mod:`gateway.web.site` — what every page shares (templates, error pages, security headers);
* one ``pages_*.py`` module per nav section, each with a ``SECTION`` (its nav entry) and ``routes(ctx)``.
  A new section (总览, 差异, 对账报告) adds its module to :data:`PAGE_MODULES`; the nav lists exactly the
  registered sections, in their ``order``.

The pages use Starlette directly (FastAPI stays under ``gateway/api``, which mounts this application) and call
the same services as the API.
"""

from __future__ import annotations

from types import ModuleType

from starlette.applications import Starlette
from starlette.middleware import Middleware

from gateway.bootstrap import Gateway
from gateway.web import (
    pages_breaks,
    pages_dashboard,
    pages_queue,
    pages_runs,
    pages_session,
    pages_trace,
    pages_tracking,
)
from gateway.web.sections import Section, ordered
from gateway.web.site import SecurityHeaders, SessionResolver, WebContext

MOUNT_PATH = "/ui"

PAGE_MODULES: tuple[ModuleType, ...] = (
    pages_dashboard,
    pages_breaks,
    pages_runs,
    pages_tracking,
    pages_trace,
    pages_queue,
)
"""Section page modules: each has ``SECTION: Section`` and ``routes(ctx) -> list[BaseRoute]``."""


def create_web_app(gateway: Gateway) -> Starlette:
    """The pages as an ASGI application, to be mounted at :data:`MOUNT_PATH`."""
    sections: tuple[Section, ...] = ordered([module.SECTION for module in PAGE_MODULES])
    ctx = WebContext.create(gateway, sections)
    routes = pages_session.routes(ctx)
    for module in PAGE_MODULES:
        routes.extend(module.routes(ctx))
    return Starlette(
        routes=routes,
        exception_handlers=ctx.handlers(),
        middleware=[Middleware(SecurityHeaders), Middleware(SessionResolver, ctx=ctx)],
    )
