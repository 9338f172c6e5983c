"""Kept-alive HTTP/1.1 connections for the relay's pushes, over the standard library's ``http.client``.

A push is one POST of a few kilobytes to a receiver the gateway pushes to all day; what it costs is almost all
client overhead. httpx spent about 1.1 ms of CPU per push on this box against 0.34 ms for ``http.client`` on
the same keep-alive connection (issue 14), so the relay's transport uses this small pool instead.

* One idle list per (scheme, host, port), shared by the relay's push threads under one lock, at most
  :data:`MAX_IDLE_PER_ORIGIN` connections kept per origin.
* ``timeout`` bounds the connect and every read and write, as httpx's single-number timeout does.
* A connection taken from the idle list may have been closed by the receiver since (its idle timeout): if
  sending the request or reading the status line fails on such a connection *before any byte of an answer
  came back*, the request is sent once more on a new connection, as browsers and urllib3 do. A receiver that
  took the request and closed without answering can thus see it twice; pushes are at-least-once and carry
  their message id, so receivers already de-duplicate (docs/threat-model.md).
* HTTPS verifies the receiver's certificate and host name against the system's CA store
  (:func:`ssl.create_default_context`). Proxy variables (``HTTPS_PROXY`` …) are not read: pushes go straight
  to the configured ``push_url``.
* Errors are :class:`PushError` with the names ops know from the outbox's ``last_error`` (``ConnectError``,
  ``ConnectTimeout``, ``ReadTimeout``, ``WriteError``, ``RemoteProtocolError``), then the system's text.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_IDLE_PER_ORIGIN = 32
MAX_ANSWER_BYTES = 64 * 1024
"""An answer body longer than this is not read to the end: the connection is closed instead of kept."""


class PushError(Exception):
    """One POST failed before an HTTP answer was read whole: ``kind`` names how (see the module docstring)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    """The start of the body (at most 200 characters), for the error of a non-2xx answer."""


_Origin = tuple[str, str, int]


class ConnectionPool:
    """``post(url, body, headers)`` over kept-alive connections; thread-safe; :meth:`close` ends them all."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._idle: dict[_Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._tls: ssl.SSLContext | None = None

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        origin, target = _split(url)
        reused = self._take(origin)
        if reused is not None:
            try:
                return self._exchange(reused, origin, target, body, headers)
            except _Stale:
                pass  # closed by the receiver while idle: once more on a new connection
        return self._exchange(self._open(origin), origin, target, body, headers, fresh=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    # ---- internals -----------------------------------------------------------------------------------

    def _take(self, origin: _Origin) -> http.client.HTTPConnection | None:
        with self._lock:
            connections = self._idle.get(origin)
            return connections.pop() if connections else None

    def _give_back(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed:
                connections = self._idle.setdefault(origin, [])
                if len(connections) < MAX_IDLE_PER_ORIGIN:
                    connections.append(connection)
                    return
        connection.close()

    def _open(self, origin: _Origin) -> http.client.HTTPConnection:
        scheme, host, port = origin
        connection: http.client.HTTPConnection
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            connection = http.client.HTTPSConnection(host, port, timeout=self._timeout, context=self._tls)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._timeout)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise PushError("ConnectTimeout", str(exc) or "timed out") from None
        except OSError as exc:  # refused, unreachable, TLS handshake or certificate (ssl.SSLError)
            connection.close()
            raise PushError("ConnectError", str(exc) or type(exc).__name__) from None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        origin: _Origin,
        target: str,
        body: bytes,
        headers: Mapping[str, str],
        fresh: bool = False,
    ) -> Answer:
        answered = False
        try:
            connection.request("POST", target, body=body, headers=dict(headers))
            response = connection.getresponse()
            answered = True
            length = response.length  # the Content-Length http.client parsed (None: chunked or until close)
            if length is not None and length > MAX_ANSWER_BYTES:
                text = response.read(200).decode("utf-8", "replace")
                connection.close()
                return Answer(response.status, text)
            # read() of a known length raises IncompleteRead when the body stops short; read(n) would not.
            data = response.read() if length is not None else response.read(MAX_ANSWER_BYTES + 1)
        except TimeoutError as exc:
            connection.close()
            raise PushError("ReadTimeout", str(exc) or "timed out") from None
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            connection.close()
            if not fresh and not answered:
                raise _Stale from None
            raise PushError(_kind(exc, answered), str(exc) or type(exc).__name__) from None
        except http.client.HTTPException as exc:
            connection.close()
            raise PushError("RemoteProtocolError", f"{type(exc).__name__}: {exc}"[:300]) from None
        except OSError as exc:
            connection.close()
            raise PushError(_kind(exc, answered), str(exc) or type(exc).__name__) from None
        if len(data) > MAX_ANSWER_BYTES or response.will_close or not response.isclosed():
            connection.close()
        else:
            self._give_back(origin, connection)
        return Answer(response.status, data[:200].decode("utf-8", "replace"))


class _Stale(Exception):
    """A kept-alive connection the receiver had closed: nothing of an answer arrived."""


def _kind(exc: OSError, answered: bool) -> str:
    if isinstance(exc, http.client.RemoteDisconnected):
        return "RemoteProtocolError"
    return "ReadError" if answered or isinstance(exc, ConnectionResetError) else "WriteError"


def _split(url: str) -> tuple[_Origin, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise PushError("UnsupportedProtocol", f"not an http(s) URL: {url[:200]!r}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise PushError("InvalidURL", f"bad port in {url[:200]!r}") from None
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return (scheme, parts.hostname, port), target
