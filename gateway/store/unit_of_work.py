"""One use case = one transaction. Leaving the ``with`` block without :meth:`commit` rolls back.

A database that cannot be reached or drops the connection (the driver's ``OperationalError``) surfaces as
:class:`gateway.errors.StoreError` — HTTP 503 ``store_unavailable``, a one-line CLI error — not as an
unmapped 500 (``tests/reliability/test_database_restart.py`` crashes PostgreSQL under load). A value the
database refuses (the driver's ``DataError``; SQLite's ``OverflowError`` for an integer beyond 64 bits)
surfaces as :class:`gateway.errors.ValueNotStorable` — HTTP 400 ``invalid_value``.

Work may be *deferred* to the commit (:meth:`UnitOfWork.deferred`: the audit entries of a group commit are
chained there in one statement, :mod:`gateway.store.group_commit`), and a part of the work may be undone
alone (:meth:`UnitOfWork.savepoint`), deferred work included."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Insert, RootTransaction
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
from gateway.store.statement_lines import StatementLineRepository
from gateway.store.tracking import TrackingQueries
from gateway.store.web_sessions import WebSessionRepository


class Deferred(Protocol):
    """Work kept until :meth:`UnitOfWork.commit` runs it (:meth:`flush`); a savepoint that rolls back
    rewinds it to the :meth:`mark` taken when the savepoint began."""

    def flush(self) -> None: ...
    def mark(self) -> int: ...
    def rewind(self, mark: int) -> None: ...


D = TypeVar("D", bound=Deferred)


class PendingInserts:
    """Rows of plain INSERTs nobody reads before the commit (the details of accepted messages: lifecycle
    events, records, trace keys, routes, push outbox rows), kept until :meth:`UnitOfWork.commit`: then one
    executemany per statement for the whole group-commit batch instead of one per message and table
    (ADR 0012). Statements run in the order they were first used, which keeps rows after the rows they
    reference. A constraint a row breaks therefore fails the commit, and the group commit runs the writes
    of that batch again alone (ADR 0009)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._rows: list[tuple[Insert, dict[str, Any]]] = []

    def add(self, statement: Insert, rows: Iterable[dict[str, Any]]) -> None:
        self._rows.extend((statement, row) for row in rows)

    def mark(self) -> int:
        return len(self._rows)

    def rewind(self, mark: int) -> None:
        del self._rows[mark:]

    def flush(self) -> None:
        by_statement: dict[Insert, list[dict[str, Any]]] = {}
        for statement, row in self._rows:
            by_statement.setdefault(statement, []).append(row)
        self._rows.clear()
        for statement, rows in by_statement.items():
            self._c.execute(statement, rows)


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
    statements: StatementLineRepository
    nonces: RequestNonceRepository
    sessions: WebSessionRepository
    spending: IndicatorSpending
    control_rules: ControlRuleSets

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._deferred: dict[str, Deferred] = {}

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
        pending = PendingInserts(self._connection)
        self._deferred["inserts"] = pending  # first: flushed before the work deferred after it
        self.messages = MessageRepository(self._connection, pending)
        self.outbox = OutboxRepository(self._connection, pending)
        self.audit = AuditLogRepository(self._connection)
        self.ledger = LedgerRepository(self._connection, pending)
        self.runs = RunRepository(self._connection)
        self.breaks = BreakRepository(self._connection)
        self.counterparts = CounterpartRepository(self._connection)
        self.payments = PaymentLineRepository(self._connection)
        self.statements = StatementLineRepository(self._connection)
        self.nonces = RequestNonceRepository(self._connection)
        self.sessions = WebSessionRepository(self._connection)
        self.spending = IndicatorSpending(self._connection)
        self.control_rules = ControlRuleSets(self._connection)
        self.tracking = TrackingQueries(self._connection)
        return self

    def deferred(self, key: str, make: Callable[[], D]) -> D:
        """The deferred work named ``key`` of this unit of work, made by ``make`` on first use."""
        work = self._deferred.get(key)
        if work is None:
            work = self._deferred[key] = make()
        return work  # type: ignore[return-value]  # one key, one type: the caller's

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """The block's writes (deferred work included) are undone alone if it raises; it raises on."""
        if self._connection is None:
            raise RuntimeError("savepoint() outside the with block")
        marks = {key: work.mark() for key, work in self._deferred.items()}
        nested = self._connection.begin_nested()
        try:
            yield
        except BaseException:
            if nested.is_active:
                nested.rollback()
            for key, work in self._deferred.items():
                work.rewind(marks.get(key, 0))
            raise
        nested.commit()

    def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("commit() outside the with block")
        for work in self._deferred.values():
            work.flush()
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
                self._deferred = {}
        except OperationalError as failure:
            if exc is None:
                raise _unavailable(failure) from failure
        if isinstance(exc, OperationalError):  # the database went away mid-way: nothing was committed
            raise _unavailable(exc) from exc
        if isinstance(exc, DataError | OverflowError):  # a value of the input the database cannot hold
            raise _not_storable(exc) from exc


def translated(exc: BaseException) -> BaseException:
    """What :meth:`UnitOfWork.__exit__` turns ``exc`` into (for a part undone alone by a savepoint)."""
    if isinstance(exc, OperationalError):
        return _unavailable(exc)
    if isinstance(exc, DataError | OverflowError):
        return _not_storable(exc)
    return exc


def _unavailable(exc: OperationalError) -> StoreError:
    return StoreError(f"database unavailable: {type(exc.orig).__name__ if exc.orig else type(exc).__name__}")


def _not_storable(exc: DataError | OverflowError) -> ValueNotStorable:
    reason = type(exc.orig).__name__ if isinstance(exc, DataError) and exc.orig else type(exc).__name__
    return ValueNotStorable(f"the database cannot hold a value of this request ({reason})")
