"""Transport limits for hostile clients, as one pure ASGI middleware in front of every route:

* ``POST /v1/messages`` takes only wire-document media types (or none: the format is identified from the
  bytes): anything else is ``415 unsupported_media_type`` before a byte of the body is read;
* a request body larger than ``ingest.max_body_bytes`` is cut off while it streams (chunked bodies
  without a Content-Length included) with ``413 payload_too_large``;
* a body that has not arrived completely within ``ingest.body_read_timeout_seconds`` (a client trickling
  bytes, slow-loris style) is answered ``408 request_timeout`` and the connection is closed.

``POST /v1/messages`` itself is answered before this middleware, by :mod:`gateway.api.ingest`, which applies
the same limits with the same answers.

The errors go through the one table in :mod:`gateway.api.errors`; these answers are transport refusals
and are not written to the audit log (nothing was authenticated yet).

uvicorn has no timeout for a client that trickles its *headers*; run the gateway behind a reverse proxy
with a header timeout (``docs/threat-model.md``, residual risks).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.errors import encode_body, error_body
from gateway.config import IngestSection
from gateway.services.errors import BodyReadTimeout, PayloadTooLarge, UnsupportedMediaType

INGEST_PATH = "/v1/messages"

WIRE_MEDIA_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "text/xml",
        "text/csv",
        "text/plain",
        "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
    }
)
"""Media types a wire document may be sent as (plus any ``+json`` / ``+xml`` type)."""


def acceptable_media_type(value: str) -> bool:
    media_type = value.split(";", 1)[0].strip().lower()
    return media_type in WIRE_MEDIA_TYPES or media_type.endswith(("+json", "+xml"))


def request_header(scope: Scope, name: bytes) -> str | None:
    """The first header ``name`` (lower case) of the request, as Starlette's ``request.headers`` reads it."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RequestLimits:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, body_timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] == INGEST_PATH:
            content_type = request_header(scope, b"content-type")
            if content_type is not None and not acceptable_media_type(content_type):
                await _refuse(
                    send,
                    UnsupportedMediaType(
                        f"Content-Type {content_type[:100]!r} is not a wire "
                        "document type (JSON, XML, CSV or XLSX)"
                    ),
                )
                return
        await self.app(scope, *self._guard(receive, send))

    def _guard(self, receive: Receive, send: Send) -> tuple[Receive, Send]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout_seconds
        state: dict[str, Any] = {"received": 0, "complete": False, "abort": False}

        async def limited_receive() -> Message:
            if state["complete"]:
                return await receive()  # after the body: only http.disconnect, no deadline
            try:
                async with asyncio.timeout(max(deadline - loop.time(), 0.0)):
                    message = await receive()
            except TimeoutError:
                state["abort"] = True
                raise BodyReadTimeout(
                    f"the request body did not arrive within {self.body_timeout_seconds:g} s"
                ) from None
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_body_bytes:
                    state["abort"] = True
                    raise PayloadTooLarge(
                        f"body is over {state['received']} bytes; the limit is {self.max_body_bytes}"
                    )
                if not message.get("more_body", False):
                    state["complete"] = True
            else:
                state["complete"] = True
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and state["abort"]:
                # The client may still be sending: close the connection instead of reading the rest.
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        return limited_receive, closing_send


def refusal(exc: Exception) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of a transport refusal (the connection is closed after it)."""
    status, body = error_body(exc)
    payload = encode_body(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode("ascii")),
        (b"connection", b"close"),
    ]
    return status, headers, payload


async def _refuse(send: Send, exc: Exception) -> None:
    status, headers, payload = refusal(exc)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def install(app: FastAPI, ingest: IngestSection) -> None:
    """Put the limits in front of ``app`` (a FastAPI application, before it starts)."""
    app.add_middleware(
        RequestLimits,
        max_body_bytes=ingest.max_body_bytes,
        body_timeout_seconds=ingest.body_read_timeout_seconds,
    )
