"""Read-only listing of the outbox for ops (``GET /v1/ops/outbox``): deliveries by state and receiver,
newest first, keyset-paginated by id (``before_id``), and the undelivered counts per receiver."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, and_, case, func, or_, select

from gateway.model import OutboxStatus
from gateway.store.tables import messages, outbox

STATES = ("pending", "retrying", "dead", "cancelled", "sent")
"""``retrying`` is a pending push that has failed at least once; ``pending`` has not been tried yet."""

DELIVERY_STATE = case(
    (and_(outbox.c.status == OutboxStatus.PENDING.value, outbox.c.attempts > 0), "retrying"),
    else_=outbox.c.status,
)
"""The state of an outbox row as ops see it (one of :data:`STATES`), as a SQL expression."""


@dataclass(frozen=True)
class OutboxRow:
    id: int
    receiver: str
    channel: str
    format: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    dead_at: datetime | None
    original_sender: str
    original_message_id: str
    message_type: str


def state_condition(state: str) -> ColumnElement[bool]:
    """The WHERE clause selecting outbox rows in ``state`` (one of :data:`STATES`)."""
    if state == "retrying":
        return and_(outbox.c.status == OutboxStatus.PENDING.value, outbox.c.attempts > 0)
    if state == "pending":
        return and_(outbox.c.status == OutboxStatus.PENDING.value, outbox.c.attempts == 0)
    return outbox.c.status == state


class OutboxListing:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def rows(
        self,
        states: Collection[str],
        *,
        receiver: str | None = None,
        sender: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> tuple[list[OutboxRow], bool]:
        """Up to ``limit`` rows in ``states``, newest first, and whether more follow."""
        unknown = set(states) - set(STATES)
        if unknown or not states:
            raise ValueError(f"states must be among {', '.join(STATES)}")
        query = (
            select(
                outbox.c.id,
                outbox.c.receiver,
                outbox.c.channel,
                outbox.c.format,
                DELIVERY_STATE.label("state"),
                outbox.c.attempts,
                outbox.c.next_attempt_at,
                outbox.c.last_error,
                outbox.c.created_at,
                outbox.c.sent_at,
                outbox.c.dead_at,
                outbox.c.original_sender,
                outbox.c.original_message_id,
                messages.c.msg_type,
            )
            .select_from(outbox.join(messages, messages.c.id == outbox.c.message_pk))
            .where(or_(*(state_condition(s) for s in sorted(states))))
        )
        if receiver is not None:
            query = query.where(outbox.c.receiver == receiver)
        if sender is not None:
            query = query.where(outbox.c.original_sender == sender)
        if before_id is not None:
            query = query.where(outbox.c.id < before_id)
        query = query.order_by(outbox.c.id.desc()).limit(limit + 1)
        with self._engine.connect() as connection:
            found = connection.execute(query).all()
        return [
            OutboxRow(
                id=int(r.id),
                receiver=r.receiver,
                channel=r.channel,
                format=r.format,
                state=str(r.state),
                attempts=int(r.attempts),
                next_attempt_at=r.next_attempt_at,
                last_error=r.last_error,
                created_at=r.created_at,
                sent_at=r.sent_at,
                dead_at=r.dead_at,
                original_sender=r.original_sender,
                original_message_id=r.original_message_id,
                message_type=r.msg_type,
            )
            for r in found[:limit]
        ], len(found) > limit

    def counts(self, receiver: str | None = None) -> dict[str, dict[str, int]]:
        """receiver → {pending, retrying, dead, cancelled} for the rows not yet delivered."""
        state = DELIVERY_STATE.label("state")
        query = select(outbox.c.receiver, state, func.count().label("n")).where(
            outbox.c.status.in_(
                [OutboxStatus.PENDING.value, OutboxStatus.DEAD.value, OutboxStatus.CANCELLED.value]
            )
        )
        if receiver is not None:
            query = query.where(outbox.c.receiver == receiver)
        query = query.group_by(outbox.c.receiver, state)
        counts: dict[str, dict[str, int]] = {}
        with self._engine.connect() as connection:
            for r in connection.execute(query):
                by_state = counts.setdefault(r.receiver, dict.fromkeys(STATES[:4], 0))
                by_state[str(r.state)] = int(r.n)
        return dict(sorted(counts.items()))
