"""People's endpoints (``Authorization: Bearer <token>``): viewers read any message and trace; ops also
list the outbox (``GET /v1/ops/outbox``) and retry, cancel and replay deliveries. Every ops action is
audited by the service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.inputs import json_object
from gateway.services import ops, people, status, trace
from gateway.services.errors import BadRequest

router = APIRouter(prefix="/v1/ops", tags=["ops"])

AuthorizationHeader = Annotated[str | None, Header()]


@router.get("/messages/{sender}/{message_id}")
async def message(
    sender: str, message_id: str, gw: GatewayDep, authorization: AuthorizationHeader = None
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    return await run_in_threadpool(status.lifecycle, gw, None, sender, message_id)


@router.get("/trace")
async def business_trace(
    gw: GatewayDep,
    authorization: AuthorizationHeader = None,
    bgt_id: str | None = None,
    voucher_no: str | None = None,
) -> Any:
    people.person_for(gw, authorization, need="viewer")
    if (bgt_id is None) == (voucher_no is None):
        raise BadRequest("give exactly one of bgt_id or voucher_no")
    key, value = ("bgt_id", bgt_id) if bgt_id is not None else ("voucher_no", voucher_no or "")
    return await run_in_threadpool(trace.trace, gw, None, key, value)


@router.get("/outbox")
async def outbox(
    gw: GatewayDep,
    authorization: AuthorizationHeader = None,
    state: Annotated[list[str] | None, Query()] = None,
    receiver: str | None = None,
    sender: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> Any:
    """Deliveries by state (repeat ``state``; default pending, retrying and dead) and receiver, newest
    first, with undelivered counts per receiver; ``next_before_id`` pages on."""
    people.person_for(gw, authorization, need="ops")
    return await run_in_threadpool(
        lambda: ops.outbox_listing(
            gw,
            states=state or ops.DEFAULT_STATES,
            receiver=receiver,
            sender=sender,
            before_id=before_id,
            limit=limit,
        )
    )


@router.post("/outbox/{outbox_id}/retry")
async def retry(outbox_id: int, gw: GatewayDep, authorization: AuthorizationHeader = None) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    await run_in_threadpool(lambda: ops.retry(gw, outbox_id, actor=f"ops:{person.name}"))
    return {"id": outbox_id, "status": "pending"}


@router.post("/outbox/{outbox_id}/cancel")
async def cancel(
    outbox_id: int, request: Request, gw: GatewayDep, authorization: AuthorizationHeader = None
) -> Any:
    """Stop a delivery. Optional body ``{"reason": "…"}`` (audited); an empty body is still accepted."""
    person = people.person_for(gw, authorization, need="ops")
    reason: str | None = None
    if await request.body():
        given = (await json_object(request)).get("reason")
        if given is not None and not isinstance(given, str):
            raise BadRequest("reason must be a string")
        reason = given
    await run_in_threadpool(lambda: ops.cancel(gw, outbox_id, actor=f"ops:{person.name}", reason=reason))
    return {"id": outbox_id, "status": "cancelled"}


@router.post("/outbox/replay")
async def replay(
    since: str, gw: GatewayDep, authorization: AuthorizationHeader = None, receiver: str | None = None
) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        raise BadRequest("since must be an RFC 3339 timestamp") from None
    if moment.tzinfo is None:
        raise BadRequest("since needs a zone (Z or ±hh:mm)")
    count = await run_in_threadpool(
        lambda: ops.replay_since(gw, moment, actor=f"ops:{person.name}", receiver=receiver)
    )
    return {"replayed": count}
