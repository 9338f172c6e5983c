"""The one object the rest of the gateway holds to reach the database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StoreError
from gateway.store import schema
from gateway.store.engine import make_engine
from gateway.store.unit_of_work import UnitOfWork


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

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
