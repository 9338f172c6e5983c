"""``POST /v1/messages`` (ingest), ``GET /v1/messages/{id}`` (lifecycle), ``GET /v1/trace`` (business
chain) — thin: request → service → signed answer. ``GET /v1/noop`` is the ingest benchmark's reference."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.api.deps import GatewayDep
from gateway.api.errors import ERROR_TABLE, error_body
from gateway.api.signed import caller_of, signed_json, signed_request
from gateway.services import intake, status, trace
from gateway.services.errors import BadRequest, PayloadTooLarge

router = APIRouter(prefix="/v1", tags=["messages"])


@router.post("/messages", status_code=202)
async def post_message(request: Request, gw: GatewayDep) -> Response:
    """The framework's route for ingest. A served app answers ``POST /v1/messages`` in front of the
    framework (:mod:`gateway.api.ingest`, ADR 0012) with the same behaviour: change both together
    (``tests/gateway/test_ingest_path.py`` compares them). It stays for the OpenAPI document and as that
    reference."""
    limit = gw.settings.ingest.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body is {declared} bytes; the limit is {limit}")
    submission = await signed_request(request)
    started = time.perf_counter()
    try:
        answer = await run_in_threadpool(intake.receive, gw, submission)
    except Exception as exc:
        result = error_body(exc)[1]["error"] if any(isinstance(exc, t) for t in ERROR_TABLE) else "error"
        request.app.state.metrics.observe("unknown", result, time.perf_counter() - started)
        raise
    types = {str(r["message_type"]) for r in answer.body.get("records", [])}
    message_type = types.pop() if len(types) == 1 else "batch"
    result = "replayed" if answer.replayed else "accepted"
    request.app.state.metrics.observe(message_type, result, time.perf_counter() - started)
    response = signed_json(
        gw, request, answer.body, status=answer.status, message_id=submission.message_id or ""
    )
    if answer.replayed:
        response.headers["X-Replayed"] = "true"
    return response


@router.get("/noop")
async def noop() -> dict[str, str]:
    """The reference of ``bench/ingest.py``: the cheapest FastAPI endpoint this server has (no
    authentication, no database, no signature), measured in the same run as ingest for the ratio."""
    return {"status": "ok"}


@router.get("/messages/{message_id}")
async def get_message(
    message_id: str, request: Request, gw: GatewayDep, sender: str | None = None
) -> Response:
    """Lifecycle of ``message_id`` sent by ``sender`` (default: the caller)."""
    caller = await caller_of(request, gw)
    result = await run_in_threadpool(
        status.lifecycle, gw, caller.party_id, sender or caller.party_id, message_id
    )
    return signed_json(gw, request, result, message_id=caller.message_id)


@router.get("/trace")
async def get_trace(
    request: Request, gw: GatewayDep, bgt_id: str | None = None, voucher_no: str | None = None
) -> Response:
    """The business chain of one indicator (``bgt_id``) or one voucher (``voucher_no``)."""
    caller = await caller_of(request, gw)
    if (bgt_id is None) == (voucher_no is None):
        raise BadRequest("give exactly one of bgt_id or voucher_no")
    key, value = ("bgt_id", bgt_id) if bgt_id is not None else ("voucher_no", voucher_no or "")
    result = await run_in_threadpool(trace.trace, gw, caller.party_id, key, value)
    return signed_json(gw, request, result, message_id=caller.message_id)
