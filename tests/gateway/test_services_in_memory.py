"""Use cases driven through the in-memory unit of work (tests/fakes): no database, the same service code the
API calls. What it checks is the use case's own rule — one commit with its audit entry, nothing committed
when it refuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from gateway import audit
from gateway.model import OutboxItem, OutboxStatus
from gateway.services import ops
from gateway.services.errors import NotFound
from tests.fakes.unit_of_work import FakeStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Context:
    """Only what the ops use cases read of a :class:`gateway.services.ports.ServiceContext`."""

    database: FakeStore = field(default_factory=FakeStore)

    def clock(self) -> datetime:
        return NOW


def _item(item_id: int, status: OutboxStatus) -> OutboxItem:
    return OutboxItem(
        item_id, 1, "bank", "push", "evoucher", b"<x/>", "finance", f"m-{item_id}", status, 5, NOW
    )


def _context(*items: OutboxItem) -> Context:
    ctx = Context()
    ctx.database.state.outbox = {i.id: i for i in items}
    return ctx


def test_retry_requeues_a_dead_delivery_and_audits_it_in_one_commit() -> None:
    ctx = _context(_item(7, OutboxStatus.DEAD))
    ops.retry(ctx, 7, actor="ops-li")  # type: ignore[arg-type]
    state = ctx.database.state
    assert ctx.database.commits == 1
    assert state.outbox[7].status is OutboxStatus.PENDING and state.outbox[7].attempts == 0
    [(entry, _)] = state.audit
    assert (entry.actor, entry.action, entry.subject, entry.at) == ("ops-li", "outbox.retry", "outbox/7", NOW)


def test_retry_of_a_pending_delivery_commits_nothing() -> None:
    ctx = _context(_item(7, OutboxStatus.PENDING))
    with pytest.raises(NotFound, match="is pending, not dead or cancelled"):
        ops.retry(ctx, 7, actor="ops-li")  # type: ignore[arg-type]
    assert ctx.database.commits == 0 and ctx.database.state.audit == []


def test_cancel_records_the_reason_and_the_chain_verifies() -> None:
    ctx = _context(_item(3, OutboxStatus.PENDING), _item(4, OutboxStatus.DEAD))
    ops.cancel(ctx, 3, actor="ops-li", reason="receiver retired")  # type: ignore[arg-type]
    ops.retry(ctx, 4, actor="ops-wang")  # type: ignore[arg-type]
    state = ctx.database.state
    assert state.outbox[3].status is OutboxStatus.CANCELLED
    assert [e.detail for e, _ in state.audit] == [{"reason": "receiver retired"}, {}]
    with ctx.database.unit_of_work() as uow:
        assert audit.verify(uow.audit) == 2


def test_an_unknown_row_is_not_found_without_opening_a_transaction() -> None:
    ctx = _context()
    with pytest.raises(NotFound, match="does not exist"):
        ops.cancel(ctx, 0, actor="ops-li")  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="outbox row 9 does not exist"):
        ops.retry(ctx, 9, actor="ops-li")  # type: ignore[arg-type]
    assert ctx.database.commits == 0
