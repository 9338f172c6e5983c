"""Read-only queries behind the ops web pages (报文追踪, 投递队列).

Every query is bounded: searches page with ``LIMIT n + 1`` (so the page knows whether there is a next one
without counting the whole table), newest first by primary key, and the queue counts read only the rows that
are not yet delivered (the ``(status, next_attempt_at)`` index). Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, select, union_all

from gateway.code_warnings import warnings_from
from gateway.model import AuditEntry, MessageStatus
from gateway.rows import (
    STATES,
    DeliveryRow,
    MessageCriteria,
    MessageDetail,
    MessageRow,
    Original,
    ReceiverCounts,
)
from gateway.store.outbox_listing import DeliveryQuery, list_deliveries, undelivered_counts
from gateway.store.tables import audit_log, messages, records, routes, trace_keys

QUEUE_STATES = STATES
"""Delivery states as the queue page shows them (the ops API's, :mod:`gateway.store.outbox_listing`)."""


def _party_ids(c: MessageCriteria, top: int) -> Any:
    """Ids of the messages ``c.party`` sent or received, from two indexes (UNIQUE (sender, message_id) and
    routes (receiver, message_pk)) — never an OR over the messages table, which would read every row.

    With no other filter only the newest ``top`` ids can be on the page, so each side is cut to its newest
    ``top`` first: a busy party (an agency bank with 40 % of the traffic) costs two short index reads instead
    of hashing and sorting all its ids."""
    sent = select(messages.c.id.label("pk")).where(messages.c.sender == c.party)
    received = select(routes.c.message_pk.label("pk")).where(routes.c.receiver == c.party)
    alone = c == MessageCriteria(party=c.party)
    if not alone:
        return sent.union_all(received)
    sent_top = sent.order_by(messages.c.id.desc()).limit(top).subquery()
    received_top = received.order_by(routes.c.message_pk.desc()).limit(top).subquery()
    both = union_all(select(sent_top.c.pk), select(received_top.c.pk)).subquery()
    return select(both.c.pk).order_by(both.c.pk.desc()).limit(top)


class Browse:
    """Read-only queries; each method runs in its own short connection."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ---- messages ------------------------------------------------------------------------------------

    def search(self, criteria: MessageCriteria, *, offset: int, limit: int) -> tuple[list[MessageRow], bool]:
        """One page of messages matching ``criteria``, newest first, and whether another page follows."""
        query = select(
            messages.c.id,
            messages.c.sender,
            messages.c.message_id,
            messages.c.received_at,
            messages.c.format,
            messages.c.msg_type,
            messages.c.status,
        )
        c = criteria
        if c.message_id is not None:
            query = query.where(messages.c.message_id == c.message_id)
        for key, value in (("bgt_id", c.bgt_id), ("voucher_no", c.voucher_no)):
            if value is not None:
                hits = select(trace_keys.c.message_pk).where(
                    trace_keys.c.key == key, trace_keys.c.value == value
                )
                query = query.where(messages.c.id.in_(hits))
        if c.party is not None:
            query = query.where(messages.c.id.in_(_party_ids(c, offset + limit + 1)))
        if c.msg_type is not None:
            query = query.where(messages.c.msg_type == c.msg_type)
        if c.received_from is not None:
            query = query.where(messages.c.received_at >= c.received_from)
        if c.received_to is not None:
            query = query.where(messages.c.received_at < c.received_to)
        query = query.order_by(messages.c.id.desc()).offset(offset).limit(limit + 1)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
            more = len(rows) > limit
            rows = rows[:limit]
            receivers = self._receivers(connection, [int(r.id) for r in rows])
        return [
            MessageRow(
                pk=int(r.id),
                sender=r.sender,
                message_id=r.message_id,
                received_at=r.received_at,
                format=r.format,
                msg_type=r.msg_type,
                status=MessageStatus(r.status),
                receivers=receivers.get(int(r.id), ()),
            )
            for r in rows
        ], more

    @staticmethod
    def _receivers(connection: Any, pks: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not pks:
            return {}
        found: dict[int, set[str]] = {}
        rows = connection.execute(
            select(routes.c.message_pk, routes.c.receiver).where(routes.c.message_pk.in_(pks)).distinct()
        )
        for r in rows:
            found.setdefault(int(r.message_pk), set()).add(str(r.receiver))
        return {pk: tuple(sorted(names)) for pk, names in found.items()}

    def find_pk(self, sender: str, message_id: str) -> int | None:
        with self._engine.connect() as connection:
            pk = connection.execute(
                select(messages.c.id).where(messages.c.sender == sender, messages.c.message_id == message_id)
            ).scalar_one_or_none()
        return None if pk is None else int(pk)

    def message(self, pk: int) -> MessageDetail | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    messages.c.id,
                    messages.c.sender,
                    messages.c.message_id,
                    messages.c.received_at,
                    messages.c.format,
                    messages.c.msg_type,
                    messages.c.status,
                    messages.c.body_sm3,
                    func.length(messages.c.body).label("body_size"),
                    messages.c.headers,
                ).where(messages.c.id == pk)
            ).one_or_none()
            if row is None:
                return None
            receivers = self._receivers(connection, [pk])
            record_rows = connection.execute(
                select(records.c.position, records.c.msg_type, records.c.bgt_id, records.c.voucher_no)
                .add_columns(records.c.result, records.c.code_warnings)
                .where(records.c.message_pk == pk)
                .order_by(records.c.position)
            ).all()
        summary = MessageRow(
            pk=int(row.id),
            sender=row.sender,
            message_id=row.message_id,
            received_at=row.received_at,
            format=row.format,
            msg_type=row.msg_type,
            status=MessageStatus(row.status),
            receivers=receivers.get(pk, ()),
        )
        headers = {str(k): str(v) for k, v in dict(row.headers or {}).items()}
        return MessageDetail(
            row=summary,
            body_sm3=row.body_sm3,
            body_size=int(row.body_size),
            headers=headers,
            records=tuple(
                (int(r.position), r.msg_type, r.bgt_id, r.voucher_no, r.result) for r in record_rows
            ),
            code_warnings={
                int(r.position): warnings_from(r.code_warnings) for r in record_rows if r.code_warnings
            },
        )

    def original(self, pk: int) -> Original | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(messages.c.sender, messages.c.message_id, messages.c.format, messages.c.body).where(
                    messages.c.id == pk
                )
            ).one_or_none()
        if row is None:
            return None
        return Original(row.sender, row.message_id, row.format, bytes(row.body))

    def deliveries_of(self, pk: int) -> list[DeliveryRow]:
        query = DeliveryQuery(message_pk=pk, order="oldest", with_inbox=True)
        with self._engine.connect() as connection:
            return list_deliveries(connection, query)[0]

    # ---- delivery queue ------------------------------------------------------------------------------

    def queue_counts(self) -> list[ReceiverCounts]:
        """Undelivered rows per receiver: pending, retrying, dead and cancelled."""
        with self._engine.connect() as connection:
            counts = undelivered_counts(connection)
        return [
            ReceiverCounts(
                receiver=receiver,
                channel=channel,
                pending=by_state.get("pending", 0),
                retrying=by_state.get("retrying", 0),
                dead=by_state.get("dead", 0),
                cancelled=by_state.get("cancelled", 0),
            )
            for (receiver, channel), by_state in sorted(counts.items())
        ]

    def queue(
        self, state: str, *, receiver: str | None, offset: int, limit: int
    ) -> tuple[list[DeliveryRow], bool]:
        """One page of deliveries in ``state`` (see :data:`QUEUE_STATES`), newest activity first."""
        if state not in QUEUE_STATES:
            raise ValueError(f"unknown queue state {state!r}")
        query = DeliveryQuery(
            states=(state,), receiver=receiver, order="activity", offset=offset, limit=limit, with_inbox=True
        )
        with self._engine.connect() as connection:
            return list_deliveries(connection, query)

    def delivery(self, outbox_id: int) -> DeliveryRow | None:
        query = DeliveryQuery(outbox_id=outbox_id, with_inbox=True)
        with self._engine.connect() as connection:
            rows, _more = list_deliveries(connection, query)
        return rows[0] if rows else None

    def recent_audit(self, actions: Sequence[str], limit: int) -> list[AuditEntry]:
        """The newest ``limit`` audit entries of the given actions (the ``(action, seq)`` index)."""
        query = (
            select(audit_log)
            .where(audit_log.c.action.in_(list(actions)))
            .order_by(audit_log.c.seq.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            AuditEntry(
                seq=int(r.seq),
                at=r.at,
                actor=r.actor,
                action=r.action,
                subject=r.subject,
                detail=json.loads(r.detail),
                prev_hash=r.prev_hash,
                hash=r.hash,
            )
            for r in rows
        ]
