"""The engine factory: SQLite (a file, the embedded default) or PostgreSQL (several processes or nodes).

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: writers queue on the database lock at the
start instead of failing half-way with "database is locked", which is what keeps the audit chain and
message ids serial on a single node. WAL lets readers continue while one writer works; a connection marked
:data:`READ_ONLY` (``Database.read_unit_of_work``) begins a plain deferred transaction, so a look-up does not
queue behind — or hold up — the writers. ``synchronous`` stays FULL: a commit is on disk before the 2xx
(ADR 0004, addendum "Ingest performance").

Writers of one process also queue on an in-process lock before ``BEGIN IMMEDIATE`` (file databases): SQLite's
busy handler makes a waiting writer sleep in growing steps (up to 100 ms) while the lock may already be free,
which under a dozen request threads and the relay cost more than the writes. The lock is taken at ``BEGIN``
and released when the connection goes back to the pool; the busy timeout still covers other processes (the
CLI, a second process on the same file).

On PostgreSQL a connection is pinged when it leaves the pool only if it sat there longer than
:data:`POSTGRES_PING_IDLE_SECONDS` (a firewall or a server restart may have dropped it meanwhile). A busy
pool's connections are not pinged: ``pool_pre_ping`` cost one ``SELECT 1`` round trip per checkout, the
largest single item of an ingest's profile (ADR 0012). A connection that died while busy fails its first
statement; SQLAlchemy recognises the disconnect and invalidates the whole pool (every older connection is
replaced at its next checkout), and the group commit runs the writes of a failed batch again alone on fresh
connections (ADR 0009) — ``tests/reliability/test_database_restart.py`` crashes PostgreSQL under load.

A database file the gateway creates is created mode 0600 (owner only, like the keys), whatever the umask;
SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file. A file that already exists keeps
its mode (the operator may have chosen it); a warning is logged when others can read it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.pool import StaticPool

_SQLITE_BUSY_TIMEOUT_MS = 30_000

_HOLDS_WRITER_LOCK = "fiscalgw_holds_writer_lock"

READ_ONLY = "fiscalgw_read_only"
"""Execution option of connections that only read (SQLite: deferred ``BEGIN`` instead of ``IMMEDIATE``)."""

log = logging.getLogger(__name__)

DATABASE_FILE_MODE = 0o600

POSTGRES_POOL_SIZE = 10
"""Connections kept per process: the request threads of one worker plus its relay, without a reconnect
per request under load (SQLAlchemy's default is 5)."""


POSTGRES_PING_IDLE_SECONDS = 10.0
"""A pooled connection idle longer than this is pinged (``SELECT 1``) before it is handed out."""

_IDLE_SINCE = "fiscalgw_idle_since"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and immediate transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        import psycopg  # the PostgreSQL driver (a dependency), loaded when a server database is used

        server = create_engine(
            url,
            echo=echo,
            pool_size=POSTGRES_POOL_SIZE,
            max_overflow=2 * POSTGRES_POOL_SIZE,
            # Statements are compiled with PostgreSQL's own $1, $2, … placeholders and run on psycopg's raw
            # cursors, which send them as they are: psycopg's default cursors rewrite every %(name)s query
            # in Python, and cache the rewrite only for a short query with at most 50 parameters — never
            # for the multi-row INSERT of an envelope's rows, whose rewrite was most of the commit's CPU.
            paramstyle="numeric_dollar",
            connect_args={"cursor_factory": psycopg.RawCursor},
        )

        @event.listens_for(server, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.server_cursor_factory = psycopg.RawServerCursor  # stream_results / yield_per

        # An executemany INSERT as one multi-row INSERT … VALUES (…), (…) (SQLAlchemy's "insertmanyvalues",
        # which psycopg 3 gets only with RETURNING by default): one statement for the rows of a whole
        # group-commit batch instead of psycopg's pipeline of one execution per row (ADR 0012).
        server.dialect.use_insertmanyvalues_wo_returning = True
        _ping_when_idle(server, POSTGRES_PING_IDLE_SECONDS)
        return server
    memory = parsed.database in (None, "", ":memory:")
    if not memory and parsed.database is not None and "uri" not in parsed.query:
        _owner_only(Path(parsed.database))
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False},
        poolclass=StaticPool if memory else None,
    )
    _configure_sqlite(engine, wal=not memory)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a connection at checkout when it has been idle in the pool for more than ``idle_seconds``; a
    dead one raises :class:`DisconnectionError`, on which the pool drops it and hands out another (a fresh
    connection is never pinged). The record's ``info`` is cleared when its connection is replaced."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(
                f"pooled connection idle {time.monotonic() - idle_since:.0f} s is gone"
            ) from exc


def _owner_only(path: Path) -> None:
    """Create the database file 0600 before SQLite does (SQLite would apply the umask, typically 0644)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DATABASE_FILE_MODE)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("SQLite database %s is mode %o: others can read it (chmod 600 it)", path, mode)
        return
    except OSError:
        return  # a missing directory or no permission: SQLite reports it when it connects
    os.fchmod(descriptor, DATABASE_FILE_MODE)  # os.open's mode is filtered by the umask; this is not
    os.close(descriptor)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")  # the default, stated: durable before the answer
        cursor.close()

    writers = threading.Lock() if wal else None  # an in-memory database has one shared connection

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.info
        acquired = False
        if writers is not None and not info.get(_HOLDS_WRITER_LOCK):
            if not writers.acquire(timeout=_SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked by this process")
                )
            info[_HOLDS_WRITER_LOCK] = acquired = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if acquired:
                info.pop(_HOLDS_WRITER_LOCK, None)
                assert writers is not None
                writers.release()
            raise

    if writers is not None:

        @event.listens_for(engine, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            if record.info.pop(_HOLDS_WRITER_LOCK, False):
                writers.release()
