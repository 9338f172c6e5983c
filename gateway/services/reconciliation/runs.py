"""Reconciliation runs from the store (issue #5), whatever their kind: run one now, list runs, read a run's
report, and the dashboard summary the ops pages show.

This module owns what every kind shares — the run row (started, then succeeded or failed), the persistent
breaks (opened, seen again, reopened, auto-closed; :func:`apply_breaks`), one audit entry, all committed in
one transaction — and asks the run's :class:`gateway.services.reconciliation.kinds.Kind` (from
``gw.reconciliation_kinds``) for everything else. Of the gateway it uses ``database``, ``clock`` and
``reconciliation_kinds``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gateway import audit
from gateway.reconcile.errors import ReconcileError
from gateway.rows import FoundBreak, RunRow
from gateway.services import break_closing
from gateway.services.errors import BadRequest, NotFound
from gateway.services.ports import UnitOfWork
from gateway.services.reconciliation.kinds import AnyKind, ReconciliationContext, Scope

AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("0-1d", timedelta(days=1)),
    ("1-7d", timedelta(days=7)),
    ("7-30d", timedelta(days=30)),
    (">30d", None),
)
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


class ReconciliationFailed(ReconcileError):
    """The engine could not complete a run from the store (the run is recorded as failed)."""


@dataclass(frozen=True)
class RunSummary:
    """A run without its report. ``summary`` is the pair summary plus break bookkeeping counts."""

    id: int
    kind: str
    scope: Mapping[str, Any]
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    status: str
    trigger: str
    actor: str
    summary: Mapping[str, Any] | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "scope": dict(self.scope),
            "as_of": self.as_of.isoformat(),
            "started_at": self.started_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "status": self.status,
            "trigger": self.trigger,
            "actor": self.actor,
            "summary": None if self.summary is None else dict(self.summary),
            "error": self.error,
        }


@dataclass(frozen=True)
class RunPage:
    items: list[RunSummary]
    total: int
    limit: int
    offset: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": [r.as_dict() for r in self.items],
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
        }


@dataclass(frozen=True)
class PairDashboard:
    """One pair on the ops dashboard."""

    scope: Mapping[str, Any]
    last_run: RunSummary | None
    status: str | None
    totals: Mapping[str, Any]
    open_by_type: Mapping[str, int]
    open_by_age: Mapping[str, int]
    trend: list[tuple[int, datetime, int]] = field(default_factory=list)
    """(run id, started at, breaks found) of the last 30 runs, oldest first."""
    status_text: str | None = None
    """What the dashboard shows: 一致 only when both sides' totals agree, 一致（在途 N 笔 / 金额 X）when
    only in-transit items explain the difference, otherwise 不一致 (see :func:`status_text`)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": dict(self.scope),
            "last_run": None if self.last_run is None else self.last_run.as_dict(),
            "status": self.status,
            "status_text": self.status_text,
            "totals": dict(self.totals),
            "open_by_type": dict(self.open_by_type),
            "open_by_age": dict(self.open_by_age),
            "trend": [{"run_id": i, "started_at": t.isoformat(), "breaks": n} for i, t, n in self.trend],
        }


def kind_of(gw: ReconciliationContext, name: str | None) -> AnyKind:
    """The strategy of kind ``name`` (BadRequest naming the kinds there are)."""
    kinds = gw.reconciliation_kinds
    if not isinstance(name, str) or name not in kinds:
        raise BadRequest(f"kind must be one of {', '.join(kinds)}")
    return kinds[name]


def _summary(row: RunRow) -> RunSummary:
    return RunSummary(
        row.id,
        row.kind,
        row.scope,
        row.as_of,
        row.started_at,
        row.finished_at,
        row.status,
        row.trigger,
        row.actor,
        row.summary,
        row.error,
    )


def run_now(
    gw: ReconciliationContext,
    *,
    kind: str,
    actor: str,
    trigger: str = "api",
    **fields: Any,
) -> RunSummary:
    """Validate ``fields`` (the kind's request fields; ``None`` means absent) and :func:`run` it."""
    strategy = kind_of(gw, kind)
    request = strategy.request({k: v for k, v in fields.items() if v is not None})
    return run(gw, request, actor=actor, trigger=trigger)


def run_body(
    gw: ReconciliationContext, body: Mapping[str, Any], *, actor: str, trigger: str = "api"
) -> RunSummary:
    """Run the request ``body`` of ``POST /v1/reconciliations`` (``kind`` plus the kind's fields)."""
    strategy = kind_of(gw, body.get("kind"))
    return run(
        gw, strategy.request({k: v for k, v in body.items() if k != "kind"}), actor=actor, trigger=trigger
    )


def run(gw: ReconciliationContext, request: Any, *, actor: str, trigger: str = "api") -> RunSummary:
    """Run one validated request (a kind's :attr:`Kind.request_model`) now and persist it; returns the
    finished run, or raises :class:`ReconciliationFailed` after recording the run as failed."""
    strategy = kind_of(gw, request.kind)
    scope = strategy.scope(request)
    started = gw.clock()
    moment = request.as_of or started
    with gw.database.unit_of_work() as uow:
        run_id = uow.runs.start(strategy.name, scope.key, scope.as_dict(), moment, started, trigger, actor)
        uow.commit()
    try:
        computed = strategy.compute(gw, request, scope, moment)
    except (ReconcileError, ValueError) as exc:
        _fail(gw, run_id, actor, scope, str(exc))
        raise ReconciliationFailed(f"run {run_id}: {exc}") from None
    return _record(
        gw,
        strategy.name,
        scope,
        run_id,
        actor,
        found=computed.found,
        summary=computed.summary,
        body=computed.body,
        audit_detail=computed.audit_detail,
        as_of=computed.as_of,
        in_transit=computed.in_transit,
    )


def _record(
    gw: ReconciliationContext,
    kind: str,
    scope: Scope,
    run_id: int,
    actor: str,
    *,
    found: list[FoundBreak],
    summary: dict[str, Any],
    body: dict[str, Any],
    audit_detail: dict[str, Any],
    as_of: datetime,
    in_transit: frozenset[str] = frozenset(),
) -> RunSummary:
    """Commit a finished run in one transaction: carry its breaks across runs (the scope locked), store the
    summary (plus the opened / reopened / closed / carried counts) and the report, append the audit entry."""
    with gw.database.unit_of_work() as uow:
        uow.runs.lock_scope(kind, scope.key)
        counts = apply_breaks(
            uow,
            kind,
            scope,
            found,
            run_id,
            gw.clock(),
            as_of=as_of,
            in_transit=in_transit,
            recheck=kind_of(gw, kind).recheck,
        )
        uow.runs.finish(run_id, gw.clock(), status="succeeded", summary={**summary, **counts}, report=body)
        audit.append(
            uow.audit,
            actor=actor,
            action="reconciliation.run",
            subject=f"reconciliation/{run_id}",
            at=gw.clock(),
            detail={**audit_detail, **counts},
        )
        row = uow.runs.get(run_id)
        uow.commit()
    assert row is not None
    return _summary(row)


def _fail(gw: ReconciliationContext, run_id: int, actor: str, scope: Scope, error: str) -> None:
    with gw.database.unit_of_work() as uow:
        uow.runs.finish(run_id, gw.clock(), status="failed", error=error[:2000])
        audit.append(
            uow.audit,
            actor=actor,
            action="reconciliation.failed",
            subject=f"reconciliation/{run_id}",
            at=gw.clock(),
            detail={"scope": scope.key, "error": error[:300]},
        )
        uow.commit()


def _later(stored: datetime | None, as_of: datetime) -> datetime:
    return as_of if stored is None else max(stored, as_of)


def apply_breaks(
    uow: UnitOfWork,
    kind: str,
    scope: Scope,
    breaks: list[FoundBreak],
    run_id: int,
    now: datetime,
    *,
    as_of: datetime,
    in_transit: frozenset[str] = frozenset(),
    recheck: break_closing.Recheck,
) -> dict[str, int]:
    """Carry breaks across runs: new → open; found again → same row; closed and found → reopened. A break
    not found any more closes only when the store shows its counterpart (the reason names the record,
    :mod:`gateway.services.break_closing`); a run with an earlier as-of than the run that found it, or one
    that finds it back inside its in-transit window, leaves it open. IN_TRANSIT items are not breaks.
    ``recheck``: the kind's look for counterparts (:attr:`gateway.services.reconciliation.kinds.Kind.
    recheck`)."""
    found = {f.key: f for f in breaks}
    existing = uow.breaks.in_scope(kind, scope.key)
    new = [f for k, f in found.items() if k not in existing]
    seen = [(existing[k][0], f, _later(existing[k][2], as_of)) for k, f in found.items() if k in existing]
    reopened = [existing[k][0] for k in found if k in existing and existing[k][1] == "closed"]
    vanished = [pk for k, (pk, status, _) in existing.items() if k not in found and status != "closed"]
    verdicts = break_closing.judge(
        uow.counterparts,
        recheck,
        uow.breaks.by_ids(vanished),
        as_of=as_of,
        found_entities={break_closing.entity(f.ident): f.type for f in breaks},
        in_transit_entities=in_transit,
    )
    ids = uow.breaks.insert_new(kind, scope.key, scope.as_dict(), new, run_id, now, as_of)
    uow.breaks.add_events(list(ids.values()), "opened", now, actor="system", run_id=run_id)
    uow.breaks.mark_seen(seen, run_id, now)
    uow.breaks.set_status(reopened, "open", now, by="system", comment="再次发现")
    uow.breaks.add_events(reopened, "reopened", now, actor="system", run_id=run_id)
    outcomes: Counter[str] = Counter()
    kept = [pk for pk in vanished if verdicts[pk].outcome != break_closing.CLOSE]
    last = uow.breaks.last_actions(kept)
    for pk in vanished:
        verdict = verdicts[pk]
        outcomes[verdict.outcome] += 1
        if verdict.outcome == break_closing.CLOSE:
            uow.breaks.set_status([pk], "closed", now, by="system", comment=verdict.reason, closed=True)
            uow.breaks.add_events([pk], "closed", now, actor="system", comment=verdict.reason, run_id=run_id)
        elif verdict.outcome != break_closing.NOT_RECHECKED and last.get(pk) != verdict.outcome:
            # said once per stretch, not on every run that still finds it in transit
            uow.breaks.add_events(
                [pk], verdict.outcome, now, actor="system", comment=verdict.reason, run_id=run_id
            )
    return {
        "opened": len(new),
        "reopened": len(reopened),
        "closed": outcomes[break_closing.CLOSE],
        "carried": len(seen),
        "not_rechecked": outcomes[break_closing.NOT_RECHECKED],
        "kept_in_transit": outcomes[break_closing.IN_TRANSIT],
        "unconfirmed": outcomes[break_closing.UNCONFIRMED],
    }


def list_runs(
    gw: ReconciliationContext,
    *,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    **scope_fields: Any,
) -> RunPage:
    """Runs newest first. ``scope_fields`` filter by one scope, as the kind names it (indicators: all of
    upper, lower and fiscal_year; payments: adm_div_code and day, optionally pay_bank_code). Without
    ``kind`` the kinds are asked in table order and the first that recognises the fields wins."""
    if not 1 <= limit <= 500 or offset < 0:
        raise BadRequest("limit must be 1…500 and offset ≥ 0")
    candidates = list(gw.reconciliation_kinds.values()) if kind is None else [kind_of(gw, kind)]
    scope_key = None
    named = [name for name, value in scope_fields.items() if value is not None]
    if named:
        keys = [k for k in (c.scope_filter(scope_fields) for c in candidates) if k is not None]
        if not keys:
            raise BadRequest(f"no {kind or 'reconciliation'} scope has the field(s) {', '.join(named)}")
        if kind is None and len(keys) > 1:
            raise BadRequest("the filter names scopes of several kinds: give kind as well")
        scope_key = keys[0]
    with gw.database.unit_of_work() as uow:
        rows, total = uow.runs.search(
            kind=kind, scope_key=scope_key, status=status, limit=limit, offset=offset
        )
    return RunPage([_summary(r) for r in rows], total, limit, offset)


def get_run(gw: ReconciliationContext, run_id: int) -> tuple[RunSummary, Mapping[str, Any] | None]:
    """A run and its JSON report (``None`` while running or when it failed)."""
    with gw.database.unit_of_work() as uow:
        row = uow.runs.get(run_id)
        if row is None:
            raise NotFound(f"no reconciliation run {run_id}")
        return _summary(row), uow.runs.report(run_id)


def report_file(gw: ReconciliationContext, run_id: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of a run's report in ``json | csv | xlsx | html``."""
    if fmt not in MEDIA_TYPES:
        raise BadRequest(f"format must be one of {', '.join(MEDIA_TYPES)}")
    run, body = get_run(gw, run_id)
    if body is None or run.summary is None:
        raise NotFound(f"reconciliation run {run_id} has no report (status {run.status})")
    content = kind_of(gw, run.kind).render(body, run.summary, fmt)
    return content, MEDIA_TYPES[fmt], f"reconciliation-{run_id}.{fmt}"


def _age_bucket(age: timedelta) -> str:
    for name, limit in AGE_BUCKETS:
        if limit is None or age < limit:
            return name
    return AGE_BUCKETS[-1][0]  # pragma: no cover - the last bucket has no limit


def status_text(
    gw: ReconciliationContext, kind: str, summary: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """(status, what to show) of a run summary. A run without breaks is 一致 only when both sides' totals
    agree; when in-transit items (indicators: issued inside the window; payments: awaiting 回单 or clearing)
    explain the difference it is 一致（在途 N 笔 / 金额 X）; a difference nothing explains is 不一致."""
    return kind_of(gw, kind).status_text(summary)


def dashboard_summary(
    gw: ReconciliationContext, *, kind: str = "indicators", runs: int = 30, scopes: int | None = None
) -> list[PairDashboard]:
    """Per scope (indicators: per pair; payments: per division / bank / day): last run, its status and
    totals, open breaks by type and age bucket, and the trend of breaks found over the last ``runs`` runs.
    ``scopes`` keeps only that many scopes, in the kind's order (payments: the newest days first)."""
    strategy = kind_of(gw, kind)
    now = gw.clock()
    out: list[PairDashboard] = []
    with gw.database.unit_of_work() as uow:
        open_rows = uow.breaks.open_counts(kind)
        by_type: dict[str, Counter[str]] = defaultdict(Counter)
        by_age: dict[str, Counter[str]] = defaultdict(Counter)
        for scope_key, kind_of_break, first_seen, n in open_rows:
            by_type[scope_key][kind_of_break] += n
            by_age[scope_key][_age_bucket(now - first_seen)] += n
        keys = strategy.dashboard_order(list(uow.runs.scopes(kind)))
        for scope_key in keys if scopes is None else keys[:scopes]:
            rows, _total = uow.runs.search(kind=kind, scope_key=scope_key, limit=runs)
            finished = [r for r in rows if r.status == "succeeded"]
            last = _summary(rows[0]) if rows else None
            last_ok = finished[0] if finished else None
            summary = dict(last_ok.summary or {}) if last_ok is not None else {}
            totals = {k: summary.get(k) for k in strategy.total_keys}
            status, shown = strategy.status_text(summary)
            out.append(
                PairDashboard(
                    scope=rows[0].scope if rows else {},
                    last_run=last,
                    status=status,
                    status_text=shown,
                    totals=totals,
                    open_by_type={t: by_type[scope_key].get(t, 0) for t in strategy.break_types},
                    open_by_age={name: by_age[scope_key].get(name, 0) for name, _ in AGE_BUCKETS},
                    trend=[
                        (r.id, r.started_at, int((r.summary or {}).get("breaks", 0)))
                        for r in reversed(finished)
                    ],
                )
            )
    return out
