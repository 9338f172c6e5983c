"""Scheduled reconciliation: configured pairs become cron jobs; with two schedulers (two gateways) on one
database every firing runs exactly once — on SQLite and PostgreSQL; a job still running elsewhere is busy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from gateway.bootstrap import Gateway, build_gateway
from gateway.config import DatabaseSection, ReconciliationPair, ReconciliationSection, load_settings
from gateway.errors import ConfigError
from gateway.scheduler import ReconciliationScheduler, scheduled_time
from gateway.services.reconciliation import runs as reconciliations
from gateway.store.reconciliations import job_lock
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import CITY, PROVINCE, document, issue, send

PAIR = ReconciliationPair(upper=PROVINCE, lower=CITY, fiscal_year=2026, cron="30 2 * * *")


def gateway_for(
    demo_dir: Path, database_url: str, *pairs: ReconciliationPair, tz: str = "Asia/Shanghai"
) -> Gateway:
    settings = load_settings(demo_dir)
    settings = settings.model_copy(
        update={
            "database": DatabaseSection(url=database_url),
            "reconciliation": ReconciliationSection(timezone=tz, pairs=pairs),
        }
    )
    return build_gateway(settings)  # the real clock


@pytest.fixture
def two_gateways(harness: Harness, demo_dir: Path, database_url: str) -> Iterator[tuple[Gateway, Gateway]]:
    """Two gateway processes' worth of state (engines, schedulers) on the harness's migrated database."""
    first, second = gateway_for(demo_dir, database_url), gateway_for(demo_dir, database_url)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_configured_pairs_become_cron_jobs(demo_dir: Path, database_url: str) -> None:
    gw = gateway_for(demo_dir, database_url, PAIR)
    try:
        assert ReconciliationScheduler(gw).job_ids == [f"indicators|{PROVINCE}|{CITY}|2026"]
    finally:
        gw.close()
    for gw, problem in (
        (gateway_for(demo_dir, database_url, PAIR.model_copy(update={"cron": "61 * * * *"})), "bad cron"),
        (gateway_for(demo_dir, database_url, tz="Mars/Olympus"), "time zone"),
    ):
        try:
            with pytest.raises(ConfigError, match=problem):
                ReconciliationScheduler(gw)
        finally:
            gw.close()


def test_the_config_file_section_is_read(demo_dir: Path) -> None:
    path = demo_dir / "fiscalgw.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text
        + '\n[[reconciliation.pairs]]\nupper = "330000000"\nlower = "330300000"\nfiscal_year = 2026\n'
        + 'cron = "0 2 * * *"\n',
        encoding="utf-8",
    )
    settings = load_settings(demo_dir)
    assert settings.reconciliation.pairs == (
        ReconciliationPair(upper=PROVINCE, lower=CITY, fiscal_year=2026, cron="0 2 * * *"),
    )
    path.write_text(text + '\n[[reconciliation.pairs]]\nupper = "33"\nlower = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="reconciliation"):
        load_settings(demo_dir)


def test_scheduled_time_is_the_latest_firing_not_after_now() -> None:
    daily = CronTrigger.from_crontab("30 2 * * *", timezone=UTC)
    assert scheduled_time(daily, datetime(2026, 3, 2, 2, 30, 0, 300_000, tzinfo=UTC)) == datetime(
        2026, 3, 2, 2, 30, tzinfo=UTC
    )
    assert scheduled_time(daily, datetime(2026, 3, 2, 2, 30, 59, tzinfo=UTC)) == datetime(
        2026, 3, 2, 2, 30, tzinfo=UTC
    )
    every_second = CronTrigger(second="*", timezone=UTC)
    assert scheduled_time(every_second, datetime(2026, 3, 2, 2, 30, 7, 900_000, tzinfo=UTC)) == datetime(
        2026, 3, 2, 2, 30, 7, tzinfo=UTC
    )


def test_one_firing_is_claimed_by_one_node(two_gateways: tuple[Gateway, Gateway]) -> None:
    first, second = two_gateways
    a, b = ReconciliationScheduler(first, node="a"), ReconciliationScheduler(second, node="b")
    trigger = CronTrigger(hour="*", timezone=UTC)  # the same firing for both calls below
    runs: list[str] = []
    assert a.fire("job", trigger, lambda: runs.append("a") or None) == "ran"
    assert b.fire("job", trigger, lambda: runs.append("b") or None) == "lost"
    assert runs == ["a"]
    with first.database.unit_of_work() as uow:
        [(_, node, outcome, _run)] = uow.runs.firings("job")
    assert (node, outcome) == ("a", "ran")


def test_a_job_running_elsewhere_makes_the_firing_busy(two_gateways: tuple[Gateway, Gateway]) -> None:
    first, second = two_gateways
    if first.database.dialect != "postgresql":
        # SQLite: one gateway process per file (ADR 0004); APScheduler's max_instances=1 serialises a job.
        with job_lock(first.database.engine, "job") as held:
            assert held
        return
    scheduler = ReconciliationScheduler(second, node="b")
    with job_lock(first.database.engine, "job") as held:
        assert held
        outcome = scheduler.fire("job", CronTrigger(minute="*", timezone=UTC), lambda: None)
    assert outcome == "busy"
    with job_lock(first.database.engine, "job") as again:
        assert again  # released


def test_two_background_schedulers_run_each_firing_exactly_once(
    harness: Harness, two_gateways: tuple[Gateway, Gateway]
) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", "10.00")), "m1")
    schedulers = [ReconciliationScheduler(gw, node=f"node-{i}") for i, gw in enumerate(two_gateways)]

    def job(gw: Gateway) -> int:
        run = reconciliations.run_now(
            gw,
            kind="indicators",
            upper=PROVINCE,
            lower=CITY,
            fiscal_year=2026,
            actor="scheduler",
            trigger="schedule",
        )
        return run.id

    for scheduler, gw in zip(schedulers, two_gateways, strict=True):
        scheduler.add_job("every-second", CronTrigger(second="*", timezone=UTC), lambda gw=gw: job(gw))
    for scheduler in schedulers:
        scheduler.start()
    try:
        for _ in range(300):  # bounded: at most ~30 s for four firings
            if sum(s.tally.ran for s in schedulers) >= 4:
                break
            time.sleep(0.1)
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
    with harness.gateway.database.unit_of_work() as uow:
        firings = uow.runs.firings("every-second")
        runs, total = uow.runs.search(kind="indicators", limit=500)
    fire_times = [f[0] for f in firings]
    assert len(fire_times) >= 4
    assert len(set(fire_times)) == len(fire_times)  # one claim per firing
    ran = [f for f in firings if f[2] == "ran"]
    assert len(ran) == len(firings)  # every claimed firing ran (nothing busy or failed)
    assert sorted(f[3] for f in ran) == sorted(r.id for r in runs) and total == len(ran)  # one run per firing
    assert sorted(r for s in schedulers for r in s.tally.run_ids) == sorted(r.id for r in runs)
    assert sum(s.tally.lost for s in schedulers) >= 1  # the other node did try, and was refused
