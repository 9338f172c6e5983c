"""The one logging configuration: JSON lines or text on stderr, a request id per HTTP request.

``configure("json")`` makes every record one JSON object per line::

    {"ts": "2026-03-02T09:00:00.123Z", "level": "INFO", "logger": "fiscalgw.access",
     "msg": "POST /v1/messages 202", "request_id": "…", "method": "POST", "path": "/v1/messages",
     "status": 202, "latency_ms": 3.1, "sender": "330000000", "message_id": "m-1"}

Only the fields in :data:`FIELDS` are ever written besides the message: never bodies, keys, signatures or
tokens. :class:`RequestContext` (pure ASGI, so it costs next to nothing) gives every request an id — the
caller's ``X-Request-Id`` when it is a sane token, else a fresh one — echoes it in the answer, exposes it to
every log record written while the request runs, and writes one ``fiscalgw.access`` line per request with
the sender, message id, status and latency (an ingest is ``POST /v1/messages``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["json", "text"]
FORMATS: tuple[LogFormat, ...] = ("json", "text")

FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "latency_ms",
    "sender",
    "message_id",
    "receiver",
    "outbox_id",
    "attempts",
    "error",
)
"""The structured fields a record may carry (``logger.info(…, extra={…})``); anything else is dropped."""

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("fiscalgw_request_id", default=None)
_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_HEADER_VALUE = re.compile(r"^[\x21-\x7e]{1,128}$")

access_log = logging.getLogger("fiscalgw.access")


def current_request_id() -> str | None:
    return _request_id.get()


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per record, with only the allowed fields."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "ts": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(f"{n}={getattr(record, n)}" for n in FIELDS if getattr(record, n, None) is not None)
        return f"{line} [{extra}]" if extra else line


def configure(fmt: LogFormat = "text", *, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Route every logger (ours, uvicorn's) to one handler on ``stream`` (default stderr) in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JSONFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # fiscalgw.access has the same line, structured


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            try:
                text: str = value.decode("ascii")
            except UnicodeDecodeError:
                return None
            return text if _HEADER_VALUE.match(text) else None
    return None


def request_id_of(scope: Scope) -> str:
    """The request's id: the caller's ``X-Request-Id`` when it is a sane token, else a fresh one."""
    offered = _header(scope, b"x-request-id")
    return offered if offered and _TOKEN.match(offered) else uuid.uuid4().hex


def bind_request_id(request_id: str) -> contextvars.Token[str | None]:
    """Expose ``request_id`` to every log record written until :func:`unbind_request_id`."""
    return _request_id.set(request_id)


def unbind_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


def log_access(scope: Scope, request_id: str, status: int, started: float) -> None:
    """The request's one ``fiscalgw.access`` line (``started``: its :func:`time.perf_counter`)."""
    latency = round((time.perf_counter() - started) * 1000, 2)
    method, path = scope.get("method", ""), scope.get("path", "")
    access_log.info(
        "%s %s %d",
        method,
        path,
        status,
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "latency_ms": latency,
            "sender": _header(scope, b"x-sender"),
            "message_id": _header(scope, b"x-message-id"),
        },
    )


class RequestContext:
    """ASGI middleware: request id, ``X-Request-Id`` on the answer, one access line per request (the lean
    ``POST /v1/messages`` path, :mod:`gateway.api.ingest`, does the same with the functions above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        token = bind_request_id(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_access(scope, request_id, status, started)
            unbind_request_id(token)
