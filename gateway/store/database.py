"""The one object the rest of the gateway holds to reach the database: the SQLAlchemy implementation of the
:class:`gateway.services.ports.Store` port (units of work, the read-only query objects, the job lock), plus
the schema operations the CLI and the server start-up call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from gateway.errors import StoreError
from gateway.store import schema
from gateway.store.browse import Browse
from gateway.store.engine import READ_ONLY, make_engine
from gateway.store.group_commit import GroupCommitter
from gateway.store.outbox_listing import OutboxListing
from gateway.store.reconciliations import job_lock
from gateway.store.trace_queries import TraceQueries
from gateway.store.unit_of_work import UnitOfWork

GROUP_COMMIT_WRITERS = {"sqlite": 1, "postgresql": 2}
"""Writer threads of the group commit per process: SQLite's writers queue on one lock anyway."""


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        # Look-ups: on SQLite a deferred BEGIN (no write lock); on PostgreSQL no transaction at all — one
        # SELECT needs none, and autocommit saves the BEGIN and ROLLBACK round trips.
        self._reader = (
            self.engine.execution_options(**{READ_ONLY: True})
            if self.dialect == "sqlite"
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.group_commit = GroupCommitter(
            self.unit_of_work, writers=GROUP_COMMIT_WRITERS.get(self.dialect, 2)
        )
        """Writes that may share a transaction with their neighbours' (intake): :mod:`.group_commit`."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def read_unit_of_work(self) -> UnitOfWork:
        """A unit of work for single look-ups: on SQLite it does not take the write lock (deferred BEGIN), so
        it neither waits for nor delays the writers; on PostgreSQL each statement runs in autocommit. It
        gives no multi-statement snapshot and must never write: use :meth:`unit_of_work` for that."""
        return UnitOfWork(self._reader)

    def trace_reader(self) -> TraceQueries:
        return TraceQueries(self.engine)

    def message_browser(self) -> Browse:
        return Browse(self.engine)

    def delivery_listing(self) -> OutboxListing:
        return OutboxListing(self.engine)

    @contextmanager
    def job_lock(self, name: str) -> Iterator[bool]:
        """See :func:`gateway.store.reconciliations.job_lock` (a PostgreSQL advisory lock; SQLite: True)."""
        with job_lock(self.engine, name) as acquired:
            yield acquired

    def ping(self) -> None:
        """Raise :class:`StoreError` unless the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StoreError(f"database unreachable: {type(exc).__name__}") from None

    def upgrade(self) -> str:
        """Bring the schema to head; an unreachable database is a :class:`StoreError` (one line)."""
        try:
            return schema.upgrade(self.engine)
        except OperationalError as exc:
            raise StoreError(f"database unreachable: {_first_line(exc)}") from None

    def require_current(self) -> None:
        try:
            schema.require_current(self.engine)
        except OperationalError as exc:
            raise StoreError(f"database unreachable: {_first_line(exc)}") from None

    def dispose(self) -> None:
        self.group_commit.close()
        self.engine.dispose()


def _first_line(exc: OperationalError) -> str:
    """The driver's own message (host, port, reason) without SQLAlchemy's statement and link lines."""
    text_ = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return text_[0][:300] if text_ else type(exc).__name__
