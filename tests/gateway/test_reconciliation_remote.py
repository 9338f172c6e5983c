"""Two real gateways on 127.0.0.1 reconcile a pair by SM3 bucket digests: ``fiscalgw reconcile remote``
fetches rows only for the buckets that differ and names exactly what differs — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import postgres_url
from tests.gateway.conftest import _postgres_schema_url
from tests.gateway.indicator_flows import CITY, PROVINCE, booking, document, issue
from tests.gateway.samples import signed_headers
from tests.gateway.test_e2e_indicator import running_gateway

pytestmark = pytest.mark.e2e


@pytest.fixture
def second_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    base = postgres_url()
    assert base is not None
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(base, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def post(base: str, config: Path, sender: str, body: bytes) -> None:
    headers = signed_headers(config, sender, body, uuid.uuid4().hex, datetime.now(UTC))
    response = httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=30)
    assert response.status_code == 202, response.text


def viewer_token(config: Path) -> str:
    for line in (config / "tokens.txt").read_text(encoding="utf-8").splitlines():
        role, token = line.split(" ", 1)
        if role == "viewer":
            return token
    raise AssertionError("no viewer token")


def test_two_gateways_compare_digests_and_fetch_only_differing_buckets(
    demo_dir: Path, demo_template: Path, tmp_path: Path, database_url: str, second_database: str
) -> None:
    other_dir = tmp_path / "other"
    shutil.copytree(demo_template, other_dir)
    shared = document("BA_BGT_INFO", issue("B-1", "1000.00"), issue("B-2", "20.00"))
    with (
        running_gateway(demo_dir, database_url) as here,
        running_gateway(other_dir, second_database) as there,
    ):
        for base, config in ((here, demo_dir), (there, other_dir)):
            post(base, config, PROVINCE, shared)
            post(base, config, CITY, document("BA_BGT_INFO", booking("L-1", "B-1", "1000.00")))
        post(here, demo_dir, PROVINCE, document("BA_BGT_INFO", issue("B-3", "30.00")))
        post(there, other_dir, PROVINCE, document("BA_BGT_INFO", issue("B-3", "31.00")))
        post(there, other_dir, CITY, document("BA_BGT_INFO", booking("L-2", "B-2", "20.00")))

        token = viewer_token(other_dir)
        params = {"upper": PROVINCE, "lower": CITY, "fiscal_year": "2026", "buckets": "16"}
        remote = httpx.get(
            f"{there}/v1/reconciliations/digests", params=params, headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert sum(d["count"] for d in remote["digests"]) == 5

        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "gateway",
                "reconcile",
                "remote",
                "--config",
                str(demo_dir),
                "--gateway",
                there,
                "--upper",
                PROVINCE,
                "--lower",
                CITY,
                "--fiscal-year",
                "2026",
                "--buckets",
                "16",
                "--fail-on-differences",
            ],
            env={**os.environ, "FISCALGW_DATABASE__URL": database_url, "FISCALGW_REMOTE_TOKEN": token},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    body = json.loads(result.stdout)
    assert body["consistent"] is False
    assert body["only_remote"] == [f"received|{CITY}|L-2"]
    assert body["only_local"] == []
    assert [c["key"] for c in body["changed"]] == [f"issued|{PROVINCE}|B-3"]
    [changed] = body["changed"]
    assert '"AMOUNT":"30.00"' in changed["local"][0] and '"AMOUNT":"31.00"' in changed["remote"][0]
    counts = {d["bucket"]: d["count"] for d in remote["digests"]}
    assert 1 <= len(body["differing_buckets"]) <= 2
    assert body["rows_fetched"] == sum(counts[b] for b in body["differing_buckets"])


def test_remote_errors_are_one_line(demo_dir: Path, database_url: str) -> None:
    env = {**os.environ, "FISCALGW_DATABASE__URL": database_url, "FISCALGW_REMOTE_TOKEN": "x"}
    args = [sys.executable, "-m", "gateway", "reconcile", "remote", "--config", str(demo_dir)]
    args += ["--upper", PROVINCE, "--lower", CITY, "--fiscal-year", "2026", "--gateway", "http://127.0.0.1:9"]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("fiscalgw: error: cannot reach") and result.stderr.count("\n") == 1
    no_token = subprocess.run(
        args, env={**env, "FISCALGW_REMOTE_TOKEN": ""}, capture_output=True, text=True, timeout=60
    )
    assert no_token.returncode == 2 and "FISCALGW_REMOTE_TOKEN" in no_token.stderr
