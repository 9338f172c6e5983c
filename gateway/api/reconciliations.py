"""Reconciliation runs over HTTP (people's endpoints, ``Authorization: Bearer <token>``):

* ``POST /v1/reconciliations`` (ops) — body ``{"kind": "indicators", "upper", "lower", "fiscal_year",
  "as_of"?, "in_transit_hours"?}`` or ``{"kind": "payments", "adm_div_code", "day", "pay_bank_code"?,
  "as_of"?, "unpaid_hours"?, "uncleared_hours"?}`` or ``{"kind": "statements", "adm_div_code", "day",
  "vt_code"?, "as_of"?}``: runs one now from the store; answers 201 with the run and its summary.
* ``GET /v1/reconciliations/{id}`` (viewer) — the report in the JSON shape of ``fiscalgw reconcile
  indicators`` / ``payments`` plus ``run``; ``?format=csv|xlsx|html`` downloads that format instead.
* ``GET /v1/reconciliations?kind&upper&lower&fiscal_year&adm_div_code&day&pay_bank_code&vt_code&status&limit
  &offset`` (viewer) — runs, newest first (``vt_code``: a statements scope, ``*`` = all its VtCodes).
* ``GET /v1/reconciliations/dashboard?kind=indicators|payments|statements`` (viewer) — per pair (payments:
  per division / bank / day; statements: per division / VtCode / day): last run, totals, open breaks, trend.
* ``GET /v1/reconciliations/digests?upper&lower&fiscal_year&buckets=N`` (viewer) — SM3 digests of the
  pair's ledger in N key-range buckets; ``/digests/rows?…&bucket=i`` (repeatable) — those buckets' rows.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.inputs import json_object
from gateway.services import digests as digest_service
from gateway.services import people, report_cache
from gateway.services.errors import BadRequest
from gateway.services.reconciliation import runs as reconciliations

router = APIRouter(prefix="/v1/reconciliations", tags=["reconciliation"])

AuthorizationHeader = Annotated[str | None, Header()]


MAX_INT = 1_000_000_000
"""Bound of every integer query / path value (ids, years, days, offsets): beyond it a value is a mistake,
and the database's BIGINT must never overflow."""


def int_param(name: str, value: str | None, default: int | None = None) -> int | None:
    """A query parameter as an integer in 0…MAX_INT, or BadRequest naming it."""
    if value is None or value == "":
        return default
    if len(value) > 12:
        raise BadRequest(f"{name} must be an integer between 0 and {MAX_INT}")
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if not 0 <= number <= MAX_INT:
        raise BadRequest(f"{name} must be an integer between 0 and {MAX_INT}")
    return number


def int_or(name: str, value: str | None, default: int) -> int:
    parsed = int_param(name, value)
    return default if parsed is None else parsed


@router.post("", status_code=201)
async def run(request: Request, gw: GatewayDep, authorization: AuthorizationHeader = None) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    body = await json_object(request)
    actor = f"ops:{person.name}"
    # the kind's pydantic request model validates the body (gateway.services.reconciliation.kinds)
    summary = await run_in_threadpool(lambda: reconciliations.run_body(gw, body, actor=actor))
    return summary.as_dict()


@router.get("")
async def list_runs(
    gw: GatewayDep,
    authorization: AuthorizationHeader = None,
    kind: str | None = None,
    upper: str | None = None,
    lower: str | None = None,
    fiscal_year: str | None = None,
    adm_div_code: str | None = None,
    day: str | None = None,
    pay_bank_code: str | None = None,
    vt_code: str | None = None,
    status: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    page = await run_in_threadpool(
        lambda: reconciliations.list_runs(
            gw,
            kind=kind,
            upper=upper,
            lower=lower,
            fiscal_year=int_param("fiscal_year", fiscal_year),
            adm_div_code=adm_div_code,
            day=day,
            pay_bank_code=pay_bank_code,
            vt_code=vt_code,
            status=status,
            limit=int_or("limit", limit, 50),
            offset=int_or("offset", offset, 0),
        )
    )
    return page.as_dict()


@router.get("/dashboard")
async def dashboard(
    gw: GatewayDep, authorization: AuthorizationHeader = None, kind: str = "indicators"
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    pairs = await run_in_threadpool(lambda: reconciliations.dashboard_summary(gw, kind=kind))
    return {"pairs": [p.as_dict() for p in pairs]}


@router.get("/digests")
async def digests(
    gw: GatewayDep,
    upper: str = "",
    lower: str = "",
    fiscal_year: str | None = None,
    buckets: str | None = None,
    authorization: AuthorizationHeader = None,
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    year = int_or("fiscal_year", fiscal_year, 0)
    count = int_or("buckets", buckets, 64)
    result = await run_in_threadpool(lambda: digest_service.pair_digests(gw, upper, lower, year, count))
    return result.as_dict()


@router.get("/digests/rows")
async def digest_rows(
    gw: GatewayDep,
    upper: str = "",
    lower: str = "",
    fiscal_year: str | None = None,
    buckets: str | None = None,
    bucket: Annotated[list[str] | None, Query()] = None,
    authorization: AuthorizationHeader = None,
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    year = int_or("fiscal_year", fiscal_year, 0)
    count = int_or("buckets", buckets, 64)
    wanted = [int_or("bucket", b, 0) for value in bucket or () for b in value.split(",") if b]
    rows = await run_in_threadpool(lambda: digest_service.bucket_rows(gw, upper, lower, year, count, wanted))
    return {"upper": upper, "lower": lower, "fiscal_year": year, "buckets": count, "rows": rows}


@router.get("/{run_id}")
async def get_run(
    run_id: str, gw: GatewayDep, authorization: AuthorizationHeader = None, format: str = "json"
) -> Response:
    people.person_for(gw, authorization, need="viewer")
    pk = int_param("run id", run_id)
    assert pk is not None
    if format == "json":
        summary, report = await run_in_threadpool(reconciliations.get_run, gw, pk)
        body: dict[str, Any] = dict(report) if report is not None else {"kind": summary.kind}
        body["run"] = summary.as_dict()
        return JSONResponse(body)
    content, media_type, filename = await run_in_threadpool(report_cache.report_file, gw, pk, format)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
