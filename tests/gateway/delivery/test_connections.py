"""The relay's kept-alive HTTP/1.1 pool (gateway/delivery/connections.py) against real sockets on 127.0.0.1:
connections are reused, a connection the receiver closed while idle costs no delivery, every broken answer is
an error with the name ops know, and concurrent pushes never mix their bodies."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from gateway.delivery.connections import MAX_ANSWER_BYTES, ConnectionPool, PushError
from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.transport import HTTPTransport, Push

Reply = Callable[[bytes, int], bytes | None]
"""(request body, index of the request on its connection) → raw bytes to answer, or None to close at once."""


def _ok(body: bytes, _index: int) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


@dataclass
class RawServer:
    """An HTTP/1.1 server written on sockets, so each test says exactly what goes on the wire."""

    reply: Reply = _ok
    close_after: int | None = None
    """Close each connection after this many answers, without saying so (a receiver's idle timeout)."""
    connections: int = 0
    bodies: list[bytes] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        index = 0
        try:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = next(
                    int(h.split(b":", 1)[1])
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length")
                )
                body = reader.read(length)
                with self._lock:
                    self.bodies.append(body)
                answer = self.reply(body, index)
                if answer is None:
                    return
                conn.sendall(answer)
                index += 1
                if self.close_after is not None and index >= self.close_after:
                    return
        except OSError:
            return
        finally:
            reader.close()
            conn.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/push?x=1"


@contextmanager
def raw_server(**options: object) -> Iterator[RawServer]:
    server = RawServer(**options)  # type: ignore[arg-type]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server.port = listener.getsockname()[1]
    threading.Thread(target=server.serve, args=(listener,), daemon=True).start()
    try:
        yield server
    finally:
        listener.close()


def test_one_connection_carries_many_pushes() -> None:
    with raw_server() as server:
        pool = ConnectionPool(timeout=5)
        answers = [pool.post(server.url, f"push-{n}".encode(), {"X-N": str(n)}) for n in range(20)]
        pool.close()
    assert [a.status for a in answers] == [200] * 20
    assert [a.text for a in answers] == [f"push-{n}" for n in range(20)]
    assert server.connections == 1
    assert server.bodies == [f"push-{n}".encode() for n in range(20)]


def test_a_connection_closed_while_idle_costs_no_delivery() -> None:
    with raw_server(close_after=1) as server:  # every connection ends after one answer, unannounced
        pool = ConnectionPool(timeout=5)
        statuses = []
        for n in range(5):
            statuses.append(pool.post(server.url, f"p{n}".encode(), {}).status)
            threading.Event().wait(0.02)  # let the close reach us before the next push takes the connection
        pool.close()
    assert statuses == [200] * 5
    assert server.bodies == [f"p{n}".encode() for n in range(5)]  # each exactly once
    assert server.connections == 5


def test_a_fresh_connection_that_closes_without_an_answer_is_an_error_not_a_retry() -> None:
    with raw_server(reply=lambda _b, _i: None) as server:
        pool = ConnectionPool(timeout=5)
        with pytest.raises(PushError, match="RemoteProtocolError"):
            pool.post(server.url, b"x", {})
        pool.close()
    assert server.bodies == [b"x"]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"status":', "RemoteProtocolError"),
        (b"\x00\x17 not HTTP at all \xff\r\n\r\n", "RemoteProtocolError"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "RemoteProtocolError"),
    ],
    ids=["truncated", "garbage", "truncated-chunked"],
)
def test_broken_answers_are_errors(answer: bytes, kind: str) -> None:
    with raw_server(reply=lambda _b, _i: answer, close_after=1) as server:
        pool = ConnectionPool(timeout=5)
        with pytest.raises(PushError) as info:
            pool.post(server.url, b"x", {})
        pool.close()
    assert info.value.kind == kind


def test_a_chunked_answer_is_read_and_the_connection_kept() -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    with raw_server(reply=lambda _b, _i: chunked) as server:
        pool = ConnectionPool(timeout=5)
        answers = [pool.post(server.url, b"x", {}) for _ in range(3)]
        pool.close()
    assert [(a.status, a.text) for a in answers] == [(200, "abcde")] * 3
    assert server.connections == 1


def test_a_huge_answer_is_not_read_whole_and_its_connection_not_kept() -> None:
    big = b"y" * (MAX_ANSWER_BYTES * 4)
    answer = b"HTTP/1.1 500 Oops\r\nContent-Length: " + str(len(big)).encode() + b"\r\n\r\n" + big
    with raw_server(reply=lambda _b, _i: answer) as server:
        transport = HTTPTransport(timeout=5)
        for _ in range(2):
            with pytest.raises(DeliveryFailed, match=r"^HTTP 500: y{200}$"):
                transport.send(Push(server.url, b"x", {}))
        transport.close()
    assert server.connections == 2


def test_a_redirect_is_not_followed() -> None:
    moved = b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n"
    with raw_server(reply=lambda _b, _i: moved) as server:
        transport = HTTPTransport(timeout=5)
        with pytest.raises(DeliveryFailed, match="HTTP 302"):
            transport.send(Push(server.url, b"x", {}))
        transport.close()
    assert server.bodies == [b"x"]


def test_slow_answer_is_a_read_timeout() -> None:
    def slow(_body: bytes, _index: int) -> bytes:
        threading.Event().wait(1.0)
        return _ok(b"late", 0)

    with raw_server(reply=slow) as server:
        pool = ConnectionPool(timeout=0.2)
        with pytest.raises(PushError, match=r"^ReadTimeout"):
            pool.post(server.url, b"x", {})
        pool.close()


def test_nobody_listening_is_a_connect_error() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # bound then closed: nothing listens there
    with pytest.raises(PushError, match=r"^ConnectError: .*refused"):
        ConnectionPool(timeout=2).post(f"http://127.0.0.1:{port}/", b"x", {})


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("ftp://127.0.0.1/x", "UnsupportedProtocol"),
        ("http:///x", "UnsupportedProtocol"),
        ("http://h:99999/", "InvalidURL"),
    ],
)
def test_urls_it_cannot_post_to(url: str, kind: str) -> None:
    with pytest.raises(PushError) as info:
        ConnectionPool().post(url, b"x", {})
    assert info.value.kind == kind


def test_concurrent_pushes_share_the_pool_without_mixing_bodies() -> None:
    with raw_server() as server:
        pool = ConnectionPool(timeout=5)
        bodies = [f"body-{n:04d}-".encode() * (1 + n % 7) for n in range(400)]
        with ThreadPoolExecutor(max_workers=8) as workers:
            answers = list(workers.map(lambda b: pool.post(server.url, b, {}), bodies))
        pool.close()
    assert [a.text for a in answers] == [b.decode()[:200] for b in bodies]  # each answer echoes its own body
    assert sorted(server.bodies) == sorted(bodies)
    assert server.connections <= 8


def test_the_request_carries_the_push_headers_and_target() -> None:
    seen: list[bytes] = []

    def record(body: bytes, index: int) -> bytes:
        return _ok(body, index)

    with raw_server(reply=record) as server:
        original = server._handle

        def spy(conn: socket.socket) -> None:
            peeked = conn.recv(4096, socket.MSG_PEEK)
            seen.append(peeked)
            original(conn)

        server._handle = spy  # type: ignore[method-assign]
        transport = HTTPTransport(timeout=5)
        transport.send(
            Push(server.url, b"{}", {"X-Fiscalgw-Signature": "sig", "Content-Type": "application/json"})
        )
        transport.close()
    head = seen[0].split(b"\r\n\r\n")[0].decode()
    assert head.startswith("POST /v1/push?x=1 HTTP/1.1\r\n")
    assert "X-Fiscalgw-Signature: sig" in head and "Content-Type: application/json" in head
    assert f"Host: 127.0.0.1:{server.port}" in head and "Content-Length: 2" in head


def test_a_receivers_bytes_reach_last_error_escaped() -> None:
    """PostgreSQL text cannot hold NUL: a failure's text names the receiver's bytes without carrying them."""
    page = b"oops\x00\x1b[31m\r\nmore"
    answer = b"HTTP/1.1 500 Oops\r\nContent-Length: " + str(len(page)).encode() + b"\r\n\r\n" + page
    with raw_server(reply=lambda _b, _i: answer) as server:
        transport = HTTPTransport(timeout=5)
        with pytest.raises(DeliveryFailed) as info:
            transport.send(Push(server.url, b"x", {}))
        transport.close()
    assert info.value.detail == "HTTP 500: oops\\x00\\x1b[31m\\x0d\\x0amore"
    assert str(info.value) == info.value.detail
