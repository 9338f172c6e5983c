"""An in-memory implementation of the unit-of-work port (:mod:`gateway.services.ports`) for service tests.

:class:`FakeStore` holds the committed state; each :class:`FakeUnitOfWork` works on a copy and writes it
back only on :meth:`~FakeUnitOfWork.commit`, so leaving the block without committing rolls back exactly as
the SQLAlchemy unit of work does. The outbox, the audit log and the request nonces are faked; a use case that
reaches another repository fails loudly (:class:`NotFaked`) rather than passing against nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from gateway.model import AuditEntry, OutboxItem, OutboxStatus


class NotFaked:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        raise AssertionError(f"uow.{self._name}.{attr}: not faked in tests/fakes/unit_of_work.py")


@dataclass
class State:
    outbox: dict[int, OutboxItem] = field(default_factory=dict)
    audit: list[tuple[AuditEntry, str]] = field(default_factory=list)
    nonces: dict[tuple[str, str], datetime] = field(default_factory=dict)


class FakeOutbox:
    def __init__(self, state: State) -> None:
        self._s = state

    def get(self, item_id: int) -> OutboxItem | None:
        return self._s.outbox.get(item_id)

    def retry(self, item_id: int, at: datetime) -> bool:
        item = self._s.outbox.get(item_id)
        if item is None or item.status not in (OutboxStatus.DEAD, OutboxStatus.CANCELLED):
            return False
        self._s.outbox[item_id] = replace(item, status=OutboxStatus.PENDING, attempts=0, next_attempt_at=at)
        return True

    def cancel(self, item_id: int) -> bool:
        item = self._s.outbox.get(item_id)
        if item is None or item.status not in (OutboxStatus.PENDING, OutboxStatus.DEAD):
            return False
        self._s.outbox[item_id] = replace(item, status=OutboxStatus.CANCELLED)
        return True


class FakeAudit:
    """The :class:`gateway.audit.AuditStore` port over a list."""

    def __init__(self, state: State) -> None:
        self._s = state

    def head(self) -> tuple[int, str]:
        if not self._s.audit:
            return 0, "0" * 64
        last = self._s.audit[-1][0]
        return last.seq, last.hash or ""

    def lock_head(self) -> tuple[int, str]:
        return self.head()

    def append(self, entry: AuditEntry, canonical_detail: str) -> None:
        self._s.audit.append((entry, canonical_detail))

    def entries(self, batch: int = 1000) -> Iterator[AuditEntry]:
        return iter([e for e, _ in self._s.audit])


class FakeNonces:
    def __init__(self, state: State) -> None:
        self._s = state

    def use(self, sender: str, nonce: str, signed_at: datetime) -> bool:
        if (sender, nonce) in self._s.nonces:
            return False
        self._s.nonces[(sender, nonce)] = signed_at
        return True

    def prune(self, before: datetime) -> int:
        old = [k for k, at in self._s.nonces.items() if at < before]
        for k in old:
            del self._s.nonces[k]
        return len(old)


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._state: State | None = None
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        self._state = copy.deepcopy(self._store.state)
        self.outbox = FakeOutbox(self._state)
        self.audit = FakeAudit(self._state)
        self.nonces = FakeNonces(self._state)
        for name in ("messages", "ledger", "runs", "breaks", "counterparts", "payments", "statements"):
            setattr(self, name, NotFaked(name))
        for name in ("spending", "control_rules", "tracking"):
            setattr(self, name, NotFaked(name))
        return self

    def commit(self) -> None:
        assert self._state is not None, "commit() outside the with block"
        self._store.state = copy.deepcopy(self._state)
        self._store.commits += 1
        self.committed = True

    def rollback(self) -> None:
        self._state = None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()


class FakeStore:
    """The :class:`gateway.services.ports.Store` port in memory (units of work only)."""

    def __init__(self) -> None:
        self.state = State()
        self.commits = 0

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def read_unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def job_lock(self, name: str) -> AbstractContextManager[bool]:
        return nullcontext(True)
