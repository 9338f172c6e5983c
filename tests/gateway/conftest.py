"""Database fixtures: every store test runs on SQLite, and on PostgreSQL too when
``FISCALGW_TEST_DATABASE_URL`` is set (each test in its own schema, dropped afterwards)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from gateway.api.app import create_app
from gateway.bootstrap import Gateway, build_gateway
from gateway.config import DatabaseSection, load_settings
from gateway.demo_config import write_demo
from gateway.store.engine import make_engine
from gateway.store.schema import upgrade
from tests.conftest import postgres_url
from tests.gateway.samples import NOW

DATABASES = ["sqlite", *(["postgresql"] if postgres_url() else [])]


def _postgres_schema_url(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gateway.db'}"
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


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """A migrated database."""
    eng = make_engine(database_url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@dataclass
class Clock:
    """A settable clock for the gateway under test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Harness:
    config_dir: Path
    gateway: Gateway
    client: TestClient
    clock: Clock


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo configuration (dev CA and keys) per session; copied per test."""
    directory = tmp_path_factory.mktemp("demo")
    write_demo(directory, now=NOW - timedelta(days=1))
    return directory


@pytest.fixture
def demo_dir(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "fiscalgw"
    shutil.copytree(demo_template, target)
    return target


def build_harness(config_dir: Path, database_url: str, **ingest: Any) -> Harness:
    settings = load_settings(config_dir)
    update: dict[str, Any] = {"database": DatabaseSection(url=database_url)}
    if ingest:
        update["ingest"] = settings.ingest.model_copy(update=ingest)
    settings = settings.model_copy(update=update)
    clock = Clock()
    gw = build_gateway(settings, clock=clock)
    gw.database.upgrade()
    return Harness(config_dir, gw, TestClient(create_app(gw)), clock)


@pytest.fixture
def harness(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    """The gateway in-process (FastAPI TestClient) on the demo configuration and a fresh database."""
    h = build_harness(demo_dir, database_url)
    try:
        yield h
    finally:
        h.client.close()
        h.gateway.close()
