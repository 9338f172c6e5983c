"""``fiscalgw serve`` (a real process on 127.0.0.1) killed with SIGKILL mid-ingest, while clients fire
concurrently, and mid-delivery, while its relay is pushing; then started again on the same database.

After each: every message that got a 202 is stored and delivered at least once; a message that got an
error or no answer is complete or absent, never half-stored; the sender's resend of those (same id, same
body) is accepted; the audit chain verifies (``fiscalgw audit verify``); the ledger has no double entries.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.gateway.test_e2e_indicator import point_city_at
from tests.reliability.harness import (
    CITY,
    PROVINCE,
    Outcomes,
    env_for,
    fire,
    fiscalgw,
    gateway_process,
    indicator,
    resend,
    send,
)
from tests.reliability.invariants import assert_invariants, check
from tests.reliability.receiver import start_receiver

CLIENTS = 4
PER_CLIENT = 40
KILL_AFTER = 25
"""Accepted messages before the SIGKILL."""
LEASE = "3"
"""Seconds a claimed row stays with its relay (product default 120): a killed relay's rows come back."""
DEADLINE = 90.0


def _audit_verifies(config: Path, database_url: str) -> str:
    verify = fiscalgw(config, env_for(database_url), "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    return verify.stdout


@pytest.mark.e2e
@pytest.mark.slow
def test_sigkill_mid_ingest_loses_nothing_and_half_stores_nothing(
    demo_dir: Path, database_url: str, tmp_path: Path
) -> None:
    receiver = start_receiver()
    point_city_at(demo_dir, receiver.port)
    outcomes = Outcomes()
    stop = threading.Event()
    try:
        with gateway_process(demo_dir, database_url, tmp_path / "serve.log", lease_seconds=LEASE) as server:
            clients = [
                threading.Thread(
                    target=fire,
                    args=(server.base, demo_dir, range(c * PER_CLIENT, (c + 1) * PER_CLIENT), outcomes, stop),
                )
                for c in range(CLIENTS)
            ]
            for client in clients:
                client.start()
            deadline = time.monotonic() + DEADLINE
            while len(outcomes.accepted) < KILL_AFTER and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(outcomes.accepted) >= KILL_AFTER, f"clients stalled: {outcomes.errors}"
            server.kill()  # requests in flight: some committed, some not, none answered
            time.sleep(0.5)  # the clients see the refusals
            stop.set()
            for client in clients:
                client.join(timeout=60)
            assert outcomes.unanswered, "no client saw the kill"

            # Before anything is resent: complete or absent, nothing in between.
            found = check(
                database_url,
                accepted=outcomes.accepted,
                unanswered=outcomes.unanswered,
                settled=False,
            )
            assert not found.problems, str(found)
            print(
                f"kill mid-ingest: {len(outcomes.accepted)} accepted, errors {outcomes.errors}, "
                f"unanswered stored {found.unanswered_stored} / absent {found.unanswered_absent}"
            )

            server.start()
            resend(server.base, demo_dir, outcomes)
            with httpx.Client(timeout=15.0) as http:  # an answered one again: the original answer
                assert send(server.base, demo_dir, *indicator(0), client=http) is None
            everything = outcomes.accepted
            assert receiver.wait_for(everything, timeout=DEADLINE), "not every accepted message was delivered"
            assert receiver.wait_until(lambda: _settled(database_url, everything), timeout=DEADLINE)
        found = assert_invariants(database_url, accepted=everything, delivered={CITY: receiver.delivered()})
        assert found.stored == len(everything)
        print(f"kill mid-ingest: {found.stored} stored and delivered, {receiver.duplicates()} duplicates")
        assert f"audit chain intact: {len(everything)} entries" in _audit_verifies(demo_dir, database_url)
    finally:
        stop.set()
        receiver.down()


def _settled(database_url: str, keys: set[tuple[str, str]]) -> bool:
    found = check(database_url, accepted=keys)
    return not found.problems


@pytest.mark.e2e
@pytest.mark.slow
def test_sigkill_mid_delivery_redelivers_after_the_lease(
    demo_dir: Path, database_url: str, tmp_path: Path
) -> None:
    receiver = start_receiver()
    receiver.mode = "slow"
    receiver.delay = 0.2  # each push takes a while: the kill lands in the middle of one
    point_city_at(demo_dir, receiver.port)
    outcomes = Outcomes()
    try:
        with gateway_process(demo_dir, database_url, tmp_path / "serve.log", lease_seconds=LEASE) as server:
            fire(server.base, demo_dir, range(20), outcomes, threading.Event())
            assert not outcomes.unanswered, outcomes.errors
            assert receiver.wait_until(lambda: len(receiver.deliveries) >= 3, timeout=DEADLINE)
            server.kill()
            before = len(receiver.delivered())
            assert before < len(outcomes.accepted), "everything was delivered before the kill"
            server.start()  # its relay finds the killed relay's rows leased; they come back after LEASE s
            assert receiver.wait_for(outcomes.accepted, timeout=DEADLINE), "a leased row was lost"
            assert receiver.wait_until(lambda: _settled(database_url, outcomes.accepted), timeout=DEADLINE)
        found = assert_invariants(
            database_url, accepted=outcomes.accepted, delivered={CITY: receiver.delivered()}
        )
        print(
            f"kill mid-delivery: {before} delivered before the kill, {found.push_rows_sent} in the end, "
            f"{receiver.duplicates()} duplicates at the receiver"
        )
        _audit_verifies(demo_dir, database_url)
        assert {key[0] for key in receiver.delivered()} == {PROVINCE}
    finally:
        receiver.down()
