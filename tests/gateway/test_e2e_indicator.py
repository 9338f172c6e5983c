"""Done-when, indicator leg: the province's signed indicator reaches the city by push and the county by pull,
the county acknowledges it, the lifecycle shows it, and the audit chain verifies — against the real server
on 127.0.0.1, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import tomli_w

from gateway.wire_signature import signing_string_of
from signing import DEFAULT_PROFILE, load_certificate
from tests.conftest import free_port, wait_until_up
from tests.gateway.peer import push_receiver
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"


def point_party_at(config_dir: Path, party_id: str, port: int) -> None:
    """Rewrite one party's push_url in the demo configuration to a local port."""
    path = config_dir / "fiscalgw.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for party in data["parties"]:
        if party["id"] == party_id:
            party["push_url"] = f"http://127.0.0.1:{port}/v1/push"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def point_city_at(config_dir: Path, port: int) -> None:
    point_party_at(config_dir, CITY, port)


@contextmanager
def running_gateway(demo_dir: Path, database_url: str) -> Iterator[str]:
    """``fiscalgw db upgrade`` then ``fiscalgw serve --config`` as real processes; yields the base URL."""
    port = free_port()
    upgrade = subprocess.run(
        [sys.executable, "-m", "gateway", "db", "upgrade", "--config", str(demo_dir)],
        env={**_env(database_url)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--config", str(demo_dir), "--port", str(port)],
        env=_env(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "FISCALGW_DATABASE__URL": database_url}


def signed(config: Path, party: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
    return signed_headers(config, party, body, uuid.uuid4().hex, datetime.now(UTC), path=path, method=method)


@pytest.mark.e2e
def test_indicator_reaches_city_by_push_and_county_by_pull(demo_dir: Path, database_url: str) -> None:
    with push_receiver() as city:
        point_city_at(demo_dir, city.port)
        with running_gateway(demo_dir, database_url) as base:
            body = indicator_document(
                indicator_row(PROVINCE, CITY, "3300002026E1", Decimal("12345678.90")),
                indicator_row(PROVINCE, COUNTY, "3300002026E2", Decimal("500000.00")),
            )
            headers = signed_headers(demo_dir, PROVINCE, body, "e2e-indicator", datetime.now(UTC))
            accepted = httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=10)
            assert accepted.status_code == 202, accepted.text

            assert city.arrived.wait(timeout=30), "the relay did not push to the city"
            push = city.received[0]
            gateway_cert = load_certificate((demo_dir / "certs" / "fiscalgw.crt.pem").read_bytes())
            text = signing_string_of("POST", push.path, push.headers, push.body)
            DEFAULT_PROFILE.verify(gateway_cert.public_key, text, push.headers["X-Signature"])
            assert push.headers["X-Message-Id"] == "e2e-indicator"
            assert b"3300002026E1" in push.body and b"3300002026E2" not in push.body

            inbox = httpx.get(
                f"{base}/v1/inbox", headers=signed(demo_dir, COUNTY, "GET", "/v1/inbox"), timeout=10
            )
            (item,) = inbox.json()["items"]
            ack_path = f"/v1/inbox/{item['id']}/ack"
            acked = httpx.post(
                f"{base}{ack_path}", headers=signed(demo_dir, COUNTY, "POST", ack_path), timeout=10
            )
            assert acked.json()["status"] == "acknowledged"

            status_path = "/v1/messages/e2e-indicator"
            view = httpx.get(
                f"{base}{status_path}", headers=signed(demo_dir, PROVINCE, "GET", status_path), timeout=10
            ).json()
            statuses = [e["status"] for e in view["events"]]
            assert statuses[:4] == ["received", "validated", "stored", "routed"]
            assert {"delivered", "acknowledged"} <= set(statuses)
    verify = subprocess.run(
        [sys.executable, "-m", "gateway", "audit", "verify", "--config", str(demo_dir)],
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stderr
    assert "2 entries" in verify.stdout  # message.accepted, inbox.ack
