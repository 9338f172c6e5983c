"""Structured logs: JSON lines (or text) from one configuration, a request id per request, sender / message
id / status / latency on every ingest and every push — and never a body, a key, a signature or a token."""

from __future__ import annotations

import io
import json
import logging
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport, Push
from gateway.logging_setup import LogFormat, configure
from tests.conftest import free_port, wait_until_up
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY = "330000000", "330300000"
SECRET_TEXT = "耕地地力保护补贴"  # in every sample indicator body (BGT_DEC)


@contextmanager
def captured(fmt: LogFormat) -> Iterator[io.StringIO]:
    """``configure(fmt)`` into a buffer; the logging set-up of the test run is put back afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    loggers = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate) for n in names}
    disabled = logging.getLogger("uvicorn.access").disabled
    buffer = io.StringIO()
    configure(fmt, stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], level = saved[0], saved[1]
        root.setLevel(level)
        for name, (handlers, propagate) in loggers.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
        logging.getLogger("uvicorn.access").disabled = disabled


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def ingest(h: Harness, message_id: str, **headers: str) -> httpx.Response:
    body = indicator_document(indicator_row(PROVINCE, CITY, f"B{uuid.uuid4().hex[:12]}", Decimal("1.00")))
    signed = signed_headers(h.config_dir, PROVINCE, body, message_id, h.clock.now)
    return h.client.post("/v1/messages", content=body, headers={**signed, **headers})


def test_every_ingest_is_one_json_line_with_its_request_id(harness: Harness) -> None:
    with captured("json") as buffer:
        response = ingest(harness, "log-1")
        refused = ingest(harness, "log-1", **{"X-Sender": "110000000"})
    assert response.status_code == 202 and refused.status_code == 401
    access = [entry for entry in lines(buffer) if entry["logger"] == "fiscalgw.access"]
    first, second = access
    assert first["request_id"] == response.headers["X-Request-Id"]
    assert first["request_id"] != second["request_id"]
    assert (first["method"], first["path"], first["status"]) == ("POST", "/v1/messages", 202)
    assert (first["sender"], first["message_id"]) == (PROVINCE, "log-1")
    assert isinstance(first["latency_ms"], float) and first["latency_ms"] >= 0
    assert first["level"] == "INFO" and first["ts"].endswith("Z")
    assert (second["sender"], second["status"]) == ("110000000", 401)


def test_logs_never_hold_bodies_signatures_keys_or_tokens(harness: Harness) -> None:
    token = (harness.config_dir / "tokens.txt").read_text().split()[1]
    with captured("json") as buffer:
        response = ingest(harness, "log-2")
        harness.client.get("/v1/ops/outbox", headers={"Authorization": f"Bearer {token}"})
    text = buffer.getvalue()
    assert response.status_code == 202 and text
    assert SECRET_TEXT not in text and "BA_BGT_INFO" not in text
    assert token not in text
    assert "PRIVATE KEY" not in text
    signature = signed_headers(harness.config_dir, PROVINCE, b"x", "m", harness.clock.now)["X-Signature"]
    assert signature[:16] not in text


def test_a_sane_request_id_from_the_caller_is_kept_and_a_bad_one_replaced(harness: Harness) -> None:
    with captured("json") as buffer:
        kept = harness.client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.2"})
        replaced = harness.client.get("/healthz", headers={"X-Request-Id": "a b<script>"})
    assert kept.headers["X-Request-Id"] == "lb-7f3a.2"
    assert replaced.headers["X-Request-Id"] != "a b<script>" and len(replaced.headers["X-Request-Id"]) == 32
    access = [e["request_id"] for e in lines(buffer) if e["logger"] == "fiscalgw.access"]
    assert access == ["lb-7f3a.2", replaced.headers["X-Request-Id"]]


def test_text_format_carries_the_same_fields(harness: Harness) -> None:
    with captured("text") as buffer:
        response = ingest(harness, "log-3")
    (line,) = [ln for ln in buffer.getvalue().splitlines() if "fiscalgw.access" in ln]
    assert "POST /v1/messages 202" in line
    assert f"request_id={response.headers['X-Request-Id']}" in line
    assert "sender=330000000" in line and "message_id=log-3" in line


def test_the_relay_logs_each_push_with_its_receiver_and_attempt(harness: Harness) -> None:
    assert ingest(harness, "log-4").status_code == 202

    def refuse(_push: Push) -> None:
        raise DeliveryFailed("HTTP 503: busy")

    with captured("json") as buffer:
        Relay(harness.gateway, MockTransport(refuse), rng=random.Random(0)).run_once()
    (entry,) = [e for e in lines(buffer) if e["logger"] == "gateway.delivery.relay"]
    assert entry["level"] == "WARNING"
    assert (entry["receiver"], entry["sender"], entry["message_id"]) == (CITY, PROVINCE, "log-4")
    assert entry["attempts"] == 1 and entry["error"] == "HTTP 503: busy" and entry["outbox_id"] >= 1
    assert SECRET_TEXT not in buffer.getvalue()


def test_configure_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="json, text"):
        configure("xml")  # type: ignore[arg-type]


@pytest.mark.e2e
def test_serve_log_format_json_writes_only_json_lines(
    demo_dir: Path, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {**os.environ, "FISCALGW_DATABASE__URL": database_url}
    log_file = tmp_path / "serve.log"
    with log_file.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway",
                "serve",
                "--config",
                str(demo_dir),
                "--port",
                str(port),
                "--log-format",
                "json",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/healthz", process)
            body = indicator_document(indicator_row(PROVINCE, CITY, "3300002026LOG1", Decimal("1.00")))
            headers = signed_headers(demo_dir, PROVINCE, body, "serve-log-1", datetime.now(UTC))
            answer = httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=10)
            assert answer.status_code == 202, answer.text
        finally:
            process.terminate()
            process.wait(timeout=15)
    text = log_file.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    assert any("Uvicorn running" in e["msg"] for e in entries)  # uvicorn's own lines too
    (ingest_line,) = [e for e in entries if e.get("path") == "/v1/messages"]
    assert ingest_line["request_id"] == answer.headers["X-Request-Id"]
    assert (ingest_line["sender"], ingest_line["message_id"], ingest_line["status"]) == (
        PROVINCE,
        "serve-log-1",
        202,
    )
    assert SECRET_TEXT not in text and "PRIVATE KEY" not in text
