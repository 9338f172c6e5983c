"""Scheduled payment reconciliation: ``[[reconciliation.payments]]`` entries become cron jobs that reconcile
the day ``days_back`` before the firing's local date; with two schedulers (two gateways) on one database a
firing runs exactly once — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gateway.bootstrap import Gateway, build_gateway
from gateway.config import DatabaseSection, PaymentReconciliation, ReconciliationSection, load_settings
from gateway.errors import ConfigError
from gateway.scheduler import ReconciliationScheduler
from tests.gateway.conftest import Clock, Harness
from tests.gateway.payment_flows import ADM, COUNTY, send, voucher

ENTRY = PaymentReconciliation(adm_div_code=ADM, cron="30 1 * * *", days_back=1)
FIRING = datetime(2026, 3, 17, 1, 30, 5, tzinfo=UTC).astimezone()  # 09:30 in Asia/Shanghai


def gateway_for(demo_dir: Path, database_url: str, *entries: PaymentReconciliation, clock: Clock) -> Gateway:
    settings = load_settings(demo_dir)
    settings = settings.model_copy(
        update={
            "database": DatabaseSection(url=database_url),
            "reconciliation": ReconciliationSection(timezone="UTC", payments=entries),
        }
    )
    return build_gateway(settings, clock=clock)


@pytest.fixture
def two_gateways(harness: Harness, demo_dir: Path, database_url: str) -> Iterator[tuple[Gateway, Gateway]]:
    clock = Clock(FIRING)
    first = gateway_for(demo_dir, database_url, ENTRY, clock=clock)
    second = gateway_for(demo_dir, database_url, ENTRY, clock=clock)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_payment_entries_become_cron_jobs(demo_dir: Path, database_url: str) -> None:
    banked = PaymentReconciliation(adm_div_code=ADM, pay_bank_code="102", cron="0 9 * * *", days_back=0)
    gw = gateway_for(demo_dir, database_url, ENTRY, banked, clock=Clock())
    try:
        assert ReconciliationScheduler(gw).job_ids == [f"payments|{ADM}|*|-1d", f"payments|{ADM}|102|-0d"]
    finally:
        gw.close()
    bad = gateway_for(demo_dir, database_url, ENTRY.model_copy(update={"cron": "61 * * * *"}), clock=Clock())
    try:
        with pytest.raises(ConfigError, match="bad cron"):
            ReconciliationScheduler(bad)
    finally:
        bad.close()


def test_the_config_file_section_is_read(demo_dir: Path) -> None:
    path = demo_dir / "fiscalgw.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text
        + '\n[[reconciliation.payments]]\nadm_div_code = "330324"\ncron = "30 1 * * *"\nunpaid_hours = 12\n',
        encoding="utf-8",
    )
    (entry,) = load_settings(demo_dir).reconciliation.payments
    assert (entry.adm_div_code, entry.pay_bank_code, entry.days_back, entry.unpaid_hours) == (
        ADM,
        None,
        1,
        12,
    )
    for bad in ('adm_div_code = "33"\ncron = "0 1 * * *"\n', 'adm_div_code = "330324"\ncron = "x"\n'):
        path.write_text(text + "\n[[reconciliation.payments]]\n" + bad, encoding="utf-8")
        with pytest.raises(ConfigError, match="reconciliation"):
            load_settings(demo_dir)
    twice = '\n[[reconciliation.payments]]\nadm_div_code = "330324"\ncron = "0 1 * * *"\n'
    path.write_text(text + twice + twice, encoding="utf-8")
    with pytest.raises(ConfigError, match="same division"):
        load_settings(demo_dir)


def test_one_payment_firing_runs_once_on_two_nodes(
    harness: Harness, two_gateways: tuple[Gateway, Gateway]
) -> None:
    send(harness, COUNTY, voucher("V1", 100_00, date(2026, 3, 16)))
    a, b = (ReconciliationScheduler(gw, node=n) for gw, n in zip(two_gateways, ("a", "b"), strict=True))
    job = a._scheduler.get_job(ENTRY.job_id)  # the job exactly as APScheduler would call it
    assert job is not None
    assert a.fire(*job.args) == "ran"
    assert b.fire(*b._scheduler.get_job(ENTRY.job_id).args) == "lost"
    with harness.gateway.database.unit_of_work() as uow:
        firings = uow.runs.firings(ENTRY.job_id)
        runs, total = uow.runs.search(kind="payments", limit=10)
    assert total == 1 and [(f[1], f[2], f[3]) for f in firings] == [("a", "ran", runs[0].id)]
    run = runs[0]
    assert run.trigger == "schedule" and run.status == "succeeded"
    assert run.scope == {"adm_div_code": ADM, "pay_bank_code": None, "day": "2026-03-16"}  # firing day − 1
    assert run.summary is not None and run.summary["voucher_count"] == 1
