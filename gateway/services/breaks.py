"""Persistent breaks: list with filters, read one with its history, and the ops lifecycle
open → explained → resolved (who, when, why). Runs open, reopen and close breaks themselves
(:mod:`gateway.services.reconciliation.runs`); every ops action here is one transaction with its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gateway import audit
from gateway.reconcile.breaks import BreakType
from gateway.rows import BREAK_SORTS, BreakEvent, BreakQuery, BreakRow
from gateway.services.errors import BadRequest, Conflict, NotFound
from gateway.services.ports import ServiceContext
from schemas.money import format_fen

STATUSES = ("open", "explained", "resolved", "closed")
MAX_COMMENT = 2000


@dataclass(frozen=True)
class BreakFilters:
    """What ``GET /v1/breaks`` filters on. Amounts are yuan (``Decimal`` text → fen); ages are days."""

    kind: str | None = None
    upper: str | None = None
    lower: str | None = None
    fiscal_year: int | None = None
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_amount_fen: int | None = None
    max_amount_fen: int | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    sort: str = "-last_seen"
    limit: int = 50
    offset: int = 0
    scope_key: str | None = None
    """An exact run scope key (e.g. a payment scope ``payments|330324|*|2026-11-21``); not with a pair."""


@dataclass(frozen=True)
class BreakView:
    key: str
    kind: str
    type: str
    type_zh: str
    scope: Mapping[str, Any]
    ident: str
    status: str
    first_seen: datetime
    last_seen: datetime
    age_days: int
    closed_at: datetime | None
    amount: str | None
    upper_amount: str | None
    lower_amount: str | None
    difference: str | None
    fields: Sequence[Mapping[str, Any]]
    detail: Mapping[str, Any]
    first_run_id: int
    last_run_id: int
    status_at: datetime | None
    status_by: str | None
    status_comment: str | None
    events: tuple[BreakEvent, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        out: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "type": self.type,
            "type_zh": self.type_zh,
            "scope": dict(self.scope),
            "ident": self.ident,
            "status": self.status,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "age_days": self.age_days,
            "closed_at": iso(self.closed_at),
            "amount": self.amount,
            "upper_amount": self.upper_amount,
            "lower_amount": self.lower_amount,
            "difference": self.difference,
            "fields": [dict(f) for f in self.fields],
            "detail": dict(self.detail),
            "first_run_id": self.first_run_id,
            "last_run_id": self.last_run_id,
            "status_at": iso(self.status_at),
            "status_by": self.status_by,
            "status_comment": self.status_comment,
        }
        if self.events:
            out["events"] = [
                {
                    "at": iso(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "comment": e.comment,
                    "run_id": e.run_id,
                }
                for e in self.events
            ]
        return out


@dataclass(frozen=True)
class BreakPage:
    items: list[BreakView]
    total: int
    limit: int
    offset: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": [b.as_dict() for b in self.items],
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
        }


def _money(fen: int | None) -> str | None:
    return None if fen is None else format_fen(fen)


def _label(kind: str) -> str:
    try:
        return BreakType(kind).label_zh
    except ValueError:
        return kind


def _view(row: BreakRow, now: datetime, events: Sequence[BreakEvent] = ()) -> BreakView:
    end = row.closed_at or now
    return BreakView(
        key=row.key,
        kind=row.kind,
        type=row.type,
        type_zh=_label(row.type),
        scope=row.scope,
        ident=row.ident,
        status=row.status,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        age_days=max(0, (end - row.first_seen).days),
        closed_at=row.closed_at,
        amount=_money(row.amount_fen),
        upper_amount=_money(row.upper_amount_fen),
        lower_amount=_money(row.lower_amount_fen),
        difference=_money(row.difference_fen),
        fields=row.fields,
        detail=row.detail,
        first_run_id=row.first_run_id,
        last_run_id=row.last_run_id,
        status_at=row.status_at,
        status_by=row.status_by,
        status_comment=row.status_comment,
        events=tuple(events),
    )


def _sort(sort: str) -> str:
    """``age`` sorts youngest first (``-age``: oldest first); other names sort by that column."""
    aliases = {"age": "-first_seen", "-age": "first_seen"}
    resolved = aliases.get(sort, sort)
    if resolved.lstrip("-") not in BREAK_SORTS:
        raise BadRequest(
            f"sort must be one of {', '.join(sorted([*BREAK_SORTS, 'age']))} (prefix - to reverse)"
        )
    return resolved


def _scope_filter(f: BreakFilters) -> tuple[str | None, str | None]:
    """(exact scope key, scope key prefix) for the pair filters."""
    if f.scope_key is not None:
        if any(v is not None for v in (f.upper, f.lower, f.fiscal_year)):
            raise BadRequest("filter by a pair or by a scope key, not both")
        return f.scope_key, None
    if f.upper is not None and f.lower is not None and f.fiscal_year is not None:
        return f"{f.upper}|{f.lower}|{f.fiscal_year}", None
    if f.lower is not None or f.fiscal_year is not None:
        if f.upper is None or f.lower is None:
            raise BadRequest("filter by upper, upper+lower, or upper+lower+fiscal_year")
        return None, f"{f.upper}|{f.lower}|"
    if f.upper is not None:
        return None, f"{f.upper}|"
    return None, None


def list_breaks(gw: ServiceContext, filters: BreakFilters) -> BreakPage:
    """One page of breaks matching ``filters``."""
    if not 1 <= filters.limit <= 500 or filters.offset < 0:
        raise BadRequest("limit must be 1…500 and offset ≥ 0")
    bad = [s for s in filters.statuses if s not in STATUSES]
    if bad:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    unknown = [t for t in filters.types if t not in BreakType.__members__]
    if unknown:
        raise BadRequest(f"unknown break type {unknown[0]!r}")
    now = gw.clock()
    scope_key, prefix = _scope_filter(filters)
    query = BreakQuery(
        kind=filters.kind,
        scope_key=scope_key,
        scope_prefix=prefix,
        types=filters.types,
        statuses=filters.statuses,
        min_amount_fen=filters.min_amount_fen,
        max_amount_fen=filters.max_amount_fen,
        first_seen_before=None
        if filters.min_age_days is None
        else now - timedelta(days=filters.min_age_days),
        first_seen_after=None
        if filters.max_age_days is None
        else now - timedelta(days=filters.max_age_days + 1),
        sort=_sort(filters.sort),
        limit=filters.limit,
        offset=filters.offset,
    )
    with gw.database.unit_of_work() as uow:
        rows, total = uow.breaks.search(query)
    return BreakPage([_view(r, now) for r in rows], total, filters.limit, filters.offset)


def get_break(gw: ServiceContext, key: str) -> BreakView:
    """A break with its full history (NotFound if no such key)."""
    with gw.database.unit_of_work() as uow:
        row = uow.breaks.get(key)
        if row is None:
            raise NotFound(f"no break {key[:64]}")
        return _view(row, gw.clock(), uow.breaks.events(row.id))


def _comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if not text:
        raise BadRequest("a comment (why) is required")
    if len(text) > MAX_COMMENT:
        raise BadRequest(f"the comment is longer than {MAX_COMMENT} characters")
    return text


def _transition(
    gw: ServiceContext, key: str, *, to: str, allowed_from: tuple[str, ...], comment: str | None, actor: str
) -> BreakView:
    text = _comment(comment)
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        row = uow.breaks.get(key, for_update=True)
        if row is None:
            raise NotFound(f"no break {key[:64]}")
        if row.status not in allowed_from:
            raise Conflict(f"break {key[:16]}… is {row.status}; it cannot become {to}")
        uow.breaks.set_status([row.id], to, now, by=actor, comment=text)
        uow.breaks.add_events([row.id], to, now, actor=actor, comment=text)
        audit.append(
            uow.audit,
            actor=actor,
            action=f"break.{to}",
            subject=f"break/{key}",
            at=now,
            detail={"type": row.type, "scope": row.scope_key, "from": row.status, "comment": text},
        )
        updated = uow.breaks.get(key)
        assert updated is not None
        view = _view(updated, now, uow.breaks.events(row.id))
        uow.commit()
    return view


def explain_break(gw: ServiceContext, key: str, *, comment: str | None, actor: str) -> BreakView:
    """open → explained (or amend an explanation)."""
    return _transition(
        gw, key, to="explained", allowed_from=("open", "explained"), comment=comment, actor=actor
    )


def resolve_break(gw: ServiceContext, key: str, *, comment: str | None, actor: str) -> BreakView:
    """open / explained → resolved, with why."""
    return _transition(
        gw, key, to="resolved", allowed_from=("open", "explained"), comment=comment, actor=actor
    )
