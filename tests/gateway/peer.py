"""A minimal push receiver on 127.0.0.1 for end-to-end tests: records every POST it gets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    started: float = 0.0
    finished: float = 0.0


@dataclass
class Peer:
    port: int
    delay: float = 0.0
    """Seconds each answer takes (to make concurrent deliveries overlap if they ever could)."""
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@contextmanager
def push_receiver(delay: float = 0.0) -> Iterator[Peer]:
    peer = Peer(port=0, delay=delay)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            started = time.monotonic()
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if peer.delay:
                time.sleep(peer.delay)
            with lock:
                peer.received.append(
                    Received(self.path, dict(self.headers.items()), body, started, time.monotonic())
                )
            peer.arrived.set()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
