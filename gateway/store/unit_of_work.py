"""One use case = one transaction. Leaving the ``with`` block without :meth:`commit` rolls back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, RootTransaction

from gateway.store.audit_log import AuditLogRepository
from gateway.store.messages import MessageRepository
from gateway.store.outbox import OutboxRepository


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: …; uow.commit()`` — repositories share one connection."""

    messages: MessageRepository
    outbox: OutboxRepository
    audit: AuditLogRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> UnitOfWork:
        if self._connection is not None:
            raise RuntimeError("a UnitOfWork is not re-entrant")
        self._connection = self._engine.connect()
        self._transaction = self._connection.begin()
        self.messages = MessageRepository(self._connection)
        self.outbox = OutboxRepository(self._connection)
        self.audit = AuditLogRepository(self._connection)
        return self

    def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("commit() outside the with block")
        self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            self._transaction = None
