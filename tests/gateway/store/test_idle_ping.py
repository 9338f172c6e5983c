"""PostgreSQL pool without ``pool_pre_ping`` (ADR 0012): a connection that sat idle in the pool longer than
``POSTGRES_PING_IDLE_SECONDS`` is pinged when it is checked out, and one the server dropped meanwhile is
replaced there — the next unit of work runs instead of failing; a connection back from recent use is not
pinged (that round trip per checkout is what the change saves)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from gateway.store import engine as engine_module
from gateway.store.unit_of_work import UnitOfWork
from tests.gateway.conftest import DATABASES

# Like every PostgreSQL variant in the suite, these run where FISCALGW_TEST_DATABASE_URL is set (always in
# CI: .ci/run sets it); the SQLite engine has no idle ping, which the last test checks.
ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [d for d in DATABASES if d == "postgresql"], indirect=True
)


def _backend_pid(eng: sa.Engine) -> int:
    with eng.connect() as connection:
        return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _count_pings(eng: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = eng.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(1)
        return real(dbapi_connection)  # type: ignore[arg-type]

    monkeypatch.setattr(eng.dialect, "do_ping", counted)
    return pings


def _age_the_pool(eng: sa.Engine, seconds: float) -> None:
    """Make every pooled connection look idle for ``seconds`` (no sleeping in tests)."""
    pool = eng.pool
    for record in list(pool._pool.queue):  # type: ignore[attr-defined]  # QueuePool's idle records
        record.info[engine_module._IDLE_SINCE] = time.monotonic() - seconds


@ON_POSTGRES
def test_a_dead_idle_connection_is_replaced_at_checkout(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(engine)
    admin = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as other:  # the server drops the connection idle in the gateway's pool
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    finally:
        admin.dispose()
    _age_the_pool(engine, engine_module.POSTGRES_PING_IDLE_SECONDS + 1)
    pings = _count_pings(engine, monkeypatch)
    with UnitOfWork(engine) as uow:
        assert uow.messages.count() == 0  # ran on a fresh connection, not the dead one
    assert pings, "the idle connection was not pinged"
    assert _backend_pid(engine) != first


@ON_POSTGRES
def test_a_recently_used_connection_is_not_pinged(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _backend_pid(engine)
    pings = _count_pings(engine, monkeypatch)
    with UnitOfWork(engine) as uow:
        assert uow.messages.count() == 0
    assert pings == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_connections_are_never_pinged(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite has no server to lose: even a connection idle past the threshold is not pinged."""
    _backend_free_use(engine)
    _age_the_pool(engine, engine_module.POSTGRES_PING_IDLE_SECONDS + 1)
    pings = _count_pings(engine, monkeypatch)
    with UnitOfWork(engine) as uow:
        assert uow.messages.count() == 0
    assert pings == []


def _backend_free_use(eng: sa.Engine) -> None:
    with eng.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
