"""Reconciliation runs from the store (issue #5): run one now, list runs, read a run's report, and the
dashboard summary the ops pages show. Payment runs (one division and day) are computed by
:mod:`gateway.services.payment_runs` and booked here with the same break lifecycle.

An indicator run for (upper, lower, fiscal year) exports the pair's ledger rows from the store as two
BA_BGT_INFO snapshots (streamed, :meth:`gateway.store.ledger.LedgerRepository.export_pair`) and feeds them to
the SAME DuckDB engine the file CLI uses (:func:`gateway.reconcile.reconcile_indicator_files`), so the store
and the files can never disagree on semantics. The run, its report, the persistent breaks (opened, seen again,
reopened, auto-closed) and one audit entry are committed together.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from gateway import audit
from gateway.bootstrap import Gateway
from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break, BreakType, FieldDifference
from gateway.reconcile.errors import ReconcileError
from gateway.reconcile.indicator_report import (
    STATUS_AGREE,
    STATUS_DISAGREE,
    IndicatorReport,
    PairSummary,
    empty_counts,
)
from gateway.reconcile.indicators_duckdb import reconcile_indicator_files
from gateway.reconcile.payments_report import PAYMENT_BREAK_TYPES
from gateway.reconcile.report_formats import render_report
from gateway.reconcile.report_json import break_dict, pair_dict, report_dict
from gateway.rows import RunRow
from gateway.services import break_closing, payment_runs
from gateway.services.errors import BadRequest, NotFound
from gateway.services.ports import ServiceContext
from gateway.store.breaks import FoundBreak
from gateway.store.unit_of_work import UnitOfWork
from schemas.money import format_money, parse_sum, to_fen
from signing import sm3_hex

KINDS = ("indicators", "payments")
_CODE9 = re.compile(r"^[0-9]{9}$")
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


class Scope(Protocol):
    """What the bookkeeping needs of a run scope (``PairScope``, ``payment_runs.PaymentScope``)."""

    @property
    def key(self) -> str: ...

    def as_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PairScope:
    """One indicator pair: the upper issuer, the lower receiver and the fiscal year."""

    upper: str
    lower: str
    fiscal_year: int

    @property
    def key(self) -> str:
        return f"{self.upper}|{self.lower}|{self.fiscal_year}"

    def as_dict(self) -> dict[str, Any]:
        return {"upper": self.upper, "lower": self.lower, "fiscal_year": self.fiscal_year}


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


def pair_scope(upper: str, lower: str, fiscal_year: int) -> PairScope:
    """Validate and build a pair (BadRequest naming the field)."""
    for name, code in (("upper", upper), ("lower", lower)):
        if not _CODE9.match(code):
            raise BadRequest(f"{name} must be a 9-digit MOF_DIV_CODE, got {code[:20]!r}")
    if upper == lower:
        raise BadRequest("upper and lower must differ")
    if not 2000 <= fiscal_year <= 2100:
        raise BadRequest(f"fiscal_year must be a year, got {fiscal_year}")
    return PairScope(upper, lower, fiscal_year)


def stable_key(kind: str, engine_key: str) -> str:
    """The persistent break key: hex SM3 of ``kind|engine key`` (which holds type, pair, year and id)."""
    return sm3_hex(f"{kind}|{engine_key}".encode())


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


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else to_fen(value)


def _found(kind: str, item: Break) -> FoundBreak:
    diff = _fen(item.difference)
    upper, lower = _fen(item.upper_amount), _fen(item.lower_amount)
    magnitude = abs(diff) if diff is not None else abs(upper if upper is not None else (lower or 0))
    detail = break_dict(item)
    detail["type_zh"] = item.type.label_zh
    return FoundBreak(
        key=stable_key(kind, item.key),
        type=item.type.value,
        ident=item.key,
        amount_fen=magnitude,
        upper_amount_fen=upper,
        lower_amount_fen=lower,
        difference_fen=diff,
        fields=detail["fields"],
        detail=detail,
    )


def _only_pair(report: IndicatorReport, scope: PairScope) -> IndicatorReport:
    wanted = (scope.upper, scope.lower, scope.fiscal_year)
    pairs = tuple(p for p in report.pairs if (p.upper, p.lower, p.fiscal_year) == wanted)
    if not pairs:
        zero = Decimal("0.00")
        pairs = (PairSummary(*wanted, 0, 0, zero, zero, empty_counts()),)

    def mine(b: Break) -> bool:
        return (b.upper, b.lower, b.fiscal_year) == wanted

    return IndicatorReport(
        report.as_of,
        report.in_transit_window,
        pairs,
        tuple(b for b in report.breaks if mine(b)),
        tuple(b for b in report.in_transit if mine(b)),
    )


def reconcile_pair_from_store(
    gw: Gateway, scope: PairScope, as_of: datetime, in_transit_window: timedelta = timedelta(hours=48)
) -> IndicatorReport:
    """The indicator report of one pair, computed from the store (no bookkeeping; see :func:`run_now`)."""
    with tempfile.TemporaryDirectory(prefix="fiscalgw-store-recon-") as tmp:
        upper_csv, lower_csv = Path(tmp) / "upper.csv", Path(tmp) / "lower.csv"
        with gw.database.unit_of_work() as uow:
            uow.ledger.export_pair(scope.upper, scope.lower, scope.fiscal_year, upper_csv, lower_csv)
        report = reconcile_indicator_files(
            upper_csv, lower_csv, as_of=as_of, in_transit_window=in_transit_window
        )
    return _only_pair(report, scope)


def run_now(
    gw: Gateway,
    *,
    kind: str,
    actor: str,
    upper: str | None = None,
    lower: str | None = None,
    fiscal_year: int | None = None,
    adm_div_code: str | None = None,
    day: date | str | None = None,
    pay_bank_code: str | None = None,
    as_of: datetime | None = None,
    trigger: str = "api",
    in_transit_hours: int = 48,
    unpaid_hours: int = 24,
    uncleared_hours: int = 24,
) -> RunSummary:
    """Run one reconciliation now and persist it; returns the finished run (status succeeded or failed).

    ``kind="indicators"`` needs ``upper``, ``lower`` and ``fiscal_year`` (and takes ``in_transit_hours``);
    ``kind="payments"`` needs ``adm_div_code`` and ``day`` (optionally ``pay_bank_code``; takes
    ``unpaid_hours`` and ``uncleared_hours``)."""
    if kind not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
    if as_of is not None and as_of.tzinfo is None:
        raise BadRequest("as_of needs a zone (Z or ±hh:mm)")
    if as_of is not None and not 2000 <= as_of.year <= 2100:
        raise BadRequest("as_of must fall within 2000…2100")
    if kind == payment_runs.KIND:
        if upper is not None or lower is not None or fiscal_year is not None:
            raise BadRequest("a payments run takes adm_div_code and day, not upper / lower / fiscal_year")
        if adm_div_code is None or day is None:
            raise BadRequest("a payments run needs adm_div_code and day")
        return _run_payments(
            gw,
            payment_runs.payment_scope(adm_div_code, day, pay_bank_code),
            actor=actor,
            as_of=as_of,
            trigger=trigger,
            unpaid_window=payment_runs.check_hours("unpaid_hours", unpaid_hours),
            uncleared_window=payment_runs.check_hours("uncleared_hours", uncleared_hours),
        )
    if adm_div_code is not None or day is not None or pay_bank_code is not None:
        raise BadRequest("an indicators run takes upper, lower and fiscal_year, not adm_div_code / day")
    if upper is None or lower is None or fiscal_year is None:
        raise BadRequest("an indicators run needs upper, lower and fiscal_year")
    scope = pair_scope(upper, lower, fiscal_year)
    if not 0 <= in_transit_hours <= 24 * 366:
        raise BadRequest("in_transit_hours must be between 0 and 8784")
    started = gw.clock()
    moment = as_of or started
    with gw.database.unit_of_work() as uow:
        run_id = uow.runs.start(kind, scope.key, scope.as_dict(), moment, started, trigger, actor)
        uow.commit()
    try:
        report = reconcile_pair_from_store(gw, scope, moment, timedelta(hours=in_transit_hours))
    except ReconcileError as exc:
        _fail(gw, run_id, actor, scope, str(exc))
        raise ReconciliationFailed(f"run {run_id}: {exc}") from None
    pair = report.pairs[0]
    body = report_dict(report)
    return _record(
        gw,
        kind,
        scope,
        run_id,
        actor,
        found=[_found(kind, b) for b in report.breaks],
        summary={
            **pair_dict(pair),
            "in_transit_hours": in_transit_hours,
            "breaks": len(report.breaks),
            "in_transit": len(report.in_transit),
            "in_transit_amount": format_money(
                sum((b.upper_amount or Decimal("0.00") for b in report.in_transit), Decimal("0.00"))
            ),
        },
        body=body,
        audit_detail={
            "kind": kind,
            "scope": scope.key,
            "status": pair.status,
            "breaks": len(report.breaks),
            "report_sm3": sm3_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()),
        },
        as_of=moment,
        in_transit=frozenset(break_closing.entity(b.key) for b in report.in_transit),
    )


def _record(
    gw: Gateway,
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
        counts = _apply_breaks(
            uow, kind, scope, found, run_id, gw.clock(), as_of=as_of, in_transit=in_transit
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


def _run_payments(
    gw: Gateway,
    scope: payment_runs.PaymentScope,
    *,
    actor: str,
    as_of: datetime | None,
    trigger: str,
    unpaid_window: timedelta,
    uncleared_window: timedelta,
) -> RunSummary:
    kind = payment_runs.KIND
    run_id, report, error = payment_runs.run_payments(
        gw,
        scope,
        actor=actor,
        as_of=as_of,
        trigger=trigger,
        unpaid_window=unpaid_window,
        uncleared_window=uncleared_window,
    )
    if report is None:
        _fail(gw, run_id, actor, scope, error or "failed")
        raise ReconciliationFailed(f"run {run_id}: {error}")
    summary = payment_runs.summary_of(scope, report)
    body = payment_runs.report_body(report)
    return _record(
        gw,
        kind,
        scope,
        run_id,
        actor,
        found=[payment_runs.found_break(scope, b) for b in report.breaks],
        summary=summary,
        body=body,
        audit_detail=payment_runs.audit_detail(scope, summary, body),
        as_of=report.as_of,
    )


def _fail(gw: Gateway, run_id: int, actor: str, scope: Scope, error: str) -> None:
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


def _apply_breaks(
    uow: UnitOfWork,
    kind: str,
    scope: Scope,
    breaks: list[FoundBreak],
    run_id: int,
    now: datetime,
    *,
    as_of: datetime,
    in_transit: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Carry breaks across runs: new → open; found again → same row; closed and found → reopened. A break
    not found any more closes only when the store shows its counterpart (the reason names the record,
    :mod:`gateway.services.break_closing`); a run with an earlier as-of than the run that found it, or one
    that finds it back inside its in-transit window, leaves it open. IN_TRANSIT items are not breaks."""
    found = {f.key: f for f in breaks}
    existing = uow.breaks.in_scope(kind, scope.key)
    new = [f for k, f in found.items() if k not in existing]
    seen = [(existing[k][0], f, _later(existing[k][2], as_of)) for k, f in found.items() if k in existing]
    reopened = [existing[k][0] for k in found if k in existing and existing[k][1] == "closed"]
    vanished = [pk for k, (pk, status, _) in existing.items() if k not in found and status != "closed"]
    verdicts = break_closing.judge(
        uow.counterparts,
        kind,
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
    gw: Gateway,
    *,
    kind: str | None = None,
    upper: str | None = None,
    lower: str | None = None,
    fiscal_year: int | None = None,
    adm_div_code: str | None = None,
    day: date | str | None = None,
    pay_bank_code: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RunPage:
    """Runs newest first; a pair filter needs all of upper, lower and fiscal_year; a payments scope filter
    needs adm_div_code and day (and takes pay_bank_code)."""
    if not 1 <= limit <= 500 or offset < 0:
        raise BadRequest("limit must be 1…500 and offset ≥ 0")
    given = [v is not None for v in (upper, lower, fiscal_year)]
    scope_key = None
    if any(given):
        if not all(given):
            raise BadRequest("a pair filter needs upper, lower and fiscal_year together")
        assert upper is not None and lower is not None and fiscal_year is not None
        scope_key = pair_scope(upper, lower, fiscal_year).key
    if adm_div_code is not None or day is not None or pay_bank_code is not None:
        if scope_key is not None:
            raise BadRequest("filter by a pair or by a payments scope, not both")
        if adm_div_code is None or day is None:
            raise BadRequest("a payments filter needs adm_div_code and day together")
        scope_key = payment_runs.payment_scope(adm_div_code, day, pay_bank_code).key
    with gw.database.unit_of_work() as uow:
        rows, total = uow.runs.search(
            kind=kind, scope_key=scope_key, status=status, limit=limit, offset=offset
        )
    return RunPage([_summary(r) for r in rows], total, limit, offset)


def get_run(gw: ServiceContext, run_id: int) -> tuple[RunSummary, Mapping[str, Any] | None]:
    """A run and its JSON report (``None`` while running or when it failed)."""
    with gw.database.unit_of_work() as uow:
        row = uow.runs.get(run_id)
        if row is None:
            raise NotFound(f"no reconciliation run {run_id}")
        return _summary(row), uow.runs.report(run_id)


def report_file(gw: ServiceContext, run_id: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of a run's report in ``json | csv | xlsx | html``."""
    if fmt not in MEDIA_TYPES:
        raise BadRequest(f"format must be one of {', '.join(MEDIA_TYPES)}")
    run, body = get_run(gw, run_id)
    if body is None or run.summary is None:
        raise NotFound(f"reconciliation run {run_id} has no report (status {run.status})")
    if run.kind == payment_runs.KIND:
        payments = payment_runs.report_from_dict(body)
        return render_report(payments, fmt), MEDIA_TYPES[fmt], f"reconciliation-{run_id}.{fmt}"
    hours = int(run.summary.get("in_transit_hours", 48))
    report = report_from_dict(body, timedelta(hours=hours))
    return render_report(report, fmt), MEDIA_TYPES[fmt], f"reconciliation-{run_id}.{fmt}"


def _money(value: Any) -> Decimal | None:
    return None if value is None else parse_sum(value)


def _break_from(item: Mapping[str, Any]) -> Break:
    return Break(
        BreakType(item["type"]),
        item["key"],
        item["upper"],
        item["lower"],
        int(item["fiscal_year"]),
        item["bgt_id"],
        item["lower_bgt_id"],
        item["doc_no"],
        _money(item["upper_amount"]),
        _money(item["lower_amount"]),
        _money(item["difference"]),
        tuple(FieldDifference(f["field"], f["upper"], f["lower"]) for f in item["fields"]),
    )


def report_from_dict(body: Mapping[str, Any], window: timedelta) -> IndicatorReport:
    """Rebuild a report from its stored JSON (to render CSV / XLSX / HTML later)."""
    pairs = tuple(
        PairSummary(
            p["upper"],
            p["lower"],
            int(p["fiscal_year"]),
            int(p["upper_count"]),
            int(p["lower_count"]),
            parse_sum(p["upper_amount"]),
            parse_sum(p["lower_amount"]),
            {BreakType(t): int(n) for t, n in p["break_counts"].items()},
        )
        for p in body["pairs"]
    )
    return IndicatorReport(
        datetime.fromisoformat(body["as_of"]),
        window,
        pairs,
        tuple(_break_from(b) for b in body["breaks"]),
        tuple(_break_from(b) for b in body["in_transit"]),
    )


def _age_bucket(age: timedelta) -> str:
    for name, limit in AGE_BUCKETS:
        if limit is None or age < limit:
            return name
    return AGE_BUCKETS[-1][0]  # pragma: no cover - the last bucket has no limit


def _amount(value: Any) -> Decimal:
    return Decimal("0.00") if value is None else parse_sum(value)


def status_text(kind: str, summary: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(status, what to show) of a run summary. A run without breaks is 一致 only when both sides' totals
    agree; when in-transit items (indicators: issued inside the window; payments: awaiting 回单 or clearing)
    explain the difference it is 一致（在途 N 笔 / 金额 X）; a difference nothing explains is 不一致."""
    status = summary.get("status")
    if status != STATUS_AGREE:
        return status, status
    transit = int(summary.get("in_transit") or 0)
    if kind == payment_runs.KIND:
        gap = (
            _amount(summary.get("voucher_amount"))
            - _amount(summary.get("refund_amount"))
            - _amount(summary.get("cleared_amount"))
        )
        if transit == 0:
            return status, status
        return status, f"{STATUS_AGREE}（在途 {transit} 笔 / 金额 {format_money(gap)}）"
    gap = _amount(summary.get("upper_amount")) - _amount(summary.get("lower_amount"))
    if gap == 0:
        return status, status
    explained = summary.get("in_transit_amount")
    if transit and (explained is None or _amount(explained) == gap):
        return status, f"{STATUS_AGREE}（在途 {transit} 笔 / 金额 {format_money(gap)}）"
    return STATUS_DISAGREE, STATUS_DISAGREE


def dashboard_summary(
    gw: Gateway, *, kind: str = "indicators", runs: int = 30, scopes: int | None = None
) -> list[PairDashboard]:
    """Per pair (payments: per division / bank / day scope): last run, its status and totals, open breaks by
    type and age bucket, and the trend of breaks found over the last ``runs`` runs. ``scopes`` keeps only
    that many scopes (payments: the newest days first), since a payment scope is one day."""
    now = gw.clock()
    out: list[PairDashboard] = []
    if kind == payment_runs.KIND:
        types: tuple[BreakType, ...] = PAYMENT_BREAK_TYPES
        total_keys: tuple[str, ...] = payment_runs.TOTAL_COUNTS + payment_runs.TOTAL_AMOUNTS
    else:
        types = tuple(t for t in INDICATOR_BREAK_TYPES if t is not BreakType.IN_TRANSIT)
        total_keys = ("upper_count", "lower_count", "upper_amount", "lower_amount")
    with gw.database.unit_of_work() as uow:
        open_rows = uow.breaks.open_counts(kind)
        by_type: dict[str, Counter[str]] = defaultdict(Counter)
        by_age: dict[str, Counter[str]] = defaultdict(Counter)
        for scope_key, kind_of, first_seen, n in open_rows:
            by_type[scope_key][kind_of] += n
            by_age[scope_key][_age_bucket(now - first_seen)] += n
        keys = uow.runs.scopes(kind)
        if kind == payment_runs.KIND:
            keys = sorted(keys, key=lambda k: (k.rsplit("|", 1)[-1], k), reverse=True)
        for scope_key in keys if scopes is None else keys[:scopes]:
            rows, _total = uow.runs.search(kind=kind, scope_key=scope_key, limit=runs)
            finished = [r for r in rows if r.status == "succeeded"]
            last = _summary(rows[0]) if rows else None
            last_ok = finished[0] if finished else None
            summary = dict(last_ok.summary or {}) if last_ok is not None else {}
            totals = {k: summary.get(k) for k in total_keys}
            status, shown = status_text(kind, summary)
            out.append(
                PairDashboard(
                    scope=rows[0].scope if rows else {},
                    last_run=last,
                    status=status,
                    status_text=shown,
                    totals=totals,
                    open_by_type={t.value: by_type[scope_key].get(t.value, 0) for t in types},
                    open_by_age={name: by_age[scope_key].get(name, 0) for name, _ in AGE_BUCKETS},
                    trend=[
                        (r.id, r.started_at, int((r.summary or {}).get("breaks", 0)))
                        for r in reversed(finished)
                    ],
                )
            )
    return out
