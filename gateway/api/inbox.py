"""The pull channel: ``GET /v1/inbox``, ``POST /v1/inbox/{id}/ack`` (签收), ``POST /v1/inbox/{id}/reject``
(退回, body ``{"reason": …}``). Every request is signed by the party; every answer by the gateway."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.inputs import json_object
from gateway.api.signed import caller_of, signed_json
from gateway.services import inbox
from gateway.services.errors import BadRequest

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])


@router.get("")
async def get_inbox(request: Request, gw: GatewayDep, limit: int = inbox.MAX_BATCH) -> Response:
    caller = await caller_of(request, gw)
    items = await run_in_threadpool(inbox.pull, gw, caller.party_id, limit)
    return signed_json(gw, request, {"items": items}, message_id=caller.message_id)


@router.post("/{item_id}/ack")
async def ack(item_id: int, request: Request, gw: GatewayDep) -> Response:
    caller = await caller_of(request, gw)
    result = await run_in_threadpool(inbox.settle, gw, caller.party_id, item_id)
    return signed_json(gw, request, result, message_id=caller.message_id)


@router.post("/{item_id}/reject")
async def reject(item_id: int, request: Request, gw: GatewayDep) -> Response:
    caller = await caller_of(request, gw)
    reason = (await json_object(request)).get("reason")
    if reason is None:
        raise BadRequest('a rejection body is {"reason": "…"}')
    if not isinstance(reason, str):
        raise BadRequest("reason must be a string")
    result = await run_in_threadpool(inbox.settle, gw, caller.party_id, item_id, reject_reason=reason)
    return signed_json(gw, request, result, message_id=caller.message_id)
