"""The ASGI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI

from gateway import __version__, web
from gateway.api import breaks, errors, health, inbox, messages, metrics, ops, reconciliations
from gateway.api.inputs import storable_parameters
from gateway.api.keys import router as keys_router
from gateway.api.limits import install as install_limits
from gateway.bootstrap import Gateway
from gateway.logging_setup import RequestContext


def _relay_lifespan(gateway: Gateway) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    from gateway.delivery.relay import Relay
    from gateway.delivery.transport import HTTPTransport

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        transport = HTTPTransport()
        thread = threading.Thread(
            target=Relay(gateway, transport).run_forever, args=(stop,), name="fiscalgw-relay", daemon=True
        )
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)
            transport.close()

    return lifespan


def create_app(gateway: Gateway, *, run_relay: bool = False) -> FastAPI:
    """The API over ``gateway``; ``run_relay`` also runs the push relay in a thread for the app's life."""
    lifespan = _relay_lifespan(gateway) if run_relay else None
    app = FastAPI(
        title="fiscalgw",
        version=__version__,
        summary="预算管理一体化 data-exchange gateway",
        lifespan=lifespan,
        dependencies=[Depends(storable_parameters)],  # no NUL / lone surrogate in a path or query value
    )
    app.state.gateway = gateway
    app.state.metrics = metrics.Metrics(gateway)
    errors.install(app)
    install_limits(app, gateway.settings.ingest)
    app.add_middleware(RequestContext)  # request id + one structured access line per request (outermost)
    app.include_router(health.router)
    app.include_router(messages.router)
    app.include_router(keys_router)
    app.include_router(inbox.router)
    app.include_router(metrics.router)
    app.include_router(ops.router)
    app.include_router(reconciliations.router)
    app.include_router(breaks.router)
    app.mount(web.MOUNT_PATH, web.create_web_app(gateway))  # the ops web pages (gateway/web)
    return app
