"""Slow-loris style clients against the real server (``fiscalgw serve`` on 127.0.0.1): a client that trickles
its body is answered ``408 request_timeout`` and disconnected once ``ingest.body_read_timeout_seconds`` has
passed, and the server keeps serving others. The trickle loop is bounded (at most 150 bytes, 0.1 s apart)."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until_up
from tests.gateway.samples import indicator_document, indicator_row, signed_headers
from tests.security.helpers import CITY, PROVINCE

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(demo_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "FISCALGW_INGEST__BODY_READ_TIMEOUT_SECONDS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--config", str(demo_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_until_closed(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def test_a_trickling_body_is_cut_off_with_408(server: str, demo_dir: Path) -> None:
    body = indicator_document(indicator_row(PROVINCE, CITY, "3300002026SLOW1", Decimal("1.00")))
    headers = signed_headers(demo_dir, PROVINCE, body, "slow-1", datetime.now(UTC))
    port = int(server.rsplit(":", 1)[1])
    head = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(body) + 10_000}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("ascii"))
        sent, answered = 0, False
        for _ in range(150):
            try:
                sock.sendall(body[sent : sent + 1] or b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
            if select.select([sock], [], [], 0.1)[0]:
                answered = True
                break
        assert answered, f"the server still read the body after {sent} trickled bytes"
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"error":"request_timeout"' in answer
    assert b"connection: close" in answer.lower()
    # The server goes on serving: a normal signed message is accepted.
    headers = signed_headers(demo_dir, PROVINCE, body, "slow-2", datetime.now(UTC))
    response = httpx.post(f"{server}/v1/messages", content=body, headers=headers, timeout=10)
    assert response.status_code == 202, response.text
