"""Persistent breaks over HTTP (people's endpoints, ``Authorization: Bearer <token>``):

* ``GET /v1/breaks`` (viewer) — filters ``kind``, ``upper``, ``lower``, ``fiscal_year``, ``type`` and
  ``status`` (repeatable or comma-separated), ``min_amount`` / ``max_amount`` (yuan), ``min_age_days`` /
  ``max_age_days``; ``sort`` (``amount``, ``age``, ``first_seen``, ``last_seen``, ``type``, ``status``;
  ``-`` prefix reverses); ``limit`` / ``offset``.
* ``GET /v1/breaks/{key}`` (viewer) — one break with its history.
* ``POST /v1/breaks/{key}/explain`` and ``/resolve`` (ops) — body ``{"comment": "…"}`` (required).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.inputs import json_object
from gateway.api.reconciliations import int_or, int_param
from gateway.services import breaks, people
from gateway.services.errors import BadRequest
from schemas.money import MoneyFormatError, to_fen

router = APIRouter(prefix="/v1/breaks", tags=["reconciliation"])

AuthorizationHeader = Annotated[str | None, Header()]
Many = Annotated[list[str] | None, Query()]


def _many(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v for value in values or () for v in value.split(",") if v)


def _fen(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return to_fen(value)
    except MoneyFormatError as exc:
        raise BadRequest(f"{name} must be an amount in yuan ({exc.code}: {exc.message})") from None


@router.get("")
async def list_breaks(
    gw: GatewayDep,
    authorization: AuthorizationHeader = None,
    kind: str | None = None,
    upper: str | None = None,
    lower: str | None = None,
    fiscal_year: str | None = None,
    type: Many = None,
    status: Many = None,
    min_amount: str | None = None,
    max_amount: str | None = None,
    min_age_days: str | None = None,
    max_age_days: str | None = None,
    sort: str = "-last_seen",
    limit: str | None = None,
    offset: str | None = None,
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    filters = breaks.BreakFilters(
        kind=kind,
        upper=upper,
        lower=lower,
        fiscal_year=int_param("fiscal_year", fiscal_year),
        types=_many(type),
        statuses=_many(status),
        min_amount_fen=_fen("min_amount", min_amount),
        max_amount_fen=_fen("max_amount", max_amount),
        min_age_days=int_param("min_age_days", min_age_days),
        max_age_days=int_param("max_age_days", max_age_days),
        sort=sort,
        limit=int_or("limit", limit, 50),
        offset=int_or("offset", offset, 0),
    )
    page = await run_in_threadpool(breaks.list_breaks, gw, filters)
    return page.as_dict()


@router.get("/{key}")
async def get_break(key: str, gw: GatewayDep, authorization: AuthorizationHeader = None) -> Any:
    people.person_for(gw, authorization, need="viewer")
    view = await run_in_threadpool(breaks.get_break, gw, key)
    return view.as_dict()


async def _comment(request: Request) -> str | None:
    body = await json_object(request)
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("comment must be a string")
    return comment


@router.post("/{key}/explain")
async def explain(
    key: str, request: Request, gw: GatewayDep, authorization: AuthorizationHeader = None
) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    comment = await _comment(request)
    view = await run_in_threadpool(
        lambda: breaks.explain_break(gw, key, comment=comment, actor=f"ops:{person.name}")
    )
    return view.as_dict()


@router.post("/{key}/resolve")
async def resolve(
    key: str, request: Request, gw: GatewayDep, authorization: AuthorizationHeader = None
) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    comment = await _comment(request)
    view = await run_in_threadpool(
        lambda: breaks.resolve_break(gw, key, comment=comment, actor=f"ops:{person.name}")
    )
    return view.as_dict()
