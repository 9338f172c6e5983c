"""Liveness: ``/healthz`` needs no authentication and touches nothing but the process."""

from __future__ import annotations

from fastapi import APIRouter

from gateway import __version__

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}
