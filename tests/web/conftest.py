"""Fixtures for the web pages: a seeded gateway (SQLite, and PostgreSQL when configured) and sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.gateway.conftest import Harness, build_harness
from tests.gateway.conftest import database_url as database_url  # fixtures shared with tests/gateway
from tests.gateway.conftest import demo_dir as demo_dir
from tests.gateway.conftest import demo_template as demo_template
from tests.web.seed import Seeded, seed, tokens

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    harness: Harness
    seeded: Seeded
    tokens: dict[str, str]

    def client(self) -> TestClient:
        """A fresh browser-like client (its own cookie jar) on the same application."""
        return TestClient(self.harness.client.app)

    def signed_in(self, role: str) -> TestClient:
        client = self.client()
        sign_in(client, self.tokens[role])
        return client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> None:
    form = client.get("/ui/login")
    assert form.status_code == 200
    answer = client.post(
        "/ui/login", data={"csrf": csrf_of(form.text), "token": token, "next": ""}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


@pytest.fixture
def site(demo_dir: Path, database_url: str) -> Iterator[Site]:
    h = build_harness(demo_dir, database_url)
    try:
        yield Site(h, seed(h.gateway, h.client, demo_dir, h.clock), tokens(demo_dir))
    finally:
        h.client.close()
        h.gateway.close()
