"""A production configuration as ``fiscalgw init --production`` writes it, served for real on 127.0.0.1
(issue 13 item 11): the web cookies are ``Secure`` even on loopback, ``/docs``, ``/redoc`` and
``/openapi.json`` are not served, ``/metrics`` needs a person's bearer token, and signing out ends the
session on the server."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from gateway.web.auth import LOGIN_COOKIE, SESSION_COOKIE
from signing import SM2PrivateKey, create_ca, issue_certificate, load_private_key, sm3_hex
from tests.security.helpers import edit_config
from tests.web.conftest import csrf_of
from tests.web.live import cookie_value, page_with, serving, set_cookies, sign_in_over_http

pytestmark = pytest.mark.e2e

PASSWORD = "production password 13"


@dataclass(frozen=True)
class Production:
    base: str
    tokens: dict[str, str]


def _fiscalgw(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def production(tmp_path: Path, database_url: str) -> Iterator[Production]:
    target = tmp_path / "prod"
    env = {"FISCALGW_KEY_PASSWORD": PASSWORD, "FISCALGW_DATABASE__URL": database_url}
    _fiscalgw("init", "--production", str(target), env=env)
    # The operator's steps the file lists: a CA certifies the key, people get tokens.
    now = datetime.now(UTC) - timedelta(days=1)
    ca_key = SM2PrivateKey.generate()
    ca = create_ca(ca_key, "PKI root", organization="Zhejiang Finance PKI", now=now)
    key = load_private_key((target / "keys" / "fiscalgw.key.pem").read_bytes(), PASSWORD.encode())
    (target / "certs" / "ca.crt.pem").write_bytes(ca.to_pem())
    (target / "certs" / "fiscalgw.crt.pem").write_bytes(
        issue_certificate(ca_key, ca, key.public_key(), "fiscalgw", now=now).to_pem()
    )
    tokens = {role: secrets.token_urlsafe(24) for role in ("ops", "viewer")}

    def add_people(data: dict[str, object]) -> None:
        data["people"] = [
            {"name": f"prod-{role}", "role": role, "token_sm3": sm3_hex(token.encode())}
            for role, token in tokens.items()
        ]

    edit_config(target, add_people)
    _fiscalgw("db", "upgrade", "--config", str(target), env=env)
    with serving(target, "--host", "127.0.0.1", env=env) as base:
        yield Production(base, tokens)


def _attributes(header: str) -> list[str]:
    return [part.strip().lower() for part in header.split(";")]


def test_cookies_are_secure_even_on_loopback(production: Production) -> None:
    page = httpx.get(f"{production.base}/ui/login", timeout=10)
    assert "secure" in _attributes(set_cookies(page)[LOGIN_COOKIE])
    signed_in = sign_in_over_http(production.base, production.tokens["ops"])
    session_header = set_cookies(signed_in)[SESSION_COOKIE]
    assert {"secure", "httponly", "samesite=strict"} <= set(_attributes(session_header))
    session = cookie_value(session_header)
    dashboard = page_with(production.base, session)
    assert dashboard.status_code == 200
    logout = httpx.post(
        f"{production.base}/ui/logout",
        data={"csrf": csrf_of(dashboard.text)},
        headers={"Cookie": f"{SESSION_COOKIE}={session}"},
        timeout=10,
        follow_redirects=False,
    )
    assert logout.status_code == 303
    assert "secure" in _attributes(set_cookies(logout)[SESSION_COOKIE])  # the deletion matches the cookie
    assert page_with(production.base, session).status_code == 303  # the copy is refused: signed out


def test_docs_are_off_and_metrics_need_a_token(production: Production) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert httpx.get(f"{production.base}{path}", timeout=10).status_code == 404, path
    refused = httpx.get(f"{production.base}/metrics", timeout=10)
    assert refused.status_code == 401
    assert refused.json() == {"error": "unauthenticated", "detail": refused.json()["detail"]}
    scraped = httpx.get(
        f"{production.base}/metrics",
        headers={"Authorization": f"Bearer {production.tokens['viewer']}"},
        timeout=10,
    )
    assert scraped.status_code == 200 and "fiscalgw_outbox_rows" in scraped.text
    assert httpx.get(f"{production.base}/healthz", timeout=10).status_code == 200  # liveness stays open
