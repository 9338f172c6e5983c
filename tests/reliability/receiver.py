"""A push receiver on 127.0.0.1 whose behaviour a fault test switches at run time.

It records every push it answers 2xx (the receiver's 签收) with the original sender and message id the relay
puts on each push, so a test can count deliveries and de-duplicate them the way a real receiver would. The
faults: ``down`` (nothing listens on the port), ``slow`` (answers 200 only after ``delay`` seconds — beyond
the relay's timeout), ``error`` (HTTP 500), ``garbage`` (bytes that are not HTTP at all), ``truncated`` (a
2xx status line whose body stops short of its Content-Length), ``reset`` (the connection is reset: RST, no
answer) and ``ok_garbage_body`` (200 with a body that is not JSON: the protocol's 签收 is the 2xx itself).
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Mode = Literal["ok", "slow", "error", "garbage", "truncated", "reset", "ok_garbage_body"]


@dataclass(frozen=True)
class Delivery:
    original_sender: str
    message_id: str
    path: str
    body: bytes


@dataclass
class Receiver:
    """Use :func:`start_receiver`; ``mode`` may be changed while it runs, :meth:`down` / :meth:`up` stop
    and restart the listener on the same port."""

    port: int = 0
    mode: Mode = "ok"
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    """Every push answered 2xx, in arrival order (duplicates included)."""
    requests: Counter[str] = field(default_factory=Counter)
    """Every request seen per message id, whatever the answer (the relay's attempts as seen here)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def delivered(self) -> set[tuple[str, str]]:
        """(original sender, message id) of every push answered 2xx, de-duplicated."""
        with self._lock:
            return {(d.original_sender, d.message_id) for d in self.deliveries}

    def duplicates(self) -> int:
        with self._lock:
            return len(self.deliveries) - len({(d.original_sender, d.message_id) for d in self.deliveries})

    def wait_for(self, wanted: set[tuple[str, str]], timeout: float) -> bool:
        """Poll until every (sender, message id) of ``wanted`` was delivered; False after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted <= self.delivered():
                return True
            time.sleep(0.05)
        return wanted <= self.delivered()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Poll ``condition`` until it holds; False after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return condition()

    def up(self) -> None:
        if self._server is not None:
            return
        server = _Server(("127.0.0.1", self.port), _handler(self))
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop listening: pushes now fail with "connection refused"."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished (a SIGKILLed relay resets its keep-alive connection) is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            message_id = self.headers.get("X-Message-Id", "")
            sender = self.headers.get("X-Original-Sender", "")
            mode = receiver.mode
            with receiver._lock:
                receiver.requests[message_id] += 1
            if mode == "reset":
                # SO_LINGER 0 then close: the kernel sends RST instead of FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if mode == "garbage":
                self.wfile.write(b"\x00\x17 not HTTP at all \xff\r\n\r\n")
                self.close_connection = True
                return
            if mode == "truncated":
                self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"status":')
                self.close_connection = True
                return
            if mode == "error":
                self._answer(500, b'{"error":"internal"}')
                return
            if mode == "slow":
                time.sleep(receiver.delay)
            with receiver._lock:
                receiver.deliveries.append(Delivery(sender, message_id, self.path, body))
            self._answer(200, b"\x89PNG not json" if mode == "ok_garbage_body" else b'{"status":"ok"}')

        def _answer(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the relay gave up (timeout) before a slow answer: nothing to tell it
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def start_receiver(port: int = 0) -> Receiver:
    receiver = Receiver(port=port)
    receiver.up()
    return receiver
