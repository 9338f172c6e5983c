"""Storage of persistent breaks (``recon_breaks``) and their history (``break_events``).

A break's ``key`` is stable across runs (hex SM3 of ``kind|engine key``), so a later run that finds the same
break updates the same row. The run's bookkeeping is set-based: one read of the scope's breaks, then bulk
inserts and updates, never one query per break.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from gateway.rows import BREAK_SORTS, BreakEvent, BreakQuery, BreakRow, FoundBreak
from gateway.store.tables import break_events, recon_breaks

SORTS: dict[str, Any] = {
    name: recon_breaks.c["amount_fen" if name == "amount" else name] for name in BREAK_SORTS
}
""":data:`gateway.rows.BREAK_SORTS` → the column (prefix ``-`` for descending)."""

_COLUMNS = tuple(recon_breaks.c[name] for name in BreakRow.__dataclass_fields__)


def _break(row: Any) -> BreakRow:
    return BreakRow(*row)


class BreakRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def in_scope(self, kind: str, scope_key: str) -> dict[str, tuple[int, str, datetime | None]]:
        """key → (id, status, seen as-of) of every break ever recorded for the scope."""
        b = recon_breaks
        rows = self._c.execute(
            select(b.c.key, b.c.id, b.c.status, b.c.seen_as_of).where(
                b.c.kind == kind, b.c.scope_key == scope_key
            )
        )
        return {str(r[0]): (int(r[1]), str(r[2]), r[3]) for r in rows}

    def by_ids(self, ids: Sequence[int]) -> list[BreakRow]:
        """The breaks with these ids (any order)."""
        out: list[BreakRow] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            out.extend(
                _break(r) for r in self._c.execute(select(*_COLUMNS).where(recon_breaks.c.id.in_(chunk)))
            )
        return out

    def last_actions(self, ids: Sequence[int]) -> dict[int, str]:
        """break id → the action of its latest event."""
        e = break_events
        out: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            latest = (
                select(func.max(e.c.id))
                .where(e.c.break_id.in_(chunk))
                .group_by(e.c.break_id)
                .scalar_subquery()
            )
            rows = self._c.execute(select(e.c.break_id, e.c.action).where(e.c.id.in_(latest)))
            out.update({int(r[0]): str(r[1]) for r in rows})
        return out

    def insert_new(
        self,
        kind: str,
        scope_key: str,
        scope: Mapping[str, Any],
        found: Sequence[FoundBreak],
        run_id: int,
        at: datetime,
        as_of: datetime,
    ) -> dict[str, int]:
        """Insert newly found breaks as ``open`` (seen as of the run's ``as_of``); returns key → id."""
        if not found:
            return {}
        self._c.execute(
            insert(recon_breaks),
            [
                {
                    "key": f.key,
                    "kind": kind,
                    "type": f.type,
                    "scope_key": scope_key,
                    "scope": dict(scope),
                    "ident": f.ident,
                    "status": "open",
                    "first_seen": at,
                    "last_seen": at,
                    "first_run_id": run_id,
                    "last_run_id": run_id,
                    "amount_fen": f.amount_fen,
                    "upper_amount_fen": f.upper_amount_fen,
                    "lower_amount_fen": f.lower_amount_fen,
                    "difference_fen": f.difference_fen,
                    "fields": list(f.fields),
                    "detail": dict(f.detail),
                    "seen_as_of": as_of,
                }
                for f in found
            ],
        )
        keys = [f.key for f in found]
        ids: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._c.execute(
                select(recon_breaks.c.key, recon_breaks.c.id).where(recon_breaks.c.key.in_(chunk))
            )
            ids.update({str(r[0]): int(r[1]) for r in rows})
        return ids

    def mark_seen(self, seen: Sequence[tuple[int, FoundBreak, datetime]], run_id: int, at: datetime) -> None:
        """Update breaks found again: last seen, the run, the current amounts and fields, and the seen as-of
        (each item: id, the break as found, the later of its stored seen as-of and the run's)."""
        if not seen:
            return
        statement = (
            update(recon_breaks)
            .where(recon_breaks.c.id == bindparam("b_id"))
            .values(
                last_seen=bindparam("b_at", type_=recon_breaks.c.last_seen.type),
                last_run_id=bindparam("b_run"),
                amount_fen=bindparam("b_amount"),
                upper_amount_fen=bindparam("b_upper"),
                lower_amount_fen=bindparam("b_lower"),
                difference_fen=bindparam("b_diff"),
                fields=bindparam("b_fields", type_=recon_breaks.c.fields.type),
                detail=bindparam("b_detail", type_=recon_breaks.c.detail.type),
                seen_as_of=bindparam("b_as_of", type_=recon_breaks.c.seen_as_of.type),
            )
        )
        self._c.execute(
            statement,
            [
                {
                    "b_id": pk,
                    "b_at": at,
                    "b_run": run_id,
                    "b_amount": f.amount_fen,
                    "b_upper": f.upper_amount_fen,
                    "b_lower": f.lower_amount_fen,
                    "b_diff": f.difference_fen,
                    "b_fields": list(f.fields),
                    "b_detail": dict(f.detail),
                    "b_as_of": as_of,
                }
                for pk, f, as_of in seen
            ],
        )

    def set_status(
        self,
        ids: Sequence[int],
        status: str,
        at: datetime,
        *,
        by: str,
        comment: str | None = None,
        closed: bool = False,
    ) -> None:
        if not ids:
            return
        values: dict[str, Any] = {
            "status": status,
            "status_at": at,
            "status_by": by,
            "status_comment": comment,
        }
        values["closed_at"] = at if closed else None
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            self._c.execute(update(recon_breaks).where(recon_breaks.c.id.in_(chunk)).values(values))

    def add_events(
        self,
        ids: Sequence[int],
        action: str,
        at: datetime,
        *,
        actor: str,
        comment: str | None = None,
        run_id: int | None = None,
    ) -> None:
        if ids:
            self._c.execute(
                insert(break_events),
                [
                    {
                        "break_id": i,
                        "at": at,
                        "actor": actor,
                        "action": action,
                        "comment": comment,
                        "run_id": run_id,
                    }
                    for i in ids
                ],
            )

    def get(self, key: str, *, for_update: bool = False) -> BreakRow | None:
        query = select(*_COLUMNS).where(recon_breaks.c.key == key)
        if for_update:
            query = query.with_for_update()
        row = self._c.execute(query).one_or_none()
        return None if row is None else _break(row)

    def events(self, break_id: int) -> list[BreakEvent]:
        e = break_events
        rows = self._c.execute(
            select(e.c.at, e.c.actor, e.c.action, e.c.comment, e.c.run_id)
            .where(e.c.break_id == break_id)
            .order_by(e.c.id)
        )
        return [BreakEvent(*r) for r in rows]

    def search(self, q: BreakQuery) -> tuple[list[BreakRow], int]:
        """Breaks matching ``q`` (one page) and the total count."""
        b = recon_breaks
        conditions: list[Any] = []
        if q.kind is not None:
            conditions.append(b.c.kind == q.kind)
        if q.scope_key is not None:
            conditions.append(b.c.scope_key == q.scope_key)
        if q.scope_prefix is not None:
            conditions.append(b.c.scope_key.startswith(q.scope_prefix, autoescape=True))
        if q.types:
            conditions.append(b.c.type.in_(q.types))
        if q.statuses:
            conditions.append(b.c.status.in_(q.statuses))
        if q.min_amount_fen is not None:
            conditions.append(b.c.amount_fen >= q.min_amount_fen)
        if q.max_amount_fen is not None:
            conditions.append(b.c.amount_fen <= q.max_amount_fen)
        if q.first_seen_before is not None:
            conditions.append(b.c.first_seen <= q.first_seen_before)
        if q.first_seen_after is not None:
            conditions.append(b.c.first_seen >= q.first_seen_after)
        descending = q.sort.startswith("-")
        column = SORTS[q.sort.lstrip("-")]
        order = [column.desc() if descending else column.asc(), b.c.id]
        rows = self._c.execute(
            select(*_COLUMNS).where(*conditions).order_by(*order).limit(q.limit).offset(q.offset)
        )
        total = self._c.execute(select(func.count()).select_from(b).where(*conditions)).scalar_one()
        return [_break(r) for r in rows], int(total)

    def open_counts(self, kind: str) -> list[tuple[str, str, datetime, int]]:
        """(scope key, type, first seen, count) of breaks not closed — the dashboard's raw material."""
        b = recon_breaks
        rows = self._c.execute(
            select(b.c.scope_key, b.c.type, b.c.first_seen, func.count())
            .where(b.c.kind == kind, b.c.status != "closed")
            .group_by(b.c.scope_key, b.c.type, b.c.first_seen)
        )
        return [(str(r[0]), str(r[1]), r[2], int(r[3])) for r in rows]
