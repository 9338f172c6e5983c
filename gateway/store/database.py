"""The one object the rest of the gateway holds to reach the database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StoreError
from gateway.store import schema
from gateway.store.engine import READ_ONLY, make_engine
from gateway.store.unit_of_work import UnitOfWork


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

    def ping(self) -> None:
        """Raise :class:`StoreError` unless the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StoreError(f"database unreachable: {type(exc).__name__}") from None

    def upgrade(self) -> str:
        return schema.upgrade(self.engine)

    def require_current(self) -> None:
        schema.require_current(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
