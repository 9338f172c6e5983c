"""Messages, their canonical records, lifecycle events and routing decisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, Row, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gateway.code_warnings import warnings_from, warnings_text
from gateway.errors import MessageExists
from gateway.model import (
    LifecycleEvent,
    MessageStatus,
    NewMessage,
    NewRecord,
    StoredMessage,
    StoredOriginal,
    TraceHit,
)
from gateway.store.tables import lifecycle_events, messages, records, routes, trace_keys

if TYPE_CHECKING:
    from gateway.store.unit_of_work import PendingInserts

_SUMMARY = (
    messages.c.id,
    messages.c.sender,
    messages.c.message_id,
    messages.c.received_at,
    messages.c.format,
    messages.c.msg_type,
    messages.c.body_sm3,
    messages.c.status,
    messages.c.response,
)

# Statements built once, values bound per call: a statement with its values inlined (``.values(...)``) is
# re-coerced and re-keyed for the compiled cache on every execution, which cost more than the SQL itself.
_FIND = select(*_SUMMARY).where(
    messages.c.sender == bindparam("f_sender"), messages.c.message_id == bindparam("f_message_id")
)
_INSERT_EVENT = insert(lifecycle_events)
_INSERT_RECORD = insert(records)
_INSERT_TRACE_KEY = insert(trace_keys)
_INSERT_ROUTE = insert(routes)
_STREAM_ROWS = 50
"""Rows fetched per round trip when streaming stored originals (a server-side cursor on PostgreSQL)."""


def _insert_new_message(dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (sender, message_id) DO NOTHING RETURNING id``: a taken pair returns no row
    instead of raising, so no savepoint is needed around the insert (both dialects support it)."""
    dml = postgresql if dialect == "postgresql" else sqlite
    statement: Insert = (
        dml.insert(messages)
        .on_conflict_do_nothing(index_elements=[messages.c.sender, messages.c.message_id])
        .returning(messages.c.id)
    )
    return statement


_INSERT_MESSAGE = {name: _insert_new_message(name) for name in ("postgresql", "sqlite")}


def _stored(row: Row[*tuple[Any, ...]]) -> StoredMessage:
    return StoredMessage(
        pk=row.id,
        sender=row.sender,
        message_id=row.message_id,
        received_at=row.received_at,
        format=row.format,
        msg_type=row.msg_type,
        body_sm3=row.body_sm3,
        status=MessageStatus(row.status),
        response=row.response,
    )


def _event_rows(
    pk: int, events: Iterable[tuple[MessageStatus, datetime, str | None]]
) -> list[dict[str, Any]]:
    return [{"message_pk": pk, "status": s.value, "at": at, "detail": d} for s, at, d in events]


def _record_rows(pk: int, new_records: Sequence[NewRecord]) -> list[dict[str, Any]]:
    return [
        {
            "message_pk": pk,
            "position": r.position,
            "msg_type": r.msg_type,
            "bgt_id": r.bgt_id,
            "voucher_no": r.voucher_no,
            "canonical": r.canonical,
            "result": r.result,
            "extensions": r.extensions,
            "code_warnings": warnings_text(r.code_warnings),
        }
        for r in new_records
    ]


def _trace_rows(pk: int, new_records: Sequence[NewRecord]) -> list[dict[str, Any]]:
    return [
        {"message_pk": pk, "position": r.position, "key": key, "value": value}
        for r in new_records
        for key, value in sorted(set(r.trace))
    ]


def _route_rows(pk: int, decisions: Iterable[tuple[int | None, str, str]]) -> list[dict[str, Any]]:
    return [{"message_pk": pk, "position": p, "receiver": r, "rule": rule} for p, r, rule in decisions]


class MessageRepository:
    def __init__(self, connection: Connection, pending: PendingInserts | None = None) -> None:
        self._c = connection
        self._pending = pending

    def add(self, message: NewMessage) -> int:
        """Insert; raises :class:`MessageExists` (with the stored body digest and answer) if the
        (sender, message id) pair is taken — the UNIQUE constraint decides, so it holds across processes.

        On PostgreSQL a concurrent insert of the same pair waits for the other transaction: if it commits,
        this one finds its row; if it rolls back, this insert goes ahead."""
        values = {
            "sender": message.sender,
            "message_id": message.message_id,
            "received_at": message.received_at,
            "format": message.format,
            "msg_type": message.msg_type,
            "body": message.body,
            "body_sm3": message.body_sm3,
            "headers": dict(message.headers),
            "status": message.status.value,
            "response": dict(message.response),
        }
        pk = self._c.execute(_INSERT_MESSAGE[self._c.dialect.name], values).scalar_one_or_none()
        if pk is not None:
            return int(pk)
        existing = self.find(message.sender, message.message_id)
        if existing is None:  # pragma: no cover - the constraint fired, so the row exists
            raise RuntimeError(f"{message.sender}/{message.message_id} conflicted but cannot be read")
        raise MessageExists(existing.sender, existing.message_id, existing.body_sm3, existing.response)

    def find(self, sender: str, message_id: str) -> StoredMessage | None:
        row = self._c.execute(_FIND, {"f_sender": sender, "f_message_id": message_id}).one_or_none()
        return None if row is None else _stored(row)

    def get(self, pk: int) -> StoredMessage | None:
        row = self._c.execute(select(*_SUMMARY).where(messages.c.id == pk)).one_or_none()
        return None if row is None else _stored(row)

    def body(self, pk: int) -> bytes | None:
        value = self._c.execute(select(messages.c.body).where(messages.c.id == pk)).scalar_one_or_none()
        return None if value is None else bytes(value)

    def originals(self, message_ids: Sequence[str]) -> Iterator[StoredOriginal]:
        """The stored originals of every message with one of ``message_ids`` (any sender), streamed a few
        rows at a time (bodies may be large) — for ``fiscalgw audit verify``."""
        statement = (
            select(
                messages.c.id, messages.c.sender, messages.c.message_id, messages.c.body_sm3, messages.c.body
            )
            .where(messages.c.message_id.in_(list(message_ids)))
            .execution_options(yield_per=_STREAM_ROWS)
        )
        for r in self._c.execute(statement):
            yield StoredOriginal(int(r.id), r.sender, r.message_id, r.body_sm3, bytes(r.body))

    def record_texts(self, pks: Sequence[int]) -> Iterator[tuple[int, int, str]]:
        """(message pk, position, canonical text) of every record of ``pks``, streamed."""
        statement = (
            select(records.c.message_pk, records.c.position, records.c.canonical)
            .where(records.c.message_pk.in_(list(pks)))
            .order_by(records.c.message_pk, records.c.position)
            .execution_options(yield_per=10 * _STREAM_ROWS)
        )
        for r in self._c.execute(statement):
            yield int(r.message_pk), int(r.position), str(r.canonical)

    def count(self) -> int:
        return int(self._c.execute(select(func.count()).select_from(messages)).scalar_one())

    def set_status(self, pk: int, status: MessageStatus, at: datetime, detail: str | None = None) -> None:
        """Move the message to ``status`` and record the lifecycle event."""
        self._c.execute(update(messages).where(messages.c.id == pk).values(status=status.value))
        self.add_event(pk, status, at, detail)

    def set_status_many(
        self, changes: Sequence[tuple[int, str | None]], status: MessageStatus, at: datetime
    ) -> None:
        """:meth:`set_status` for several ``(message pk, detail)`` at once: one UPDATE, one executemany of
        the lifecycle events (in the given order)."""
        if not changes:
            return
        pks = sorted({pk for pk, _ in changes})
        self._c.execute(update(messages).where(messages.c.id.in_(pks)).values(status=status.value))
        self._c.execute(
            _INSERT_EVENT,
            [{"message_pk": pk, "status": status.value, "at": at, "detail": d} for pk, d in changes],
        )

    def add_event(self, pk: int, status: MessageStatus, at: datetime, detail: str | None = None) -> None:
        self.add_events(pk, [(status, at, detail)])

    def add_events(self, pk: int, events: Iterable[tuple[MessageStatus, datetime, str | None]]) -> None:
        """Several lifecycle events of one message in one statement (executemany), in order."""
        rows = _event_rows(pk, events)
        if rows:
            self._c.execute(_INSERT_EVENT, rows)

    def add_details_at_commit(
        self,
        pk: int,
        events: Iterable[tuple[MessageStatus, datetime, str | None]],
        new_records: Sequence[NewRecord],
        decisions: Iterable[tuple[int | None, str, str]],
    ) -> None:
        """:meth:`add_events`, :meth:`add_records` and :meth:`add_routes` of a new message, written when its
        unit of work commits, together with those of the other messages of its batch (one executemany per
        table); nothing in the transaction may read them before. Without a unit of work's pending inserts
        (a repository on a bare connection) they are written at once."""
        if self._pending is None:
            self.add_events(pk, events)
            self.add_records(pk, new_records)
            self.add_routes(pk, decisions)
            return
        self._pending.add(_INSERT_EVENT, _event_rows(pk, events))
        self._pending.add(_INSERT_RECORD, _record_rows(pk, new_records))
        self._pending.add(_INSERT_TRACE_KEY, _trace_rows(pk, new_records))
        self._pending.add(_INSERT_ROUTE, _route_rows(pk, decisions))

    def events(self, pk: int) -> list[LifecycleEvent]:
        rows = self._c.execute(
            select(lifecycle_events.c.status, lifecycle_events.c.at, lifecycle_events.c.detail)
            .where(lifecycle_events.c.message_pk == pk)
            .order_by(lifecycle_events.c.id)
        )
        return [LifecycleEvent(MessageStatus(r.status), r.at, r.detail) for r in rows]

    def add_records(self, pk: int, new_records: Sequence[NewRecord]) -> None:
        if not new_records:
            return
        self._c.execute(_INSERT_RECORD, _record_rows(pk, new_records))
        keys = _trace_rows(pk, new_records)
        if keys:
            self._c.execute(_INSERT_TRACE_KEY, keys)

    def trace(self, key: str, value: str) -> list[TraceHit]:
        """Every record carrying (key, value), oldest message first."""
        rows = self._c.execute(
            select(
                messages.c.id,
                messages.c.sender,
                messages.c.message_id,
                messages.c.received_at,
                messages.c.status,
                records.c.position,
                records.c.msg_type,
            )
            .select_from(trace_keys)
            .join(messages, messages.c.id == trace_keys.c.message_pk)
            .join(
                records,
                (records.c.message_pk == trace_keys.c.message_pk)
                & (records.c.position == trace_keys.c.position),
            )
            .where(trace_keys.c.key == key, trace_keys.c.value == value)
            .distinct()
            .order_by(messages.c.received_at, messages.c.id, records.c.position)
        )
        return [
            TraceHit(
                r.id, r.sender, r.message_id, r.received_at, MessageStatus(r.status), r.position, r.msg_type
            )
            for r in rows
        ]

    def receivers(self, pk: int) -> set[str]:
        rows = self._c.execute(select(routes.c.receiver).where(routes.c.message_pk == pk).distinct())
        return {str(r.receiver) for r in rows}

    def records(self, pk: int) -> list[NewRecord]:
        rows = self._c.execute(select(records).where(records.c.message_pk == pk).order_by(records.c.position))
        return [
            NewRecord(
                r.position,
                r.msg_type,
                r.canonical,
                r.result,
                r.bgt_id,
                r.voucher_no,
                extensions=r.extensions,
                code_warnings=warnings_from(r.code_warnings),
            )
            for r in rows
        ]

    def add_route(self, pk: int, position: int | None, receiver: str, rule: str) -> None:
        self.add_routes(pk, [(position, receiver, rule)])

    def add_routes(self, pk: int, decisions: Iterable[tuple[int | None, str, str]]) -> None:
        """Several routing decisions ``(position, receiver, rule)`` of one message in one executemany."""
        rows = _route_rows(pk, decisions)
        if rows:
            self._c.execute(_INSERT_ROUTE, rows)

    def routes(self, pk: int) -> list[tuple[int | None, str, str]]:
        rows = self._c.execute(
            select(routes.c.position, routes.c.receiver, routes.c.rule)
            .where(routes.c.message_pk == pk)
            .order_by(routes.c.id)
        )
        return [(r.position, r.receiver, r.rule) for r in rows]
