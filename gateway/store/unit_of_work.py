"""One use case = one transaction. Leaving the ``with`` block without :meth:`commit` rolls back.

A database that cannot be reached or drops the connection (the driver's ``OperationalError``) surfaces as
:class:`gateway.errors.StoreError` — HTTP 503 ``store_unavailable``, a one-line CLI error — not as an
unmapped 500 (``tests/reliability/test_database_restart.py`` crashes PostgreSQL under load). A value the
database refuses (the driver's ``DataError``; SQLite's ``OverflowError`` for an integer beyond 64 bits)
surfaces as :class:`gateway.errors.ValueNotStorable` — HTTP 400 ``invalid_value``."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DataError, OperationalError

from gateway.errors import StoreError, ValueNotStorable
from gateway.store.audit_log import AuditLogRepository
from gateway.store.breaks import BreakRepository
from gateway.store.control_rule_sets import ControlRuleSets
from gateway.store.counterparts import CounterpartRepository
from gateway.store.indicator_spending import IndicatorSpending
from gateway.store.ledger import LedgerRepository
from gateway.store.messages import MessageRepository
from gateway.store.outbox import OutboxRepository
from gateway.store.payment_lines import PaymentLineRepository
from gateway.store.reconciliations import RunRepository
from gateway.store.request_nonces import RequestNonceRepository
from gateway.store.tracking import TrackingQueries
from gateway.store.web_sessions import WebSessionRepository


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: …; uow.commit()`` — repositories share one connection."""

    messages: MessageRepository
    outbox: OutboxRepository
    audit: AuditLogRepository
    ledger: LedgerRepository
    runs: RunRepository
    breaks: BreakRepository
    counterparts: CounterpartRepository
    payments: PaymentLineRepository
    nonces: RequestNonceRepository
    sessions: WebSessionRepository
    spending: IndicatorSpending
    control_rules: ControlRuleSets

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> UnitOfWork:
        if self._connection is not None:
            raise RuntimeError("a UnitOfWork is not re-entrant")
        try:
            self._connection = self._engine.connect()
            self._transaction = self._connection.begin()
        except OperationalError as exc:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            raise _unavailable(exc) from exc
        self.messages = MessageRepository(self._connection)
        self.outbox = OutboxRepository(self._connection)
        self.audit = AuditLogRepository(self._connection)
        self.ledger = LedgerRepository(self._connection)
        self.runs = RunRepository(self._connection)
        self.breaks = BreakRepository(self._connection)
        self.counterparts = CounterpartRepository(self._connection)
        self.payments = PaymentLineRepository(self._connection)
        self.nonces = RequestNonceRepository(self._connection)
        self.sessions = WebSessionRepository(self._connection)
        self.spending = IndicatorSpending(self._connection)
        self.control_rules = ControlRuleSets(self._connection)
        self.tracking = TrackingQueries(self._connection)
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
            try:
                self.rollback()
            finally:
                if self._connection is not None:
                    self._connection.close()
                self._connection = None
                self._transaction = None
        except OperationalError as failure:
            if exc is None:
                raise _unavailable(failure) from failure
        if isinstance(exc, OperationalError):  # the database went away mid-way: nothing was committed
            raise _unavailable(exc) from exc
        if isinstance(exc, DataError | OverflowError):  # a value of the input the database cannot hold
            raise _not_storable(exc) from exc


def _unavailable(exc: OperationalError) -> StoreError:
    return StoreError(f"database unavailable: {type(exc.orig).__name__ if exc.orig else type(exc).__name__}")


def _not_storable(exc: DataError | OverflowError) -> ValueNotStorable:
    reason = type(exc.orig).__name__ if isinstance(exc, DataError) and exc.orig else type(exc).__name__
    return ValueNotStorable(f"the database cannot hold a value of this request ({reason})")
