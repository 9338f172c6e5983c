"""The unit-of-work port, the store port that hands them out, and what a use case is given.

``with store.unit_of_work() as uow: …; uow.commit()`` — one use case, one transaction; leaving the block
without :meth:`UnitOfWork.commit` rolls back. :class:`gateway.store.unit_of_work.UnitOfWork` (SQLAlchemy)
and ``tests/fakes/unit_of_work.py`` (in memory) implement it; :class:`gateway.store.database.Database`
implements :class:`Store`; :class:`gateway.bootstrap.Gateway` (the composition root's container) satisfies
:class:`ServiceContext`. No SQLAlchemy here."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol, TypeVar

from adapters.registry import AdapterRegistry
from gateway.audit import AuditStore
from gateway.config import Settings
from gateway.keyring import Keyring
from gateway.parties import PartyRegistry
from gateway.services.ports.repositories import (
    Breaks,
    ControlRules,
    Counterparts,
    DeliveryListing,
    Ledger,
    MessageBrowser,
    Messages,
    Nonces,
    Outbox,
    PaymentLines,
    Runs,
    Spends,
    StatementLines,
    TraceReader,
    Tracking,
)

Clock = Callable[[], datetime]
"""Now, timezone-aware (UTC in production; a fixed or stepping clock in tests)."""


class Deferred(Protocol):
    """Work a unit of work keeps until it commits (the audit entries of a group commit)."""

    def flush(self) -> None: ...
    def mark(self) -> int: ...
    def rewind(self, mark: int) -> None: ...


DeferredT = TypeVar("DeferredT", bound=Deferred)


class UnitOfWork(Protocol):
    """One transaction; the repositories share it. Not re-entrant."""

    @property
    def messages(self) -> Messages: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def audit(self) -> AuditStore: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def runs(self) -> Runs: ...
    @property
    def breaks(self) -> Breaks: ...
    @property
    def counterparts(self) -> Counterparts: ...
    @property
    def payments(self) -> PaymentLines: ...
    @property
    def statements(self) -> StatementLines: ...
    @property
    def nonces(self) -> Nonces: ...
    @property
    def spending(self) -> Spends: ...
    @property
    def control_rules(self) -> ControlRules: ...
    @property
    def tracking(self) -> Tracking: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def deferred(self, key: str, make: Callable[[], DeferredT]) -> DeferredT:
        """The deferred work named ``key``, made by ``make`` on first use; run when the unit commits."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]

T = TypeVar("T")


class GroupCommit(Protocol):
    """Writes that may share one transaction with their neighbours' (:mod:`gateway.store.group_commit`,
    ADR 0009): ``write`` runs in the next batch and returns once that batch has committed. A write that
    raises :class:`gateway.model.Discard` is undone alone and answers the discard's result."""

    def write(self, write: Callable[[UnitOfWork], T]) -> T: ...


class Store(Protocol):
    """Where units of work and the read-only query objects come from."""

    def unit_of_work(self) -> UnitOfWork: ...

    def read_unit_of_work(self) -> UnitOfWork:
        """For single look-ups: no write lock, no multi-statement snapshot, never writes."""
        ...

    def trace_reader(self) -> TraceReader:
        """The 全链路追溯 queries (each call its own short read)."""
        ...

    def message_browser(self) -> MessageBrowser:
        """The ops pages' message search, detail and delivery queue."""
        ...

    def delivery_listing(self) -> DeliveryListing:
        """The ops API's outbox listing."""
        ...

    def job_lock(self, name: str) -> AbstractContextManager[bool]:
        """Hold ``name``'s job lock for the block; the context value is False when another node holds it."""
        ...

    @property
    def group_commit(self) -> GroupCommit:
        """The intake's batched writes."""
        ...


class ServiceContext(Protocol):
    """What a use case may reach, and nothing else (no engine, no connection, no HTTP or scheduler object)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def registry(self) -> PartyRegistry: ...
    @property
    def keyring(self) -> Keyring: ...
    @property
    def adapters(self) -> AdapterRegistry: ...
    @property
    def database(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
