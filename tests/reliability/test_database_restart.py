"""PostgreSQL crashed and restarted while clients are sending and the relay is pushing — on a private
throw-away cluster (``private_postgres``), never the shared server. The gateway process keeps running:
requests during the outage get an error (never a 202), the pool reconnects (``pool_pre_ping``), the relay
thread survives its failed passes; afterwards the senders resend what got no 2xx and every invariant holds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.gateway.test_e2e_indicator import point_city_at
from tests.reliability.harness import CITY, Outcomes, env_for, fire, fiscalgw, gateway_process, resend
from tests.reliability.invariants import assert_invariants, check
from tests.reliability.private_postgres import private_postgres
from tests.reliability.receiver import start_receiver

CLIENTS = 3
PER_CLIENT = 60
DEADLINE = 90.0
LEASE = "5"
"""A relay pass that fails on the database half-way leaves its claimed rows leased: they are pushed again
when the lease runs out (product default 120 s; shortened so the test stays short)."""


@pytest.mark.e2e
@pytest.mark.slow
def test_postgres_crash_and_restart_mid_run(demo_dir: Path, tmp_path: Path) -> None:
    receiver = start_receiver()
    point_city_at(demo_dir, receiver.port)
    outcomes = Outcomes()
    stop = threading.Event()
    with private_postgres() as cluster:
        database_url = cluster.url
        try:
            with gateway_process(
                demo_dir, database_url, tmp_path / "serve.log", lease_seconds=LEASE
            ) as server:
                clients = [
                    threading.Thread(
                        target=fire,
                        args=(
                            server.base,
                            demo_dir,
                            range(c * PER_CLIENT, (c + 1) * PER_CLIENT),
                            outcomes,
                            stop,
                        ),
                        kwargs={"pause_on_error": 0.2},
                    )
                    for c in range(CLIENTS)
                ]
                for client in clients:
                    client.start()
                deadline = time.monotonic() + DEADLINE
                while len(outcomes.accepted) < 20 and time.monotonic() < deadline:
                    time.sleep(0.005)
                assert len(outcomes.accepted) >= 20, f"clients stalled: {outcomes.errors}"
                accepted_before_crash = len(outcomes.accepted)
                cluster.crash()
                while not outcomes.errors and time.monotonic() < deadline:
                    time.sleep(0.01)  # the clients meet the outage
                time.sleep(0.5)
                cluster.start()
                for client in clients:
                    client.join(timeout=DEADLINE)
                assert outcomes.errors, "no request met the outage"
                assert "HTTP 500" not in outcomes.errors, (
                    f"an outage is 503 store_unavailable: {outcomes.errors}"
                )
                found = check(
                    database_url, accepted=outcomes.accepted, unanswered=outcomes.unanswered, settled=False
                )
                assert not found.problems, str(found)
                after_crash = len(outcomes.accepted) - accepted_before_crash
                print(
                    f"postgres crash: {accepted_before_crash} accepted before the crash, "
                    f"{after_crash} after it "
                    f"(same gateway process), "
                    f"errors {outcomes.errors}, "
                    f"unanswered stored {found.unanswered_stored} / absent {found.unanswered_absent}"
                )

                resend(server.base, demo_dir, outcomes)
                assert len(outcomes.accepted) == CLIENTS * PER_CLIENT
                if not receiver.wait_for(outcomes.accepted, timeout=DEADLINE):
                    missing = outcomes.accepted - receiver.delivered()
                    detail = check(
                        database_url, accepted=outcomes.accepted, delivered={CITY: receiver.delivered()}
                    )
                    raise AssertionError(f"{len(missing)} accepted message(s) not delivered: {detail}")
                assert receiver.wait_until(
                    lambda: not check(database_url, accepted=outcomes.accepted).problems, timeout=DEADLINE
                )
            assert_invariants(
                database_url, accepted=outcomes.accepted, delivered={CITY: receiver.delivered()}
            )
            verify = fiscalgw(demo_dir, env_for(database_url), "audit", "verify")
            assert verify.returncode == 0, verify.stderr
        finally:
            stop.set()
            receiver.down()
