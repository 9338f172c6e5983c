"""``/healthz`` (liveness: the process answers, no authentication) and ``/readyz`` (the database answers and
its schema is at the newest migration)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gateway import __version__
from gateway.api.deps import GatewayDep
from gateway.errors import StoreError

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
async def readyz(gw: GatewayDep) -> JSONResponse:
    def check() -> None:
        gw.database.ping()
        gw.database.require_current()

    try:
        await run_in_threadpool(check)
    except StoreError as exc:
        return JSONResponse({"status": "not_ready", "detail": str(exc)}, status_code=503)
    return JSONResponse({"status": "ready", "database": gw.database.dialect})
