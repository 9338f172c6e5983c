"""Read-only listing of the outbox, shared by the ops API (``GET /v1/ops/outbox``: by state, receiver and
sender, newest first, keyset-paginated by id with ``before_id``) and the 投递队列 page and message page
(:mod:`gateway.store.browse`: newest activity first with page offsets, and the pull receiver's inbox fields).

One row type (:class:`DeliveryRow`), one query (:func:`list_deliveries`, the inbox columns joined only when
asked) and one count of the undelivered rows (:func:`undelivered_counts`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, func, null, or_, select

from gateway.model import OutboxStatus
from gateway.rows import STATES, DeliveryRow
from gateway.store.tables import inbox_items, messages, outbox

UNDELIVERED = STATES[:4]
"""The states :func:`undelivered_counts` counts."""

DELIVERY_STATE = case(
    (and_(outbox.c.status == OutboxStatus.PENDING.value, outbox.c.attempts > 0), "retrying"),
    else_=outbox.c.status,
)
"""The state of an outbox row as ops see it (one of :data:`STATES`), as a SQL expression."""

Order = Literal["newest", "oldest", "activity"]
"""``newest``: id descending (keyset with ``before_id``); ``oldest``: id ascending; ``activity``: newest
``next_attempt_at`` first, in the order of the ``(status, next_attempt_at)`` index (no sort even for the
~all "sent" rows)."""


@dataclass(frozen=True)
class DeliveryQuery:
    """What :func:`list_deliveries` selects; ``None`` / empty means "any"."""

    states: Collection[str] = ()
    receiver: str | None = None
    sender: str | None = None
    message_pk: int | None = None
    outbox_id: int | None = None
    before_id: int | None = None
    order: Order = "newest"
    offset: int = 0
    limit: int | None = None
    """``None``: every matching row (and "more" is always False)."""
    with_inbox: bool = False
    """Join the pull receiver's inbox item (acked / rejected)."""


def state_condition(state: str) -> ColumnElement[bool]:
    """The WHERE clause selecting outbox rows in ``state`` (one of :data:`STATES`)."""
    if state == "retrying":
        return and_(outbox.c.status == OutboxStatus.PENDING.value, outbox.c.attempts > 0)
    if state == "pending":
        return and_(outbox.c.status == OutboxStatus.PENDING.value, outbox.c.attempts == 0)
    return outbox.c.status == state


def _query(q: DeliveryQuery) -> Any:
    inbox_columns: tuple[Any, ...] = (
        (inbox_items.c.acked_at, inbox_items.c.rejected_at, inbox_items.c.reject_reason)
        if q.with_inbox
        else (null().label("acked_at"), null().label("rejected_at"), null().label("reject_reason"))
    )
    source: Any = outbox.join(messages, messages.c.id == outbox.c.message_pk)
    if q.with_inbox:
        source = source.outerjoin(inbox_items, inbox_items.c.outbox_id == outbox.c.id)
    query = select(
        outbox.c.id,
        outbox.c.message_pk,
        outbox.c.receiver,
        outbox.c.channel,
        outbox.c.format,
        outbox.c.original_sender,
        outbox.c.original_message_id,
        messages.c.msg_type,
        DELIVERY_STATE.label("state"),
        outbox.c.attempts,
        outbox.c.next_attempt_at,
        outbox.c.last_error,
        outbox.c.created_at,
        outbox.c.sent_at,
        outbox.c.dead_at,
        *inbox_columns,
    ).select_from(source)
    if q.states:
        unknown = set(q.states) - set(STATES)
        if unknown:
            raise ValueError(f"states must be among {', '.join(STATES)}")
        query = query.where(or_(*(state_condition(s) for s in sorted(set(q.states)))))
    for column, value in (
        (outbox.c.receiver, q.receiver),
        (outbox.c.original_sender, q.sender),
        (outbox.c.message_pk, q.message_pk),
        (outbox.c.id, q.outbox_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if q.before_id is not None:
        query = query.where(outbox.c.id < q.before_id)
    if q.order == "activity":
        query = query.order_by(outbox.c.next_attempt_at.desc(), outbox.c.id.desc())
    elif q.order == "oldest":
        query = query.order_by(outbox.c.id)
    else:
        query = query.order_by(outbox.c.id.desc())
    if q.offset:
        query = query.offset(q.offset)
    if q.limit is not None:
        query = query.limit(q.limit + 1)
    return query


def _row(row: Any) -> DeliveryRow:
    return DeliveryRow(
        id=int(row.id),
        message_pk=int(row.message_pk),
        receiver=row.receiver,
        channel=row.channel,
        format=row.format,
        original_sender=row.original_sender,
        original_message_id=row.original_message_id,
        msg_type=row.msg_type,
        state=str(row.state),
        attempts=int(row.attempts),
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        dead_at=row.dead_at,
        acked_at=row.acked_at,
        rejected_at=row.rejected_at,
        reject_reason=row.reject_reason,
    )


def list_deliveries(connection: Connection, q: DeliveryQuery) -> tuple[list[DeliveryRow], bool]:
    """The rows ``q`` selects (at most ``q.limit``) and whether more follow (``LIMIT n + 1``, no count)."""
    found = connection.execute(_query(q)).all()
    if q.limit is None:
        return [_row(r) for r in found], False
    return [_row(r) for r in found[: q.limit]], len(found) > q.limit


def undelivered_counts(
    connection: Connection, receiver: str | None = None
) -> dict[tuple[str, str], dict[str, int]]:
    """(receiver, channel) → {state: rows} of the rows not yet delivered (pending, retrying, dead, cancelled;
    only the states present), read from the ``(status, next_attempt_at)`` index."""
    state = DELIVERY_STATE.label("state")
    query = select(outbox.c.receiver, outbox.c.channel, state, func.count().label("n")).where(
        outbox.c.status.in_(
            [OutboxStatus.PENDING.value, OutboxStatus.DEAD.value, OutboxStatus.CANCELLED.value]
        )
    )
    if receiver is not None:
        query = query.where(outbox.c.receiver == receiver)
    query = query.group_by(outbox.c.receiver, outbox.c.channel, state)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for r in connection.execute(query):
        by_state = counts.setdefault((str(r.receiver), str(r.channel)), {})
        by_state[str(r.state)] = by_state.get(str(r.state), 0) + int(r.n)
    return counts


class OutboxListing:
    """The ops API's view (``GET /v1/ops/outbox``); each method runs in its own short connection."""

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
    ) -> tuple[list[DeliveryRow], bool]:
        """Up to ``limit`` rows in ``states``, newest first (by id), and whether more follow."""
        if not states or set(states) - set(STATES):
            raise ValueError(f"states must be among {', '.join(STATES)}")
        query = DeliveryQuery(
            states=tuple(states), receiver=receiver, sender=sender, before_id=before_id, limit=limit
        )
        with self._engine.connect() as connection:
            return list_deliveries(connection, query)

    def counts(self, receiver: str | None = None) -> dict[str, dict[str, int]]:
        """receiver → {pending, retrying, dead, cancelled} for the rows not yet delivered (every channel)."""
        with self._engine.connect() as connection:
            found = undelivered_counts(connection, receiver)
        counts: dict[str, dict[str, int]] = {}
        for (name, _channel), by_state in found.items():
            total = counts.setdefault(name, dict.fromkeys(UNDELIVERED, 0))
            for state, n in by_state.items():
                total[state] += n
        return dict(sorted(counts.items()))
