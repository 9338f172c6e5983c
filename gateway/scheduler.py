"""Scheduled reconciliation: APScheduler 3 (``BackgroundScheduler``) runs each ``[[reconciliation.pairs]]``
(indicators) and ``[[reconciliation.payments]]`` (one division-day of payments, the day ``days_back`` days
before the firing's local date) entry on its cron, started by ``fiscalgw serve``.

Several gateway processes or nodes may share one PostgreSQL database and all run this scheduler; each
firing must still run exactly once. Two database guards make sure of it:

1. **A claim row per firing** (``scheduler_firings``, UNIQUE (job_id, fire_time)). Every node computes the
   firing's scheduled time from the trigger (the latest fire time not after now), and the first node whose
   INSERT commits runs it; the others get the constraint violation and skip. This holds on SQLite too.
2. **A job lock while running** (``pg_try_advisory_lock`` on PostgreSQL): a firing whose previous run of the
   same job is still going on another node is recorded as ``busy`` instead of running alongside it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from gateway.bootstrap import Gateway
from gateway.config import PaymentReconciliation, ReconciliationPair
from gateway.errors import ConfigError
from gateway.services.reconciliation import runs

log = logging.getLogger("fiscalgw.scheduler")

MISFIRE_GRACE_SECONDS = 60
LOOKBACK = timedelta(seconds=2 * MISFIRE_GRACE_SECONDS)

Action = Callable[[], int | None]
"""A job's work; returns the reconciliation run id it produced (or None)."""


def default_node() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def scheduled_time(trigger: BaseTrigger, now: datetime) -> datetime:
    """The firing being served: the trigger's latest fire time not after ``now`` (within the look-back)."""
    latest: datetime | None = None
    candidate = trigger.get_next_fire_time(None, now - LOOKBACK)
    while candidate is not None and candidate <= now:
        latest = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(microseconds=1))
    return (latest or now).replace(microsecond=0)


@dataclass
class FiringTally:
    """What this node did (for logs and tests): firings run, lost to another node, found busy."""

    ran: int = 0
    lost: int = 0
    busy: int = 0
    failed: int = 0
    run_ids: list[int] = field(default_factory=list)


class ReconciliationScheduler:
    """Owns one ``BackgroundScheduler``; :meth:`start` / :meth:`shutdown` bracket ``fiscalgw serve``."""

    def __init__(self, gw: Gateway, *, node: str | None = None) -> None:
        self._gw = gw
        self.node = node or default_node()
        section = gw.settings.reconciliation
        try:
            self.timezone = ZoneInfo(section.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"reconciliation.timezone: unknown time zone {section.timezone!r}") from None
        self._scheduler = BackgroundScheduler(timezone=self.timezone)
        self.tally = FiringTally()
        for pair in section.pairs:
            self.add_pair(pair)
        for entry in section.payments:
            self.add_payments(entry)

    def add_pair(self, pair: ReconciliationPair) -> None:
        try:
            trigger = CronTrigger.from_crontab(pair.cron, timezone=self.timezone)
        except ValueError as exc:
            raise ConfigError(f"reconciliation.pairs {pair.job_id}: bad cron {pair.cron!r}: {exc}") from None

        def action() -> int | None:
            run = runs.run_now(
                self._gw,
                kind="indicators",
                upper=pair.upper,
                lower=pair.lower,
                fiscal_year=pair.fiscal_year,
                actor="scheduler",
                trigger="schedule",
                in_transit_hours=pair.in_transit_hours,
            )
            return run.id

        self.add_job(pair.job_id, trigger, action)

    def add_payments(self, entry: PaymentReconciliation) -> None:
        try:
            trigger = CronTrigger.from_crontab(entry.cron, timezone=self.timezone)
        except ValueError as exc:
            raise ConfigError(
                f"reconciliation.payments {entry.job_id}: bad cron {entry.cron!r}: {exc}"
            ) from None

        def action() -> int | None:
            fired = scheduled_time(trigger, self._gw.clock().astimezone(self.timezone))
            run = runs.run_now(
                self._gw,
                kind="payments",
                adm_div_code=entry.adm_div_code,
                pay_bank_code=entry.pay_bank_code,
                day=fired.date() - timedelta(days=entry.days_back),
                actor="scheduler",
                trigger="schedule",
                unpaid_hours=entry.unpaid_hours,
                uncleared_hours=entry.uncleared_hours,
            )
            return run.id

        self.add_job(entry.job_id, trigger, action)

    def add_job(self, job_id: str, trigger: BaseTrigger, action: Action) -> None:
        self._scheduler.add_job(
            self.fire,
            trigger,
            args=(job_id, trigger, action),
            id=job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            replace_existing=True,
        )

    @property
    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def fire(self, job_id: str, trigger: BaseTrigger, action: Action) -> str:
        """Serve one firing: claim it, take the job lock, run; returns ``ran | lost | busy | failed``."""
        now = self._gw.clock()
        fire_time = scheduled_time(trigger, now.astimezone(self.timezone))
        with self._gw.database.unit_of_work() as uow:
            firing = uow.runs.claim_firing(job_id, fire_time, self.node, now)
            uow.commit()
        if firing is None:
            self.tally.lost += 1
            return "lost"
        outcome, run_id = "busy", None
        with self._gw.database.job_lock(job_id) as acquired:
            if acquired:
                try:
                    run_id = action()
                    outcome = "ran"
                except Exception:  # a failed run must not kill the scheduler thread; it is recorded
                    log.exception("scheduled job %s failed", job_id)
                    outcome = "failed"
        with self._gw.database.unit_of_work() as uow:
            uow.runs.finish_firing(firing, self._gw.clock(), outcome, run_id)
            uow.commit()
        setattr(self.tally, outcome, getattr(self.tally, outcome) + 1)
        if run_id is not None:
            self.tally.run_ids.append(run_id)
        return outcome
