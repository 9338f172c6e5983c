"""Storage of reconciliation runs (``recon_runs``) and the scheduler's firing claims (``scheduler_firings``).

A run is generic: ``kind`` (indicators | payments) plus a ``scope`` JSON and its text ``scope_key`` (for an
indicator pair ``upper|lower|fiscal_year``), so the payments engine's runs fit the same table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from gateway.rows import RunRow
from gateway.store.tables import recon_runs, scheduler_firings
from signing import sm3_hex

_COLUMNS = (
    recon_runs.c.id,
    recon_runs.c.kind,
    recon_runs.c.scope_key,
    recon_runs.c.scope,
    recon_runs.c.as_of,
    recon_runs.c.started_at,
    recon_runs.c.finished_at,
    recon_runs.c.status,
    recon_runs.c.trigger,
    recon_runs.c.actor,
    recon_runs.c.summary,
    recon_runs.c.error,
)


def _run(row: Any) -> RunRow:
    return RunRow(*row)


class RunRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def start(
        self,
        kind: str,
        scope_key: str,
        scope: Mapping[str, Any],
        as_of: datetime,
        started_at: datetime,
        trigger: str,
        actor: str,
    ) -> int:
        pk = self._c.execute(
            insert(recon_runs)
            .values(
                kind=kind,
                scope_key=scope_key,
                scope=dict(scope),
                as_of=as_of,
                started_at=started_at,
                status="running",
                trigger=trigger,
                actor=actor,
            )
            .returning(recon_runs.c.id)
        ).scalar_one()
        return int(pk)

    def finish(
        self,
        run_id: int,
        finished_at: datetime,
        *,
        status: str,
        summary: Mapping[str, Any] | None = None,
        report: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        self._c.execute(
            update(recon_runs)
            .where(recon_runs.c.id == run_id)
            .values(
                finished_at=finished_at,
                status=status,
                summary=None if summary is None else dict(summary),
                report=None if report is None else dict(report),
                error=error,
            )
        )

    def get(self, run_id: int) -> RunRow | None:
        row = self._c.execute(select(*_COLUMNS).where(recon_runs.c.id == run_id)).one_or_none()
        return None if row is None else _run(row)

    def report(self, run_id: int) -> Mapping[str, Any] | None:
        value = self._c.execute(select(recon_runs.c.report).where(recon_runs.c.id == run_id)).scalar()
        return None if value is None else dict(value)

    def search(
        self,
        *,
        kind: str | None = None,
        scope_key: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[RunRow], int]:
        """Runs newest first, and the total matching."""
        query = select(*_COLUMNS)
        count = select(func.count()).select_from(recon_runs)
        for column, value in (
            (recon_runs.c.kind, kind),
            (recon_runs.c.scope_key, scope_key),
            (recon_runs.c.status, status),
        ):
            if value is not None:
                query = query.where(column == value)
                count = count.where(column == value)
        rows = self._c.execute(query.order_by(recon_runs.c.id.desc()).limit(limit).offset(offset))
        return [_run(r) for r in rows], int(self._c.execute(count).scalar_one())

    def scopes(self, kind: str) -> list[str]:
        rows = self._c.execute(
            select(recon_runs.c.scope_key).where(recon_runs.c.kind == kind).distinct().order_by("scope_key")
        )
        return [str(r[0]) for r in rows]

    def lock_scope(self, kind: str, scope_key: str) -> None:
        """Serialise runs of one scope until this transaction ends (two runs never insert the same break
        twice). PostgreSQL: ``pg_advisory_xact_lock``; SQLite's ``BEGIN IMMEDIATE`` already serialises."""
        if self._c.dialect.name == "postgresql":
            self._c.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(f"{kind}|{scope_key}")})

    # ---- scheduler firing claims ----------------------------------------------------------------------

    def claim_firing(self, job_id: str, fire_time: datetime, node: str, at: datetime) -> int | None:
        """Claim one firing of a scheduled job; ``None`` when another node claimed it first (the UNIQUE
        constraint on (job_id, fire_time) decides, on SQLite and PostgreSQL alike)."""
        try:
            with self._c.begin_nested():
                pk = self._c.execute(
                    insert(scheduler_firings)
                    .values(job_id=job_id, fire_time=fire_time, node=node, claimed_at=at)
                    .returning(scheduler_firings.c.id)
                ).scalar_one()
        except IntegrityError:
            return None
        return int(pk)

    def finish_firing(self, firing_id: int, at: datetime, outcome: str, run_id: int | None) -> None:
        self._c.execute(
            update(scheduler_firings)
            .where(scheduler_firings.c.id == firing_id)
            .values(finished_at=at, outcome=outcome, run_id=run_id)
        )

    def firings(self, job_id: str) -> list[tuple[datetime, str, str | None, int | None]]:
        """(fire time, node, outcome, run id) of every claimed firing of ``job_id``, oldest first."""
        t = scheduler_firings
        rows = self._c.execute(
            select(t.c.fire_time, t.c.node, t.c.outcome, t.c.run_id)
            .where(t.c.job_id == job_id)
            .order_by(t.c.fire_time)
        )
        return [(r[0], str(r[1]), r[2], r[3]) for r in rows]


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key derived from ``name``."""
    value = int(sm3_hex(name.encode("utf-8"))[:16], 16)
    return value - (1 << 64) if value >= (1 << 63) else value


@contextmanager
def job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Hold ``name``'s job lock for the block; yields False when another session holds it.

    PostgreSQL: a session-level ``pg_try_advisory_lock`` on a dedicated connection (released at the end,
    or by the server if the process dies). SQLite runs one gateway process per file (ADR 0004), where
    APScheduler's ``max_instances=1`` already serialises a job: it always yields True.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = _lock_key(name)
    with engine.connect() as connection:
        acquired = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
