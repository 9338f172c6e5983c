"""The ASGI application factory.

``/docs``, ``/redoc`` and ``/openapi.json`` follow ``api.docs`` and ``/metrics`` follows ``api.metrics``
(:class:`gateway.config.ApiSection`: open in dev mode; in production docs off, metrics behind a token)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse

from gateway import __version__, web
from gateway.api import (
    breaks,
    control,
    errors,
    health,
    inbox,
    ingest,
    messages,
    metrics,
    ops,
    reconciliations,
    tracking,
)
from gateway.api.inputs import storable_parameters
from gateway.api.keys import router as keys_router
from gateway.api.limits import install as install_limits
from gateway.bootstrap import Gateway, build_relay, build_transport
from gateway.logging_setup import RequestContext
from gateway.services import people


def _relay_lifespan(gateway: Gateway) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        transport = build_transport()
        relay = build_relay(gateway, transport)
        thread = threading.Thread(target=relay.run_forever, args=(stop,), name="fiscalgw-relay", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)
            transport.close()

    return lifespan


OPENAPI_PATH = "/openapi.json"


def _openapi_behind_token(app: FastAPI, gateway: Gateway) -> None:
    """``api.docs = "token"``: the OpenAPI document for a person's bearer token; no HTML pages."""

    @app.get(OPENAPI_PATH, include_in_schema=False)
    async def openapi(
        _request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        people.person_for(gateway, authorization, need="viewer")
        return JSONResponse(app.openapi())


def create_app(gateway: Gateway, *, run_relay: bool = False) -> FastAPI:
    """The API over ``gateway``; ``run_relay`` also runs the push relay in a thread for the app's life.
    ``POST /v1/messages`` is answered in front of the framework (:mod:`gateway.api.ingest`), the same way."""
    lifespan = _relay_lifespan(gateway) if run_relay else None
    docs_open = gateway.settings.docs_exposure == "open"
    app = ingest.GatewayAPI(
        title="fiscalgw",
        version=__version__,
        summary="预算管理一体化 data-exchange gateway",
        lifespan=lifespan,
        dependencies=[Depends(storable_parameters)],  # no NUL / lone surrogate in a path or query value
        openapi_url=OPENAPI_PATH if docs_open else None,
        docs_url="/docs" if docs_open else None,
        redoc_url="/redoc" if docs_open else None,
    )
    if gateway.settings.docs_exposure == "token":
        _openapi_behind_token(app, gateway)
    app.state.gateway = gateway
    app.state.metrics = metrics.Metrics(gateway)
    ingest.install(app, gateway, app.state.metrics)
    errors.install(app)
    install_limits(app, gateway.settings.ingest)
    app.add_middleware(RequestContext)  # request id + one structured access line per request (outermost)
    app.include_router(health.router)
    app.include_router(messages.router)
    app.include_router(keys_router)
    app.include_router(inbox.router)
    if gateway.settings.metrics_exposure != "off":
        app.include_router(metrics.router)
    app.include_router(ops.router)
    app.include_router(control.router)
    app.include_router(reconciliations.router)
    app.include_router(breaks.router)
    app.include_router(tracking.router)
    app.mount(web.MOUNT_PATH, web.create_web_app(gateway))  # the ops web pages (gateway/web)
    return app
