"""Signed requests and answers for party endpoints (SPEC §7)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.bootstrap import Gateway
from gateway.services.authentication import Caller, SignedRequest, authenticate_once
from gateway.wire_signature import signed_headers


async def signed_request(request: Request) -> SignedRequest:
    return SignedRequest(
        method=request.method,
        path=request.url.path,
        sender=request.headers.get("x-sender"),
        message_id=request.headers.get("x-message-id"),
        timestamp=request.headers.get("x-timestamp"),
        signature=request.headers.get("x-signature"),
        body=await request.body(),
        query=request.url.query,
        original_sender=request.headers.get("x-original-sender"),
        wire_format=request.headers.get("x-wire-format"),
    )


async def caller_of(request: Request, gw: Gateway) -> Caller:
    """The authenticated caller of a party request other than ingest; its ``X-Message-Id`` is spent as a
    nonce (ADR 0006), so a captured inbox pull, status or trace request cannot be sent again."""
    signed = await signed_request(request)
    return await run_in_threadpool(authenticate_once, gw, signed, gw.clock())


def signed_json(
    gw: Gateway, request: Request, payload: Any, *, status: int = 200, message_id: str = ""
) -> Response:
    """A JSON answer signed with the gateway's key (the status code takes the method's place; the target
    is the request's path and query)."""
    target = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
    body, headers = signed_answer(gw, target, payload, status=status, message_id=message_id)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def signed_answer(
    gw: Gateway, target: str, payload: Any, *, status: int, message_id: str
) -> tuple[bytes, dict[str, str]]:
    """The bytes and signature headers of :func:`signed_json`'s answer to a request for ``target``."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = signed_headers(
        key=gw.keyring.gateway_key,
        profile=gw.keyring.gateway_profile,
        method=str(status),
        path=target,
        sender=gw.settings.gateway.id,
        message_id=message_id,
        at=gw.clock(),
        body=body,
    )
    return body, headers
