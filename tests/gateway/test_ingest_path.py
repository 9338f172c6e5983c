"""The lean ``POST /v1/messages`` (gateway.api.ingest) answers exactly like the FastAPI route behind the
middlewares: the same requests go to two gateways, one with the lean endpoint and one without it (the
framework's route), and the status, headers, bodies, access lines and metrics must agree — the signature
header aside, since an SM2 signature is randomised (it is checked to verify instead)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.api import ingest
from gateway.api.app import create_app
from gateway.services import intake
from gateway.wire_signature import signing_string
from signing import DEFAULT_PROFILE
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers

PROVINCE, CITY = "330000000", "330300000"
REQUEST_ID = {"X-Request-Id": "req-1"}


@dataclass
class Pair:
    lean: Harness
    framework: Harness


@pytest.fixture
def pair(demo_dir: Path, tmp_path: Path) -> Iterator[Pair]:
    lean = build_harness(demo_dir, f"sqlite:///{tmp_path / 'lean.db'}")
    framework = build_harness(demo_dir, f"sqlite:///{tmp_path / 'framework.db'}")
    app = create_app(framework.gateway)
    assert isinstance(app, ingest.GatewayAPI) and app.ingest is not None
    app.ingest = None  # every request through Starlette, FastAPI and the middlewares
    framework.client.close()
    framework.client = TestClient(app, raise_server_exceptions=False)
    lean.client.close()
    lean.client = TestClient(create_app(lean.gateway), raise_server_exceptions=False)
    try:
        yield Pair(lean, framework)
    finally:
        for h in (lean, framework):
            h.client.close()
            h.gateway.close()


def _body(bgt_id: str = "3300002026LEAN01") -> bytes:
    return indicator_document(indicator_row(PROVINCE, CITY, bgt_id, Decimal("100.00")))


Send = Callable[[Harness], httpx.Response]


def _post(body: bytes, message_id: str, query: str = "", **headers: str) -> Send:
    def send(h: Harness) -> httpx.Response:
        signed = signed_headers(h.config_dir, PROVINCE, body, message_id, NOW, path="/v1/messages")
        return h.client.post(
            f"/v1/messages{query}", content=body, headers={**signed, **REQUEST_ID, **headers}
        )

    return send


def _raw(body: bytes | Callable[[], Iterator[bytes]], **headers: str) -> Send:
    def send(h: Harness) -> httpx.Response:
        content = body if isinstance(body, bytes) else body()  # a fresh stream for each side
        return h.client.post("/v1/messages", content=content, headers={**REQUEST_ID, **headers})

    return send


def _chunks() -> Iterator[bytes]:
    """A chunked body (no Content-Length) over the 16 MiB limit."""
    for _ in range(20_000_000 // 65_536 + 1):
        yield b" " * 65_536


REQUESTS: list[tuple[str, Send]] = [
    ("accepted", _post(_body(), "m-1")),
    ("replayed", _post(_body(), "m-1")),
    ("duplicate conflict", _post(_body() + b" ", "m-1")),
    ("unauthenticated", _raw(_body(), **{"Content-Type": "application/json"})),
    ("media type", _raw(_body(), **{"Content-Type": "image/png"})),
    ("declared too large", _raw(b"{}", **{"Content-Length": "99999999999"})),
    ("streamed too large", _raw(_chunks)),
    ("query NUL", _post(_body("3300002026LEAN02"), "m-2", query="?a=%00")),
    ("query signed elsewhere", _post(_body("3300002026LEAN03"), "m-3", query="?x=1")),
    ("malformed", _post(b"{not json", "m-4")),
    ("text/plain", _post(_body("3300002026LEAN05"), "m-5", **{"Content-Type": "text/plain; charset=utf-8"})),
]


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, "<signature>" if k == "x-signature" else v) for k, v in response.headers.multi_items()]
    return response.status_code, headers, response.content


def _signature_verifies(h: Harness, response: httpx.Response, target: str) -> None:
    if "x-signature" not in response.headers:
        return
    text = signing_string(
        str(response.status_code),
        target,
        response.headers["x-sender"],
        response.headers["x-message-id"],
        response.headers["x-timestamp"],
        response.content,
    )
    public = h.gateway.keyring.gateway_key.public_key()
    DEFAULT_PROFILE.verify(public, text, response.headers["x-signature"])  # raises unless it verifies


def _access_lines(records: list[logging.LogRecord]) -> list[tuple[Any, ...]]:
    return [
        (r.getMessage(), r.request_id, r.status, r.sender, r.message_id)  # type: ignore[attr-defined]
        for r in records
        if r.name == "fiscalgw.access"
    ]


def test_lean_ingest_answers_like_the_framework_route(pair: Pair, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="fiscalgw.access")
    lines: dict[str, list[tuple[Any, ...]]] = {}
    answers: dict[str, list[tuple[int, list[tuple[str, str]], bytes]]] = {}
    for side, h in (("lean", pair.lean), ("framework", pair.framework)):
        caplog.clear()
        answers[side] = []
        for name, send in REQUESTS:
            response = send(h)
            answers[side].append(_comparable(response))
            _signature_verifies(h, response, "/v1/messages")
            assert response.status_code < 500, (name, response.status_code, response.text)
        lines[side] = _access_lines(caplog.records)
    for (name, _), lean, framework in zip(REQUESTS, answers["lean"], answers["framework"], strict=True):
        assert lean == framework, name
    assert lines["lean"] == lines["framework"]
    expected = [202, 202, 409, 400, 415, 413, 413, 400, 401, 415, 202]
    assert [status for status, _, _ in answers["lean"]] == expected
    metrics = [h.client.get("/metrics").text for h in (pair.lean, pair.framework)]
    ingest_lines = [
        [line for line in m.splitlines() if line.startswith("fiscalgw_ingest_total")] for m in metrics
    ]
    assert ingest_lines[0] == ingest_lines[1] and ingest_lines[0]


def test_an_unexpected_error_is_a_plain_500_on_both_paths(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> intake.Answer:
        raise RuntimeError("a bug")

    monkeypatch.setattr(intake, "receive", broken)
    caplog.set_level(logging.INFO, logger="fiscalgw.access")
    answers = []
    for h in (pair.lean, pair.framework):
        caplog.clear()
        response = _post(_body(), "m-500")(h)
        answers.append((_comparable(response), _access_lines(caplog.records)))
    assert answers[0] == answers[1]
    (status, headers, body), access = answers[0]
    assert (status, body) == (500, b"Internal Server Error") and "x-request-id" not in dict(headers)
    assert [line[2] for line in access] == [500]
