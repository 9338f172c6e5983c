"""The ASGI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from gateway import __version__
from gateway.api import health


def create_app() -> FastAPI:
    app = FastAPI(title="fiscalgw", version=__version__, summary="预算管理一体化 data-exchange gateway")
    app.include_router(health.router)
    return app
