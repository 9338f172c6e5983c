"""A push receiver that is down, too slow, answering 500, answering garbage or resetting the connection — then
recovering: every row is still delivered, the attempts and the backoff are visible on the outbox row, and a
receiver that never recovers sends the row to the dead-letter state, from where ops bring it back.

The gateway runs in-process with a settable clock and the real relay over the real HTTP transport, pushing
to a real receiver on 127.0.0.1; the clock is moved past the backoff instead of sleeping through it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.delivery.relay import Relay, RelayReport
from gateway.delivery.transport import HTTPTransport
from gateway.model import OutboxStatus
from gateway.store.tables import messages, outbox
from tests.gateway.test_e2e_indicator import point_city_at
from tests.reliability.harness import CITY, env_for, fiscalgw, in_process, post
from tests.reliability.invariants import assert_invariants, check
from tests.reliability.receiver import start_receiver

MESSAGES = 4
PUSH_TIMEOUT = 0.5
"""The relay's HTTP timeout in these tests (the product default is 10 s; the path is the same)."""
BACKOFF = {"backoff_base_seconds": 2.0, "backoff_cap_seconds": 30.0}

FAULTS = {
    # fault → what the outbox row's last_error says
    "down": "ConnectError",
    "slow": "ReadTimeout",
    "error": "HTTP 500",
    "garbage": "RemoteProtocolError",
    "truncated": "RemoteProtocolError",
    "reset": "Connection reset by peer",
}


def _rows(database_url: str) -> list[sa.Row[tuple[object, ...]]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.select(outbox).order_by(outbox.c.id)))
    finally:
        engine.dispose()


def _message_status(database_url: str) -> set[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {s for (s,) in connection.execute(sa.select(messages.c.status))}
    finally:
        engine.dispose()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_receiver_fault_then_recovery_delivers_every_row(
    fault: str, demo_dir: Path, database_url: str
) -> None:
    receiver = start_receiver()
    point_city_at(demo_dir, receiver.port)
    h = in_process(demo_dir, database_url, **BACKOFF)
    transport = HTTPTransport(timeout=PUSH_TIMEOUT)
    relay = Relay(h.gateway, transport, rng=random.Random(7))
    try:
        keys = {post(h, n) for n in range(MESSAGES)}
        if fault == "down":
            receiver.down()
        else:
            receiver.mode = fault  # type: ignore[assignment]
            receiver.delay = 4 * PUSH_TIMEOUT

        failed = relay.run_once()
        assert (failed.sent, failed.retried, failed.dead) == (0, MESSAGES, 0)
        rows = _rows(database_url)
        assert len(rows) == MESSAGES
        for row in rows:  # the attempt is counted, the error kept, the next attempt pushed back (backoff)
            assert row.status == OutboxStatus.PENDING.value
            assert row.attempts == 1
            assert FAULTS[fault] in row.last_error
            assert row.next_attempt_at > h.clock.now
            assert row.next_attempt_at <= h.clock.now + timedelta(seconds=BACKOFF["backoff_base_seconds"])
        assert _message_status(database_url) == {"routed"}
        assert relay.run_once() == RelayReport(), "no row is due again before its backoff"

        if fault == "down":
            receiver.up()  # same port
        receiver.mode = "ok"
        h.clock.now += timedelta(seconds=BACKOFF["backoff_base_seconds"])
        recovered = relay.run_once()
        assert (recovered.sent, recovered.retried, recovered.dead) == (MESSAGES, 0, 0)
        assert {row.attempts for row in _rows(database_url)} == {2}
        if fault == "slow":  # the late answers to the timed-out first attempts arrive too: duplicates
            assert receiver.wait_until(lambda: len(receiver.deliveries) == 2 * MESSAGES, timeout=30)
            assert receiver.duplicates() == MESSAGES
        else:
            assert receiver.duplicates() == 0
        found = assert_invariants(database_url, accepted=keys, delivered={CITY: receiver.delivered()})
        assert found.push_rows_sent == MESSAGES and receiver.delivered() == keys
        assert _message_status(database_url) == {"delivered"}
    finally:
        transport.close()
        h.client.close()
        h.gateway.close()
        receiver.down()


def test_a_2xx_whose_body_is_not_json_is_a_delivery(demo_dir: Path, database_url: str) -> None:
    """The protocol's 签收 is the 2xx status; the body of a push's answer carries nothing the gateway uses."""
    receiver = start_receiver()
    receiver.mode = "ok_garbage_body"
    point_city_at(demo_dir, receiver.port)
    h = in_process(demo_dir, database_url, **BACKOFF)
    transport = HTTPTransport(timeout=PUSH_TIMEOUT)
    try:
        keys = {post(h, n) for n in range(MESSAGES)}
        report = Relay(h.gateway, transport).run_once()
        assert (report.sent, report.retried) == (MESSAGES, 0)
        assert_invariants(database_url, accepted=keys, delivered={CITY: receiver.delivered()})
        assert receiver.duplicates() == 0
    finally:
        transport.close()
        h.client.close()
        h.gateway.close()
        receiver.down()


def test_never_recovering_receiver_dead_letters_and_ops_retry_brings_it_back(
    demo_dir: Path, database_url: str
) -> None:
    attempts = 3
    receiver = start_receiver()
    receiver.mode = "error"
    point_city_at(demo_dir, receiver.port)
    h = in_process(demo_dir, database_url, max_attempts=attempts, **BACKOFF)
    transport = HTTPTransport(timeout=PUSH_TIMEOUT)
    relay = Relay(h.gateway, transport, rng=random.Random(11))
    try:
        keys = {post(h, n) for n in range(2)}
        for attempt in range(1, attempts + 1):
            report = relay.run_once()
            rows = _rows(database_url)
            assert {row.attempts for row in rows} == {attempt}
            if attempt < attempts:
                assert report.retried == 2 and {row.status for row in rows} == {"pending"}
            else:
                assert report.dead == 2 and {row.status for row in rows} == {"dead"}
                assert all(row.dead_at is not None and "HTTP 500" in row.last_error for row in rows)
            h.clock.now += timedelta(seconds=BACKOFF["backoff_cap_seconds"])
        assert receiver.requests == {key[1]: attempts for key in keys}  # every attempt reached it
        assert relay.run_once() == RelayReport(), "a dead row is not pushed again by itself"
        assert _message_status(database_url) == {"dead"}
        stuck = check(database_url, accepted=keys, delivered={CITY: receiver.delivered()})
        assert len(stuck.problems) == 2 and all("is dead, not sent" in p for p in stuck.problems)

        receiver.mode = "ok"  # the receiver is repaired; ops re-queue each dead row from the command line
        env = env_for(database_url)
        for row in _rows(database_url):
            done = fiscalgw(demo_dir, env, "outbox", "retry", str(row.id))
            assert done.returncode == 0, done.stderr
        assert {(row.status, row.attempts) for row in _rows(database_url)} == {("pending", 0)}
        h.clock.now = datetime.now(UTC) + timedelta(seconds=1)  # the CLI queued them at the real time
        assert relay.run_once().sent == 2
        found = assert_invariants(database_url, accepted=keys, delivered={CITY: receiver.delivered()})
        assert found.push_rows_sent == 2
        verify = fiscalgw(demo_dir, env, "audit", "verify")
        assert verify.returncode == 0, verify.stderr
        assert f"{2 + 2} entries" in verify.stdout  # 2 × message.accepted, 2 × outbox.retry
    finally:
        transport.close()
        h.client.close()
        h.gateway.close()
        receiver.down()
