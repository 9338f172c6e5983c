"""End-to-end test helpers on 127.0.0.1: a minimal push receiver that records every POST it gets, and signed
requests to a gateway running as a process (the processes themselves: :mod:`gateway.demo.processes`)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from adapters.registry import default_registry
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.samples import signed_headers


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


def signed(config: Path, party: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
    """Headers of a request signed now by ``party`` with its key from the demo directory ``config``."""
    return signed_headers(config, party, body, uuid.uuid4().hex, datetime.now(UTC), path=path, method=method)


def post(base: str, config: Path, party: str, body: bytes) -> dict[str, Any]:
    """POST ``body`` to ``base``/v1/messages as ``party``; asserts 202 and returns the answer."""
    response = httpx.post(
        f"{base}/v1/messages",
        content=body,
        headers=signed(config, party, "POST", "/v1/messages", body),
        timeout=10,
    )
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def envelope(name: str) -> bytes:
    """The payment sample ``name`` (tests/adapters/payments_samples.py) as an e-voucher package."""
    return default_registry().get("evoucher").render(evoucher_document(name))


def audit_verifies(config: Path, database_url: str) -> None:
    """``fiscalgw audit verify`` on ``database_url`` succeeds."""
    verify = subprocess.run(
        [sys.executable, "-m", "gateway", "audit", "verify", "--config", str(config)],
        env={**os.environ, "FISCALGW_DATABASE__URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stderr
