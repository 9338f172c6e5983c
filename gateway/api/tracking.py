"""资金追踪 over HTTP (issue 17, 报告):

* ``GET /v1/tracking/indicators?division&fiscal_year&is_track&side&limit&offset&format`` — a page of the
  indicators on the caller's ledgers (or one division's), each with its downstream totals, and the page's
  (division, 功能科目) summary;
* ``GET /v1/tracking/indicators/{bgt_id}?division&fiscal_year&format`` — that indicator's tree down the
  levels with its vouchers, 回单 and 清算.

Who calls: a person (``Authorization: Bearer <token>``, viewer or ops; scope = the person's
``tracking_divisions``) — ``format=json`` (default), ``csv`` or ``xlsx``; or a finance party with the
signed headers of SPEC §7 (scope = its own divisions) — JSON, signed by the gateway. Outside the scope:
403 ``tracking_forbidden`` for a named division, 404 for an indicator the caller may not read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.reconciliations import int_param
from gateway.api.signed import caller_of, signed_json
from gateway.bootstrap import Gateway
from gateway.services import people, tracking, tracking_export
from gateway.services.errors import BadRequest
from gateway.web.display import code_name

router = APIRouter(prefix="/v1/tracking", tags=["tracking"])

AuthorizationHeader = Annotated[str | None, Header()]

FORMATS = ("json", "csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _format(value: str | None) -> str:
    chosen = value or "json"
    if chosen not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}")
    return chosen


def _download(gw: Gateway, answer: dict[str, Any], chosen: str, name: str) -> Response:
    def name_of(code: str) -> str | None:
        return code_name(gw.registry, code)

    if chosen == "csv":
        body, media = tracking_export.render_csv(name_of, answer), "text/csv; charset=utf-8"
    else:
        body, media = tracking_export.render_xlsx(name_of, answer), XLSX
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{chosen}"'}
    )


async def _answer(
    request: Request,
    gw: Gateway,
    authorization: str | None,
    chosen: str,
    name: str,
    compute: Any,
) -> Response | Any:
    if authorization is not None:
        person = people.person_for(gw, authorization, need="viewer")
        answer = await run_in_threadpool(compute, tracking.person_scope(person))
        return answer if chosen == "json" else _download(gw, answer, chosen, name)
    caller = await caller_of(request, gw)
    if chosen != "json":
        raise BadRequest("parties receive JSON (signed); CSV and XLSX are for people")
    answer = await run_in_threadpool(compute, tracking.party_scope(caller.keys.party))
    return signed_json(gw, request, answer, message_id=caller.message_id)


@router.get("/indicators")
async def indicators(
    request: Request,
    gw: GatewayDep,
    authorization: AuthorizationHeader = None,
    division: str | None = None,
    fiscal_year: str | None = None,
    is_track: str | None = None,
    side: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
    format: str | None = None,
) -> Any:
    chosen = _format(format)
    year, size = int_param("fiscal_year", fiscal_year), int_param("limit", limit)
    start = int_param("offset", offset, 0) or 0

    def compute(scope: tracking.Scope) -> dict[str, Any]:
        return tracking.list_indicators(
            gw,
            scope,
            division=division,
            fiscal_year=year,
            is_track=is_track,
            side=side,
            limit=size,
            offset=start,
        )

    return await _answer(request, gw, authorization, chosen, "tracking", compute)


@router.get("/indicators/{bgt_id}")
async def indicator(
    bgt_id: str,
    request: Request,
    gw: GatewayDep,
    authorization: AuthorizationHeader = None,
    division: str | None = None,
    fiscal_year: str | None = None,
    format: str | None = None,
) -> Any:
    chosen = _format(format)
    year = int_param("fiscal_year", fiscal_year)

    def compute(scope: tracking.Scope) -> dict[str, Any]:
        return tracking.indicator_tree(gw, scope, bgt_id, division=division, fiscal_year=year)

    return await _answer(request, gw, authorization, chosen, "tracking_indicator", compute)
