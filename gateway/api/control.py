"""控制 for people (ADR 0008): ``GET /v1/ops/control/held`` (viewer) lists the vouchers held for review;
``POST /v1/ops/control/held/{id}/release`` (放行, optional ``{"comment": …}``) and ``…/refuse`` (退回,
``{"reason": …}`` required) are ops actions, audited by the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.inputs import json_object
from gateway.services import control_review, people
from gateway.services.control_rules import CODES
from gateway.services.errors import BadRequest
from schemas.money import format_fen

router = APIRouter(prefix="/v1/ops/control", tags=["control"])

AuthorizationHeader = Annotated[str | None, Header()]


@router.get("/held")
async def held(gw: GatewayDep, authorization: AuthorizationHeader = None) -> Any:
    people.person_for(gw, authorization, need="viewer")
    spends = await run_in_threadpool(control_review.held, gw)
    return {
        "items": [
            {
                "id": s.id,
                "adm_div_code": s.adm_div_code,
                "vt_code": s.vt_code,
                "voucher_no": s.voucher_no,
                "file_no_code": s.file_no_code,
                "amount": format_fen(s.amount_fen),
                "codes": s.codes.split(","),
                "reasons": [CODES.get(c, c) for c in s.codes.split(",")],
                "rule_version": s.rule_version,
                "held_at": s.decided_at.isoformat(),
            }
            for s in spends
        ]
    }


async def _text(request: Request, key: str) -> str:
    if not await request.body():
        return ""
    given = (await json_object(request)).get(key, "")
    if not isinstance(given, str):
        raise BadRequest(f"{key} must be a string")
    return given


@router.post("/held/{spend_id}/release")
async def release(
    spend_id: int, request: Request, gw: GatewayDep, authorization: AuthorizationHeader = None
) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    comment = await _text(request, "comment")
    detail = await run_in_threadpool(
        lambda: control_review.release(gw, spend_id, f"ops:{person.name}", comment)
    )
    return {"id": spend_id, "status": "in_flight", "receivers": detail["receivers"]}


@router.post("/held/{spend_id}/refuse")
async def refuse(
    spend_id: int, request: Request, gw: GatewayDep, authorization: AuthorizationHeader = None
) -> Any:
    person = people.person_for(gw, authorization, need="ops")
    reason = await _text(request, "reason")
    await run_in_threadpool(lambda: control_review.refuse(gw, spend_id, f"ops:{person.name}", reason))
    return {"id": spend_id, "status": "refused"}
