"""The transactional outbox (push deliveries) and the pull inbox built on the same rows.

Push: relays claim due rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers) and push
the claim's ``next_attempt_at`` one lease ahead, all in one short transaction. A relay that dies mid-delivery
leaves the row pending; it becomes due again when the lease runs out — nothing is lost, and while the lease
runs no second relay can take the row.

Pull: the receiver's ``GET /v1/inbox`` offers pending rows whose ``visible_after`` has passed and hides them
for the visibility timeout; 签收 (ack) or 退回 (reject) settles them, anything else comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, insert, select, update

from gateway.model import NewOutboxItem, OutboxItem, OutboxStatus
from gateway.store.tables import inbox_items, outbox

if TYPE_CHECKING:
    from gateway.store.unit_of_work import PendingInserts


def _item(row: Row[*tuple[Any, ...]]) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        message_pk=row.message_pk,
        receiver=row.receiver,
        channel=row.channel,
        format=row.format,
        body=bytes(row.body),
        original_sender=row.original_sender,
        original_message_id=row.original_message_id,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )


_ADD = insert(outbox).returning(outbox.c.id)
_INSERT = insert(outbox)
_ADD_INBOX = insert(inbox_items)


def _outbox_row(item: NewOutboxItem) -> dict[str, Any]:
    return {
        "message_pk": item.message_pk,
        "receiver": item.receiver,
        "channel": item.channel,
        "format": item.format,
        "body": item.body,
        "original_sender": item.original_sender,
        "original_message_id": item.original_message_id,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": item.created_at,
        "created_at": item.created_at,
    }


class OutboxRepository:
    def __init__(self, connection: Connection, pending: PendingInserts | None = None) -> None:
        self._c = connection
        self._pending = pending

    def add_at_commit(self, item: NewOutboxItem) -> None:
        """:meth:`add`, but a push row is written when the unit of work commits, with the other pending
        inserts of its batch (nothing reads it before: the relay claims committed rows). A pull row is
        written at once: its inbox row needs the outbox id."""
        if self._pending is None or item.channel == "pull":
            self.add(item)
        else:
            self._pending.add(_INSERT, (_outbox_row(item),))

    def add(self, item: NewOutboxItem) -> int:
        pk = self._c.execute(_ADD, _outbox_row(item)).scalar_one()
        if item.channel == "pull":
            self._c.execute(
                _ADD_INBOX,
                {
                    "outbox_id": pk,
                    "receiver": item.receiver,
                    "visible_after": item.created_at,
                    "offered_count": 0,
                },
            )
        return int(pk)

    def get(self, item_id: int) -> OutboxItem | None:
        row = self._c.execute(select(outbox).where(outbox.c.id == item_id)).one_or_none()
        return None if row is None else _item(row)

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxItem]:
        """Claim up to ``limit`` due push rows for one relay: counts the attempt and leases the row."""
        rows = self._c.execute(
            select(outbox)
            .where(
                outbox.c.channel == "push",
                outbox.c.status == OutboxStatus.PENDING.value,
                outbox.c.next_attempt_at <= now,
            )
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        self._c.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(attempts=outbox.c.attempts + 1, next_attempt_at=now + lease)
        )
        return [
            _item(r)
            for r in self._c.execute(select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
        ]

    def mark_sent(self, item_id: int, at: datetime) -> None:
        self._set(item_id, status=OutboxStatus.SENT.value, sent_at=at, last_error=None)

    def mark_sent_many(self, item_ids: Sequence[int], at: datetime) -> None:
        """Several rows delivered in one pass: one statement."""
        if item_ids:
            self._c.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(item_ids)))
                .values(status=OutboxStatus.SENT.value, sent_at=at, last_error=None)
            )

    def mark_failed(self, item_id: int, error: str, next_attempt_at: datetime) -> None:
        self._set(item_id, last_error=error[:2000], next_attempt_at=next_attempt_at)

    def mark_dead(self, item_id: int, error: str, at: datetime) -> None:
        self._set(item_id, status=OutboxStatus.DEAD.value, last_error=error[:2000], dead_at=at)

    def cancel(self, item_id: int) -> bool:
        """Ops: stop delivering a pending or dead row. False if it was not pending or dead."""
        result = self._c.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .where(outbox.c.status.in_([OutboxStatus.PENDING.value, OutboxStatus.DEAD.value]))
            .values(status=OutboxStatus.CANCELLED.value)
        )
        return result.rowcount == 1

    def retry(self, item_id: int, at: datetime) -> bool:
        """Ops: put a dead or cancelled row back in the queue with a fresh attempt count."""
        result = self._c.execute(
            update(outbox)
            .where(outbox.c.id == item_id)
            .where(outbox.c.status.in_([OutboxStatus.DEAD.value, OutboxStatus.CANCELLED.value]))
            .values(status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=at, dead_at=None)
        )
        return result.rowcount == 1

    def replayable(self, since: datetime, receiver: str | None = None) -> int:
        """How many rows :meth:`replay_since` would queue again (the same conditions, nothing changed)."""
        query = (
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.created_at >= since, outbox.c.channel == "push")
            .where(outbox.c.status == OutboxStatus.SENT.value)
        )
        if receiver is not None:
            query = query.where(outbox.c.receiver == receiver)
        return int(self._c.execute(query).scalar_one())

    def replay_since(self, since: datetime, at: datetime, receiver: str | None = None) -> int:
        """Ops: deliver again every sent push row created at or after ``since``; returns the count."""
        query = (
            update(outbox)
            .where(outbox.c.created_at >= since, outbox.c.channel == "push")
            .where(outbox.c.status == OutboxStatus.SENT.value)
            .values(status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=at, sent_at=None)
        )
        if receiver is not None:
            query = query.where(outbox.c.receiver == receiver)
        return int(self._c.execute(query).rowcount)

    def depth(self) -> dict[OutboxStatus, int]:
        rows = self._c.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
        counts = dict.fromkeys(OutboxStatus, 0)
        for status, count in rows:
            counts[OutboxStatus(status)] = int(count)
        return counts

    # ---- pull inbox ------------------------------------------------------------------------------------

    def offer(self, receiver: str, now: datetime, limit: int, visibility: timedelta) -> list[OutboxItem]:
        """The receiver's visible, unsettled items; each is hidden for ``visibility`` until settled."""
        rows = self._c.execute(
            select(inbox_items.c.id, inbox_items.c.outbox_id)
            .where(
                inbox_items.c.receiver == receiver,
                inbox_items.c.visible_after <= now,
                inbox_items.c.acked_at.is_(None),
                inbox_items.c.rejected_at.is_(None),
            )
            .order_by(inbox_items.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        self._c.execute(
            update(inbox_items)
            .where(inbox_items.c.id.in_([r.id for r in rows]))
            .values(visible_after=now + visibility, offered_count=inbox_items.c.offered_count + 1)
        )
        ids = [r.outbox_id for r in rows]
        return [
            _item(r)
            for r in self._c.execute(select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
        ]

    def settle(self, item_id: int, receiver: str, at: datetime, *, reject_reason: str | None = None) -> bool:
        """签收 (``reject_reason`` None) or 退回 an item of ``receiver``; False if unknown or settled."""
        values: dict[str, Any] = (
            {"acked_at": at} if reject_reason is None else {"rejected_at": at, "reject_reason": reject_reason}
        )
        result = self._c.execute(
            update(inbox_items)
            .where(inbox_items.c.outbox_id == item_id, inbox_items.c.receiver == receiver)
            .where(inbox_items.c.acked_at.is_(None), inbox_items.c.rejected_at.is_(None))
            .values(**values)
        )
        if result.rowcount != 1:
            return False
        self._set(item_id, status=OutboxStatus.SENT.value, sent_at=at)
        return True

    def _set(self, item_id: int, **values: Any) -> None:
        self._c.execute(update(outbox).where(outbox.c.id == item_id).values(**values))

    def pending_ids(self, receiver: str) -> Sequence[int]:
        rows = self._c.execute(
            select(outbox.c.id)
            .where(outbox.c.receiver == receiver, outbox.c.status == OutboxStatus.PENDING.value)
            .order_by(outbox.c.id)
        )
        return [int(r.id) for r in rows]
