"""Issue #13's hostile inputs against the real server (``fiscalgw serve`` on 127.0.0.1, uvicorn's own URL
decoding, on SQLite and on PostgreSQL when ``FISCALGW_TEST_DATABASE_URL`` is set): every one is a 4xx in the
standard ``{"error", "detail"}`` shape, and the server logs no traceback. The in-process suites
(``test_hostile_http.py``, ``test_hostile_text.py``) cover each case in detail; this checks the transport
delivers them as those suites assume."""

from __future__ import annotations

import json
import os
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
from tests.security.helpers import CITY, COUNTY, PROVINCE, error_code

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(demo_dir: Path, database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The real server on the demo configuration and ``database_url``; yields its base URL and its log."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "FISCALGW_DATABASE__URL": database_url}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--config", str(demo_dir), "--port", str(port)],
            cwd=demo_dir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/healthz", process)
            yield base, log
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _token(demo_dir: Path, role: str) -> dict[str, str]:
    tokens = dict(line.split(" ", 1) for line in (demo_dir / "tokens.txt").read_text().splitlines() if line)
    return {"Authorization": f"Bearer {tokens[role]}"}


def _signed(
    demo_dir: Path, party: str, method: str, path: str, body: bytes, message_id: str
) -> dict[str, str]:
    return signed_headers(demo_dir, party, body, message_id, datetime.now(UTC), path=path, method=method)


def test_hostile_inputs_over_the_real_transport(server: tuple[str, Path], demo_dir: Path) -> None:
    base, log = server
    document = indicator_document(indicator_row(PROVINCE, CITY, "3300002026REAL1", Decimal("1.00")))
    duplicate = document.replace(b'"AMOUNT": "1.00"', b'"AMOUNT": "1.00", "AMOUNT": "9.00"')
    beyond = document.replace(b'"1.00"', b'"92233720368547758.08"')
    surrogate = document.replace(b'"BGT_DEC": "', b'"BGT_DEC": "\\ud800', 1)
    reason = b'{"reason": "a\\u0000b"}'
    with httpx.Client(base_url=base, timeout=10) as client:
        answers = {
            "nul_in_a_query": (
                client.get("/v1/breaks", params={"upper": "a\x00b"}, headers=_token(demo_dir, "viewer")),
                400,
                "invalid_text",
            ),
            "nul_in_a_path": (
                client.get("/v1/ops/messages/3300%0000000/m-1", headers=_token(demo_dir, "viewer")),
                400,
                "invalid_text",
            ),
            "fastapi_validation": (client.get("/v1/inbox", params={"limit": "many"}), 422, "invalid_request"),
            "nul_in_a_reject_reason": (
                client.post(
                    "/v1/inbox/1/reject",
                    content=reason,
                    headers=_signed(demo_dir, COUNTY, "POST", "/v1/inbox/1/reject", reason, "r-1"),
                ),
                400,
                "invalid_text",
            ),
        }
        for name, body in (("duplicate_key", duplicate), ("lone_surrogate", surrogate), ("beyond", beyond)):
            headers = _signed(demo_dir, PROVINCE, "POST", "/v1/messages", body, f"real-{name}")
            code = "malformed_document" if name != "beyond" else ""
            answers[name] = (client.post("/v1/messages", content=body, headers=headers), 400, code)
    for name, (response, status, code) in answers.items():
        if name == "beyond":  # whichever layer refuses it: the money maximum (422) or the store's net (400)
            assert 400 <= response.status_code < 500, (name, response.text)
            error_code(response)
            continue
        assert response.status_code == status, (name, response.text)
        assert error_code(response) == code, (name, response.text)
    assert json.loads(answers["duplicate_key"][0].text)["detail"]["code"] == "duplicate_key"
    assert json.loads(answers["lone_surrogate"][0].text)["detail"]["code"] == "invalid_text"
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
