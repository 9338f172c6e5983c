"""``POST /v1/messages`` as one plain ASGI handler in front of the framework (issue 14, ADR 0012).

Every request to the API passes Starlette's and FastAPI's layers (error middleware, exception middleware,
router, dependency solving, the request-id and limits middlewares of this package), which cost CPU on every
ingest and do nothing that ingest needs beyond what is written out here. :class:`GatewayAPI` hands exactly
``POST /v1/messages`` (no ``root_path``) to :class:`IngestEndpoint` and everything else to FastAPI.

The answers are the same bytes, status codes and headers as the route
:func:`gateway.api.messages.post_message` behind the middlewares (``tests/gateway/test_ingest_path.py``
sends the same requests both ways):

* request id and the one access line (:mod:`gateway.logging_setup`), ``X-Request-Id`` on every answer but an
  unexpected error's 500 (written outside that middleware);
* the transport limits (:mod:`gateway.api.limits`): 415 for a media type that is no wire document before the
  body is read, 413 for a declared or streamed body over ``ingest.max_body_bytes``, 408 for a body that
  does not arrive in time (those two with ``Connection: close``);
* no U+0000 or lone surrogate in a query parameter (``400 invalid_text``, :func:`gateway.api.inputs.
  storable_parameters`);
* errors through the one table (:mod:`gateway.api.errors`), metrics (:mod:`gateway.api.metrics`), the
  signed answer (:func:`gateway.api.signed.signed_answer`) and ``X-Replayed`` for a repeat.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL, QueryParams
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from gateway.api.errors import ERROR_TABLE, encode_body, error_body
from gateway.api.limits import INGEST_PATH, acceptable_media_type, refusal, request_header
from gateway.api.signed import signed_answer
from gateway.logging_setup import bind_request_id, log_access, request_id_of, unbind_request_id
from gateway.services import intake
from gateway.services.authentication import SignedRequest
from gateway.services.errors import BodyReadTimeout, PayloadTooLarge, UnsupportedMediaType
from gateway.services.text import storable_pairs

if TYPE_CHECKING:
    from gateway.api.metrics import Metrics
    from gateway.bootstrap import Gateway

_CLOSE = (b"connection", b"close")
_JSON = (b"content-type", b"application/json")
_SERVER_ERROR = b"Internal Server Error"


def _is_ingest(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["path"] == INGEST_PATH
        and scope["method"] == "POST"
        and not scope.get("root_path")
    )


class GatewayAPI(FastAPI):
    """FastAPI, with ``POST /v1/messages`` answered by :class:`IngestEndpoint` before the framework."""

    ingest: IngestEndpoint | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.ingest is not None and _is_ingest(scope):
            await self.ingest(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class _Aborted(Exception):
    """The body was cut off (too large, too slow): the answer closes the connection."""

    def __init__(self, cause: PayloadTooLarge | BodyReadTimeout) -> None:
        super().__init__(str(cause))
        self.cause = cause


class IngestEndpoint:
    """See the module docstring."""

    def __init__(self, gateway: Gateway, metrics: Metrics) -> None:
        self._gw = gateway
        self._metrics = metrics
        self._max_body_bytes = gateway.settings.ingest.max_body_bytes
        self._body_timeout = gateway.settings.ingest.body_read_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        token = bind_request_id(request_id)
        started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + self._body_timeout
        sent: list[int] = []  # the status, once the answer has started

        async def respond(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
            headers.append((b"x-request-id", request_id.encode()))
            sent.append(status)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        try:
            content_type = request_header(scope, b"content-type")
            if content_type is not None and not acceptable_media_type(content_type):
                await respond(
                    *refusal(
                        UnsupportedMediaType(
                            f"Content-Type {content_type[:100]!r} is not a wire "
                            "document type (JSON, XML, CSV or XLSX)"
                        )
                    )
                )
                return
            try:
                answer = await self._answer(scope, receive, deadline)
            except _Aborted as aborted:  # the client may still be sending: close instead of reading on
                await respond(*_error(aborted.cause, _CLOSE))
                return
            except Exception as exc:
                if not any(isinstance(exc, t) for t in ERROR_TABLE):
                    raise
                await respond(*_error(exc))
                return
            await respond(*answer)
        except Exception:
            if not sent:
                await _server_error(send)
            raise
        finally:
            log_access(scope, request_id, sent[0] if sent else 500, started)
            unbind_request_id(token)

    async def _answer(
        self, scope: Scope, receive: Receive, deadline: float
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        gw, limit = self._gw, self._max_body_bytes
        query_string: bytes = scope.get("query_string", b"")
        if query_string:
            storable_pairs(QueryParams(query_string).multi_items(), "query parameter")
        declared = request_header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"body is {declared} bytes; the limit is {limit}")
        query = URL(scope=scope).query if query_string else ""
        submission = SignedRequest(
            method="POST",
            path=INGEST_PATH,
            sender=request_header(scope, b"x-sender"),
            message_id=request_header(scope, b"x-message-id"),
            timestamp=request_header(scope, b"x-timestamp"),
            signature=request_header(scope, b"x-signature"),
            body=await self._body(receive, deadline),
            query=query,
            original_sender=request_header(scope, b"x-original-sender"),
            wire_format=request_header(scope, b"x-wire-format"),
        )
        started = time.perf_counter()
        try:
            answer = await run_in_threadpool(intake.receive, gw, submission)
        except Exception as exc:
            result = error_body(exc)[1]["error"] if any(isinstance(exc, t) for t in ERROR_TABLE) else "error"
            self._metrics.observe("unknown", result, time.perf_counter() - started)
            raise
        types = {str(r["message_type"]) for r in answer.body.get("records", [])}
        message_type = types.pop() if len(types) == 1 else "batch"
        self._metrics.observe(
            message_type, "replayed" if answer.replayed else "accepted", time.perf_counter() - started
        )
        target = f"{INGEST_PATH}?{query}" if query else INGEST_PATH
        body, signed = signed_answer(
            gw, target, answer.body, status=answer.status, message_id=submission.message_id or ""
        )
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in signed.items()]
        headers += [(b"content-length", str(len(body)).encode("latin-1")), _JSON]
        if answer.replayed:
            headers.append((b"x-replayed", b"true"))
        return answer.status, headers, body

    async def _body(self, receive: Receive, deadline: float) -> bytes:
        """The whole body, within the size limit and the read deadline (as :class:`limits.RequestLimits`)."""
        loop = asyncio.get_running_loop()
        chunks: list[bytes] = []
        received = 0
        while True:
            try:
                async with asyncio.timeout(max(deadline - loop.time(), 0.0)):
                    message: Message = await receive()
            except TimeoutError:
                raise _Aborted(
                    BodyReadTimeout(f"the request body did not arrive within {self._body_timeout:g} s")
                ) from None
            if message["type"] != "http.request":
                raise ClientDisconnect()
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > self._max_body_bytes:
                raise _Aborted(
                    PayloadTooLarge(f"body is over {received} bytes; the limit is {self._max_body_bytes}")
                )
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _error(exc: Exception, *more: tuple[bytes, bytes]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The error table's answer to ``exc`` (as :func:`gateway.api.errors.install` gives it)."""
    status, error = error_body(exc)
    body = encode_body(error)
    return status, [(b"content-length", str(len(body)).encode("latin-1")), _JSON, *more], body


async def _server_error(send: Send) -> None:
    """What Starlette's error middleware answers to an unexpected exception (before it re-raises it)."""
    headers = [
        (b"content-length", str(len(_SERVER_ERROR)).encode("latin-1")),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]
    try:
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": _SERVER_ERROR})
    except Exception:  # the client is gone, or an answer was already started
        return


def install(app: GatewayAPI, gateway: Gateway, metrics: Metrics) -> None:
    """Answer ``POST /v1/messages`` of ``app`` with an :class:`IngestEndpoint`."""
    app.ingest = IngestEndpoint(gateway, metrics)
