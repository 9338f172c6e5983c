"""Read-only queries behind the business trace (``GET /v1/trace``): records by business key, with their
message, routes, deliveries and lifecycle. Each call is one short connection; every query is bounded by
the keys asked for (and :data:`MAX_HITS`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Engine, and_, select

from gateway.model import LifecycleEvent, MessageStatus
from gateway.rows import ChainRecord, Delivery
from gateway.store.tables import inbox_items, lifecycle_events, messages, outbox, records, routes, trace_keys

MAX_HITS = 2000
"""At most this many records per look-up: a trace is for people and parties, not a ledger export."""


class TraceQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def records_by(self, key: str, values: Collection[str]) -> list[ChainRecord]:
        """Every record carrying ``key`` = one of ``values``, oldest message first."""
        if not values:
            return []
        query = (
            select(
                messages.c.id,
                messages.c.sender,
                messages.c.message_id,
                messages.c.format,
                messages.c.received_at,
                messages.c.status,
                records.c.position,
                records.c.msg_type,
                records.c.canonical,
                trace_keys.c.key,
                trace_keys.c.value,
                records.c.extensions,
                records.c.code_warnings,
            )
            .select_from(trace_keys)
            .join(messages, messages.c.id == trace_keys.c.message_pk)
            .join(
                records,
                and_(
                    records.c.message_pk == trace_keys.c.message_pk,
                    records.c.position == trace_keys.c.position,
                ),
            )
            .where(trace_keys.c.key == key, trace_keys.c.value.in_(sorted(values)))
            .order_by(messages.c.received_at, messages.c.id, records.c.position)
            .limit(MAX_HITS)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            ChainRecord(
                int(r.id),
                r.sender,
                r.message_id,
                r.format,
                r.received_at,
                MessageStatus(r.status),
                int(r.position),
                r.msg_type,
                r.canonical,
                r.key,
                r.value,
                r.extensions,
                r.code_warnings,
            )
            for r in rows
        ]

    def receivers(self, pks: Sequence[int]) -> dict[tuple[int, int | None], set[str]]:
        """(message pk, record position) → receivers routed to; position None routes the whole message."""
        found: dict[tuple[int, int | None], set[str]] = {}
        if not pks:
            return found
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(routes.c.message_pk, routes.c.position, routes.c.receiver).where(
                    routes.c.message_pk.in_(sorted(set(pks)))
                )
            )
            for r in rows:
                found.setdefault((int(r.message_pk), r.position), set()).add(str(r.receiver))
        return found

    def deliveries(self, pks: Sequence[int]) -> dict[int, list[Delivery]]:
        found: dict[int, list[Delivery]] = {}
        if not pks:
            return found
        query = (
            select(
                outbox.c.message_pk,
                outbox.c.receiver,
                outbox.c.channel,
                outbox.c.status,
                outbox.c.attempts,
                outbox.c.created_at,
                outbox.c.sent_at,
                outbox.c.dead_at,
                inbox_items.c.acked_at,
                inbox_items.c.rejected_at,
                inbox_items.c.reject_reason,
            )
            .select_from(outbox.outerjoin(inbox_items, inbox_items.c.outbox_id == outbox.c.id))
            .where(outbox.c.message_pk.in_(sorted(set(pks))))
            .order_by(outbox.c.id)
        )
        with self._engine.connect() as connection:
            for r in connection.execute(query):
                state = str(r.status)
                if state == "pending" and r.attempts > 0:
                    state = "retrying"
                if r.acked_at is not None:
                    state = "acknowledged"
                elif r.rejected_at is not None:
                    state = "rejected"
                found.setdefault(int(r.message_pk), []).append(
                    Delivery(
                        r.receiver,
                        r.channel,
                        state,
                        int(r.attempts),
                        r.created_at,
                        r.sent_at,
                        r.dead_at,
                        r.acked_at,
                        r.rejected_at,
                        r.reject_reason,
                    )
                )
        return found

    def events(self, pks: Sequence[int]) -> dict[int, list[LifecycleEvent]]:
        found: dict[int, list[LifecycleEvent]] = {}
        if not pks:
            return found
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(
                    lifecycle_events.c.message_pk,
                    lifecycle_events.c.status,
                    lifecycle_events.c.at,
                    lifecycle_events.c.detail,
                )
                .where(lifecycle_events.c.message_pk.in_(sorted(set(pks))))
                .order_by(lifecycle_events.c.id)
            )
            for r in rows:
                found.setdefault(int(r.message_pk), []).append(
                    LifecycleEvent(MessageStatus(r.status), r.at, r.detail)
                )
        return found


__all__ = ["MAX_HITS", "ChainRecord", "Delivery", "TraceQueries"]
