"""The outbox: claims never overlap, a dead relay's rows come back after the lease, ops actions, pull."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from gateway.model import OutboxStatus
from gateway.store.unit_of_work import UnitOfWork
from tests.gateway.store.factories import T0, new_message, new_outbox_item

LEASE = timedelta(seconds=60)


def _queue(engine: sa.Engine, count: int, channel: str = "push") -> list[int]:
    with UnitOfWork(engine) as uow:
        pk = uow.messages.add(new_message())
        ids = [uow.outbox.add(new_outbox_item(pk, channel=channel)) for _ in range(count)]
        uow.commit()
    return ids


def test_concurrent_relays_never_claim_one_row_twice(engine: sa.Engine) -> None:
    ids = _queue(engine, 24)
    claimed: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def relay() -> None:
        start.wait()
        while True:
            with UnitOfWork(engine) as uow:
                batch = uow.outbox.claim_due(T0, limit=3, lease=LEASE)
                uow.commit()
            if not batch:
                return
            with lock:
                claimed.extend(item.id for item in batch)

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert Counter(claimed).most_common(1)[0][1] == 1
    assert sorted(claimed) == ids


def test_a_claim_in_progress_is_never_handed_to_another_relay(engine: sa.Engine) -> None:
    ids = _queue(engine, 2)
    if engine.dialect.name == "postgresql":
        # SKIP LOCKED: the second relay runs beside the first and takes the other row.
        with UnitOfWork(engine) as first:
            held = first.outbox.claim_due(T0, limit=1, lease=LEASE)
            with UnitOfWork(engine) as second:
                other = second.outbox.claim_due(T0, limit=10, lease=LEASE)
        assert [i.id for i in held] == ids[:1]
        assert [i.id for i in other] == ids[1:]
        return
    # SQLite: the second relay's transaction waits for the first and then finds the rows leased.
    seen: list[list[int]] = []
    with UnitOfWork(engine) as first:
        held = first.outbox.claim_due(T0, limit=10, lease=LEASE)

        def second_relay() -> None:
            with UnitOfWork(engine) as second:
                seen.append([i.id for i in second.outbox.claim_due(T0, limit=10, lease=LEASE)])

        waiter = threading.Thread(target=second_relay)
        waiter.start()
        waiter.join(timeout=0.5)
        assert waiter.is_alive() and seen == []  # blocked on the write lock, took nothing
        first.commit()
    waiter.join(timeout=30)
    assert [i.id for i in held] == ids
    assert seen == [[]]


def test_a_killed_relays_rows_come_back_after_the_lease(engine: sa.Engine) -> None:
    (item_id,) = _queue(engine, 1)
    with UnitOfWork(engine) as uow:
        assert [i.attempts for i in uow.outbox.claim_due(T0, 10, LEASE)] == [1]
        uow.commit()
    # the relay dies here: neither mark_sent nor mark_failed
    with UnitOfWork(engine) as uow:
        assert uow.outbox.claim_due(T0 + LEASE - timedelta(seconds=1), 10, LEASE) == []
        again = uow.outbox.claim_due(T0 + LEASE, 10, LEASE)
        uow.commit()
    assert [(i.id, i.attempts) for i in again] == [(item_id, 2)]


def test_sent_failed_dead_and_ops_actions(engine: sa.Engine) -> None:
    a, b = _queue(engine, 2)
    with UnitOfWork(engine) as uow:
        uow.outbox.claim_due(T0, 10, LEASE)
        uow.outbox.mark_sent(a, T0)
        uow.outbox.mark_failed(b, "HTTP 503", T0 + timedelta(seconds=5))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.outbox.claim_due(T0 + timedelta(seconds=4), 10, LEASE) == []
        retried = uow.outbox.claim_due(T0 + timedelta(seconds=5), 10, LEASE)
        assert [(i.id, i.attempts, i.last_error) for i in retried] == [(b, 2, "HTTP 503")]
        uow.outbox.mark_dead(b, "gave up", T0 + timedelta(seconds=6))
        uow.commit()
    with UnitOfWork(engine) as uow:
        depth = uow.outbox.depth()
        assert (depth[OutboxStatus.SENT], depth[OutboxStatus.DEAD], depth[OutboxStatus.PENDING]) == (1, 1, 0)
        assert uow.outbox.claim_due(T0 + timedelta(days=1), 10, LEASE) == []
        assert uow.outbox.retry(b, T0 + timedelta(days=1))
        assert not uow.outbox.retry(a, T0)  # a sent row is replayed, not retried
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert [(i.id, i.attempts) for i in uow.outbox.claim_due(T0 + timedelta(days=1), 10, LEASE)] == [
            (b, 1)
        ]
        assert uow.outbox.cancel(b)
        assert not uow.outbox.cancel(a)
        assert uow.outbox.replay_since(T0, T0 + timedelta(days=2)) == 1
        uow.commit()
    with UnitOfWork(engine) as uow:
        replayed = uow.outbox.get(a)
        cancelled = uow.outbox.get(b)
    assert replayed is not None and replayed.status is OutboxStatus.PENDING
    assert cancelled is not None and cancelled.status is OutboxStatus.CANCELLED


def test_pull_items_come_back_until_acknowledged(engine: sa.Engine) -> None:
    a, b = _queue(engine, 2, channel="pull")
    visibility = timedelta(seconds=300)
    with UnitOfWork(engine) as uow:
        assert uow.outbox.claim_due(T0, 10, LEASE) == []  # pull rows are never pushed
        assert [i.id for i in uow.outbox.offer("330300000", T0, 10, visibility)] == [a, b]
        assert uow.outbox.offer("330324000", T0, 10, visibility) == []
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.outbox.offer("330300000", T0 + timedelta(seconds=299), 10, visibility) == []
        assert uow.outbox.settle(a, "330300000", T0)  # 签收
        assert not uow.outbox.settle(b, "330324000", T0)  # not its item
        assert uow.outbox.settle(b, "330300000", T0, reject_reason="指标文号不符")  # 退回
        assert not uow.outbox.settle(a, "330300000", T0)  # already settled
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.outbox.offer("330300000", T0 + visibility, 10, visibility) == []


def test_an_unacknowledged_pull_item_is_offered_again(engine: sa.Engine) -> None:
    (a,) = _queue(engine, 1, channel="pull")
    visibility = timedelta(seconds=300)
    with UnitOfWork(engine) as uow:
        uow.outbox.offer("330300000", T0, 10, visibility)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert [i.id for i in uow.outbox.offer("330300000", T0 + visibility, 10, visibility)] == [a]
