"""``fiscalgw init``, ``db upgrade``, ``audit verify`` and ``serve --config`` as a user runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from gateway import audit
from gateway.config import load_settings
from gateway.demo_config import DEMO_PARTIES
from gateway.store.database import Database
from gateway.store.schema import head_revision
from gateway.store.tables import audit_log, messages, records
from signing import sm3_hex
from tests.conftest import free_port, wait_until_up
from tests.gateway.conftest import Harness
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers

OPENSSL = shutil.which("openssl")


def fiscalgw(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_init_writes_a_demo_that_openssl_reads(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = fiscalgw("init", str(target))
    assert result.returncode == 0, result.stderr
    settings = load_settings(target)
    assert [p.id for p in settings.parties] == [p.id for p in DEMO_PARTIES]
    assert {"330000000", "330300000", "330324000"} <= {p.id for p in settings.parties}
    assert OPENSSL is not None, "openssl CLI is required (scripts/system-deps)"
    for party_id in [*(p.id for p in DEMO_PARTIES), "fiscalgw"]:
        key = target / "keys" / f"{party_id}.key.pem"
        assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
        assert key.stat().st_mode & 0o077 == 0
        check = subprocess.run([OPENSSL, "pkey", "-in", str(key), "-noout"], capture_output=True, timeout=30)
        assert check.returncode == 0, check.stderr
        cert = subprocess.run(
            [OPENSSL, "x509", "-in", str(target / "certs" / f"{party_id}.crt.pem"), "-noout", "-subject"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert f"CN = {party_id}" in cert.stdout


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert fiscalgw("init", str(tmp_path)).returncode == 0
    again = fiscalgw("init", str(tmp_path))
    assert again.returncode == 2
    assert "already exists" in again.stderr and "Traceback" not in again.stderr


def test_db_upgrade_then_audit_verify_finds_an_edit(demo_dir: Path) -> None:
    upgraded = fiscalgw("db", "upgrade", "--config", str(demo_dir))
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"revision {head_revision()}" in upgraded.stdout
    settings = load_settings(demo_dir)
    database = Database(settings.database_url)
    with database.unit_of_work() as uow:
        for n in range(3):
            audit.append(uow.audit, actor="ops", action="outbox.retry", subject=f"outbox/{n}", at=NOW)
        uow.commit()
    intact = fiscalgw("audit", "verify", "--config", str(demo_dir))
    assert intact.returncode == 0 and "3 entries" in intact.stdout
    with database.engine.begin() as c:
        c.execute(sa.update(audit_log).where(audit_log.c.seq == 2).values(actor="intruder"))
    database.dispose()
    broken = fiscalgw("audit", "verify", "--config", str(demo_dir))
    assert broken.returncode == 1
    assert "entry 2: edited" in broken.stderr and "Traceback" not in broken.stderr


def test_audit_verify_on_an_unmigrated_database_says_what_to_do(demo_dir: Path) -> None:
    result = fiscalgw("audit", "verify", "--config", str(demo_dir))
    assert result.returncode == 1
    assert "fiscalgw db upgrade" in result.stderr


def test_missing_config_is_one_clear_line(tmp_path: Path) -> None:
    result = fiscalgw("db", "upgrade", "--config", str(tmp_path / "none.toml"))
    assert result.returncode == 2
    assert "fiscalgw init" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_dev_key_outside_dev_mode(demo_dir: Path) -> None:
    result = fiscalgw("serve", "--config", str(demo_dir), env={"FISCALGW_MODE": "production"})
    assert result.returncode == 2
    assert "dev CA" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("command", "exit_code"), [(("serve",), 2), (("relay",), 2), (("db", "upgrade"), 1)])
def test_an_unreachable_database_is_one_clear_line(
    demo_dir: Path, command: tuple[str, ...], exit_code: int
) -> None:
    # Nothing listens on this port: the driver refuses at once, and the user gets one line, no traceback.
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=3"
    result = fiscalgw(*command, "--config", str(demo_dir), env={"FISCALGW_DATABASE__URL": url})
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any("database unreachable" in line and "127.0.0.1" in line for line in lines), lines


@pytest.mark.e2e
def test_serve_with_config_accepts_a_signed_indicator(demo_dir: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--config", str(demo_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process)
        assert httpx.get(f"{base}/readyz", timeout=5).json()["status"] == "ready"
        body = indicator_document(indicator_row("330000000", "330300000", "3300002026E2E1", Decimal("10.00")))
        headers = signed_headers(demo_dir, "330000000", body, "e2e-1", datetime.now(UTC))
        response = httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=10)
        assert response.status_code == 202, response.text
        assert response.json()["records"][0]["receivers"] == ["330300000"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def test_audit_verify_names_a_rewritten_body_and_record(harness: Harness) -> None:
    """Issue 13: rewriting a stored original (5.00 → 5,000,000.00) or a canonical record must not pass as
    intact, even when the body_sm3 column is rewritten along with it (the chain's digest decides)."""
    body = indicator_document(indicator_row("330000000", "330300000", "3300002026AVC1", Decimal("5.00")))
    headers = signed_headers(harness.config_dir, "330000000", body, "avc-1", harness.clock.now)
    assert harness.client.post("/v1/messages", content=body, headers=headers).status_code == 202
    url = str(harness.gateway.database.engine.url.render_as_string(hide_password=False))
    env = {"FISCALGW_DATABASE__URL": url}
    intact = fiscalgw("audit", "verify", "--config", str(harness.config_dir), env=env)
    assert intact.returncode == 0, intact.stderr
    forged = body.replace(b"5.00", b"5000000.00")
    with harness.gateway.database.engine.begin() as c:
        c.execute(sa.update(messages).values(body=forged, body_sm3=sm3_hex(forged)))
        c.execute(
            sa.update(records).values(canonical=sa.func.replace(records.c.canonical, "5.00", "5000000.00"))
        )
    broken = fiscalgw("audit", "verify", "--config", str(harness.config_dir), env=env)
    assert broken.returncode == 1, broken.stdout
    assert "Traceback" not in broken.stderr
    assert broken.stderr.splitlines() == [
        "fiscalgw: audit: message 330000000/avc-1 (audit entry 1): the stored original body does not match "
        "the SM3 recorded in the chain",
        "fiscalgw: audit: message 330000000/avc-1 (audit entry 1): the body_sm3 column does not match the "
        "SM3 recorded in the chain",
        "fiscalgw: audit: message 330000000/avc-1 (audit entry 1): record 0 does not match the SM3 recorded "
        "in the chain",
        "fiscalgw: error: audit chain broken (3 problem(s))",
    ]
