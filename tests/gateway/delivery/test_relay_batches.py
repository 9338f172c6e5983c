"""One relay pass pushes its batch concurrently (``delivery.push_concurrency``) and records every outcome
together: a refused push does not hold back its neighbours, and an unexpected error in one push leaves that
row leased without losing the outcomes of the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.relay import Relay, RelayReport
from gateway.delivery.transport import HTTPTransport, MockTransport, Push
from gateway.model import MessageStatus, OutboxStatus
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.delivery.test_relay import CITY, submit
from tests.gateway.peer import Received, push_receiver
from tests.gateway.test_e2e_indicator import point_city_at


def most_at_once(received: list[Received]) -> int:
    """The largest number of pushes the receiver was handling at the same moment."""
    edges = sorted([(r.started, 1) for r in received] + [(r.finished, -1) for r in received])
    current = peak = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def statuses(h: Harness, ids: list[str]) -> list[MessageStatus]:
    with h.gateway.database.unit_of_work() as uow:
        found = [uow.messages.find("330000000", i) for i in ids]
    return [m.status for m in found if m is not None]


@pytest.mark.parametrize(("concurrency", "expect_overlap"), [(4, True), (1, False)])
def test_a_pass_has_up_to_push_concurrency_pushes_in_flight_on_a_real_receiver(
    demo_dir: Path, database_url: str, concurrency: int, expect_overlap: bool
) -> None:
    with push_receiver(delay=0.25) as city:
        point_city_at(demo_dir, city.port)
        h = build_harness(demo_dir, database_url)
        transport = HTTPTransport()
        try:
            ids = [f"m-batch-{n}" for n in range(8)]
            for message_id in ids:
                submit(h, message_id)
            report = Relay(h.gateway, transport, concurrency=concurrency).run_once()
            assert report == RelayReport(sent=8)
            assert sorted(r.headers["X-Message-Id"] for r in city.received) == sorted(ids)
            peak = most_at_once(city.received)
            if expect_overlap:
                assert 2 <= peak <= concurrency
            else:
                assert peak == 1
            assert statuses(h, ids) == [MessageStatus.DELIVERED] * 8
            with h.gateway.database.unit_of_work() as uow:
                assert uow.outbox.depth()[OutboxStatus.SENT] == 8
        finally:
            transport.close()
            h.client.close()
            h.gateway.close()


def test_refused_pushes_do_not_hold_back_their_neighbours(harness: Harness) -> None:
    ids = [f"m-mixed-{n}" for n in range(6)]
    for message_id in ids:
        submit(harness, message_id)

    def odd_ones_refused(push: Push) -> None:
        if int(push.headers["X-Message-Id"].rsplit("-", 1)[1]) % 2:
            raise DeliveryFailed("HTTP 503: busy")

    relay = Relay(harness.gateway, MockTransport(odd_ones_refused), concurrency=3)
    assert relay.run_once() == RelayReport(sent=3, retried=3)
    assert statuses(harness, ids) == [
        MessageStatus.DELIVERED if n % 2 == 0 else MessageStatus.ROUTED for n in range(6)
    ]
    with harness.gateway.database.unit_of_work() as uow:
        pending = [uow.outbox.get(i) for i in uow.outbox.pending_ids(CITY)]
    assert len(pending) == 3
    assert all(p is not None and p.last_error == "HTTP 503: busy" and p.attempts == 1 for p in pending)


def test_an_unexpected_error_leaves_its_row_leased_and_the_others_recorded(harness: Harness) -> None:
    ids = [f"m-bug-{n}" for n in range(4)]
    for message_id in ids:
        submit(harness, message_id)

    def broken_on_two(push: Push) -> None:
        if push.headers["X-Message-Id"] == "m-bug-2":
            raise RuntimeError("a bug in the transport")

    relay = Relay(harness.gateway, MockTransport(broken_on_two), concurrency=4)
    with pytest.raises(RuntimeError, match="a bug in the transport"):
        relay.run_once()
    got = statuses(harness, ids)
    assert got.count(MessageStatus.DELIVERED) == 3 and got[2] is not MessageStatus.DELIVERED
    with harness.gateway.database.unit_of_work() as uow:
        (left,) = [uow.outbox.get(i) for i in uow.outbox.pending_ids(CITY)]
    assert left is not None and left.original_message_id == "m-bug-2" and left.attempts == 1
    assert left.next_attempt_at > harness.clock.now  # leased: not due again until the lease runs out
    assert relay.run_once() == RelayReport()
