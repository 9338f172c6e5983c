"""Done-when, payment leg over real HTTP: a 5201 voucher reaches the simulated bank, its 回单 returns to the
county, the bank's 2301 reaches the simulated PBOC and its clearing receipt comes back — signed, traced and
in the audit chain; SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.registry import default_registry
from tests.adapters.payments_samples import evoucher_document
from tests.conftest import free_port
from tests.gateway.samples import signed_headers
from tests.gateway.test_e2e_indicator import point_party_at, running_gateway

COUNTY, BANK, PBC = "330324000", "102333300018", "3303240000"
VOUCHER_NO = "3303245201260000123"


@contextmanager
def simulator(role: str, config: Path, port: int, gateway: str, database_url: str) -> Iterator[None]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway",
            "simulate",
            role,
            "--config",
            str(config),
            "--port",
            str(port),
            "--gateway",
            gateway,
        ],
        env={**os.environ, "FISCALGW_DATABASE__URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline().decode("utf-8")  # printed once the port is bound
        assert "simulated" in banner, banner
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def signed(config: Path, party: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
    return signed_headers(config, party, body, uuid.uuid4().hex, datetime.now(UTC), path=path, method=method)


def post(base: str, config: Path, party: str, body: bytes) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/v1/messages", content=body, headers=signed(config, party, "POST", "/v1/messages", body)
    )
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def wait_for_inbox(base: str, config: Path, party: str, message_type: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = httpx.get(f"{base}/v1/inbox", headers=signed(config, party, "GET", "/v1/inbox")).json()[
            "items"
        ]
        for item in items:
            document = default_registry().identify(base64.b64decode(item["body_base64"]))
            parsed = document.parse(base64.b64decode(item["body_base64"]))
            types = {getattr(r.message, "message_type", "") for r in parsed.records}
            ack = f"/v1/inbox/{item['id']}/ack"
            httpx.post(f"{base}{ack}", headers=signed(config, party, "POST", ack))
            if message_type in types:
                return dict(item)
        time.sleep(0.2)
    raise AssertionError(f"no {message_type} reached {party}'s inbox")


def envelope(name: str) -> bytes:
    return default_registry().get("evoucher").render(evoucher_document(name))


@pytest.mark.e2e
def test_voucher_receipt_and_clearing_over_simulated_bank_and_pboc(demo_dir: Path, database_url: str) -> None:
    bank_port, pbc_port = free_port(), free_port()
    point_party_at(demo_dir, BANK, bank_port)
    point_party_at(demo_dir, PBC, pbc_port)
    with (
        running_gateway(demo_dir, database_url) as base,
        simulator("bank", demo_dir, bank_port, base, database_url),
        simulator("pbc", demo_dir, pbc_port, base, database_url),
    ):
        assert post(base, demo_dir, COUNTY, envelope("5201"))["records"][0]["receivers"] == [BANK]
        receipt = wait_for_inbox(base, demo_dir, COUNTY, "payment_receipt")
        assert receipt["original_sender"] == BANK
        assert post(base, demo_dir, BANK, envelope("2301"))["records"][0]["receivers"] == [PBC]
        cleared = wait_for_inbox(base, demo_dir, COUNTY, "clearing_receipt")
        assert cleared["original_sender"] == PBC
        path = "/v1/trace"
        chain = httpx.get(
            f"{base}{path}?voucher_no={VOUCHER_NO}", headers=signed(demo_dir, COUNTY, "GET", path)
        ).json()["chain"]
        assert [c["message_type"] for c in chain] == [
            "payment_voucher",
            "payment_receipt",
            "clearing_receipt",
        ]
    verify = subprocess.run(
        [sys.executable, "-m", "gateway", "audit", "verify", "--config", str(demo_dir)],
        env={**os.environ, "FISCALGW_DATABASE__URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stderr
