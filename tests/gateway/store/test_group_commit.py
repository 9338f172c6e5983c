"""The group commit (ADR 0009) on real SQLite and PostgreSQL: writes share a transaction, each is answered
after the commit, one failing write does not fail its neighbours, a failed batch runs again write by write,
and the audit entries chained at commit verify entry by entry."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from gateway import audit
from gateway.errors import MessageExists, StoreError, ValueNotStorable
from gateway.model import Discard
from gateway.rows import NewIndicator
from gateway.store.group_commit import GroupCommitter
from gateway.store.tables import audit_log, messages
from gateway.store.unit_of_work import UnitOfWork
from tests.gateway.store.factories import T0, new_message

WRITES = 8


@pytest.fixture
def committer(engine: sa.Engine) -> Iterator[GroupCommitter]:
    """One writer that waits (long, for a test) until it holds ``WRITES`` writes: one batch, for sure."""
    gc = GroupCommitter(lambda: UnitOfWork(engine), writers=1, max_batch=WRITES, max_wait=5.0)
    try:
        yield gc
    finally:
        gc.close()


def _together(committer: GroupCommitter, writes: list[Callable[[UnitOfWork], Any]]) -> list[Any]:
    """Submit every write at once; each one's result, or the exception it raised."""

    def one(write: Callable[[UnitOfWork], Any]) -> Any:
        try:
            return committer.write(write)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(writes)) as pool:
        return list(pool.map(one, writes))


def _accept(message_id: str) -> Callable[[UnitOfWork], int]:
    def write(uow: UnitOfWork) -> int:
        pk = uow.messages.add(new_message(message_id=message_id))
        audit.append_at_commit(uow, actor="330000000", action="message.accepted", subject=message_id, at=T0)
        return pk

    return write


def _stored(engine: sa.Engine) -> tuple[list[str], list[str]]:
    with engine.connect() as c:
        ids = c.execute(sa.select(messages.c.message_id).order_by(messages.c.message_id)).scalars().all()
        subjects = c.execute(sa.select(audit_log.c.subject).order_by(audit_log.c.seq)).scalars().all()
    return list(ids), list(subjects)


def test_concurrent_writes_share_one_commit_and_the_chain_verifies(
    engine: sa.Engine, committer: GroupCommitter
) -> None:
    names = [f"m{n}" for n in range(WRITES)]
    results = _together(committer, [_accept(name) for name in names])
    assert all(isinstance(pk, int) for pk in results)
    assert committer.batches == 1
    ids, subjects = _stored(engine)
    assert ids == names
    assert sorted(subjects) == names
    with UnitOfWork(engine) as uow:
        assert audit.verify(uow.audit) == WRITES
        assert uow.audit.head()[0] == WRITES


def test_a_failing_write_is_undone_alone(engine: sa.Engine, committer: GroupCommitter) -> None:
    def refused(uow: UnitOfWork) -> int:
        _accept("refused")(uow)  # its message row and its audit entry are both undone
        raise ValueError("refused by a rule")

    writes = [_accept(f"m{n}") for n in range(WRITES - 1)]
    results = _together(committer, [*writes[:3], refused, *writes[3:]])
    assert isinstance(results[3], ValueError)
    assert all(isinstance(pk, int) for n, pk in enumerate(results) if n != 3)
    ids, subjects = _stored(engine)
    assert ids == [f"m{n}" for n in range(WRITES - 1)]
    assert "refused" not in subjects and len(subjects) == WRITES - 1
    with UnitOfWork(engine) as uow:
        assert audit.verify(uow.audit) == WRITES - 1


def test_a_value_the_database_refuses_fails_only_its_write(
    engine: sa.Engine, committer: GroupCommitter
) -> None:
    """A driver error aborts a PostgreSQL transaction: the savepoint pass keeps the neighbours."""

    def too_big(uow: UnitOfWork) -> None:
        unset = dict.fromkeys(
            ("ori_bgt_id", "sup_bgt_doc_no", "bgt_doc_title", "pro_code", "fund_type_code", "tp_func_code",
             "gov_bgt_eco_code", "distri_type_code", "is_track"),
        )  # fmt: skip
        indicator = NewIndicator(
            division="330000000",
            side="issued",
            counterparty="330300000",
            fiscal_year=2026,
            bgt_id="B-BIG",
            cor_bgt_doc_no="浙财预〔2026〕1号",
            doc_date="2026-03-01",
            amount_fen=2**63,  # beyond a BIGINT
            create_time=T0,
            **unset,
        )
        uow.ledger.add_many([indicator], T0)

    results = _together(committer, [too_big, *[_accept(f"m{n}") for n in range(WRITES - 1)]])
    assert isinstance(results[0], ValueNotStorable)
    assert all(isinstance(pk, int) for pk in results[1:])
    assert _stored(engine)[0] == [f"m{n}" for n in range(WRITES - 1)]


def test_a_discarded_write_answers_and_leaves_nothing(engine: sa.Engine, committer: GroupCommitter) -> None:
    """Twins in one batch: the second insert of the pair finds the first's row (MessageExists); its write
    answers the repeat and its own work (an audit entry here) is rolled back."""

    def twin(label: str) -> Callable[[UnitOfWork], str]:
        def write(uow: UnitOfWork) -> str:
            audit.append_at_commit(uow, actor="330000000", action="message.accepted", subject=label, at=T0)
            try:
                uow.messages.add(new_message(message_id="twin"))
            except MessageExists as exc:
                raise Discard(f"repeat of {exc.message_id}") from None
            return "stored"

        return write

    others = [_accept(f"m{n}") for n in range(WRITES - 2)]
    results = _together(committer, [twin("a"), twin("b"), *others])
    assert sorted(results[:2]) == ["repeat of twin", "stored"]
    assert committer.batches == 1
    ids, subjects = _stored(engine)
    assert ids == [*(f"m{n}" for n in range(WRITES - 2)), "twin"]
    kept = "a" if results[0] == "stored" else "b"
    assert [s for s in subjects if s in ("a", "b")] == [kept]
    with UnitOfWork(engine) as uow:
        assert audit.verify(uow.audit) == WRITES - 1


class _FailsOnce:
    """Deferred work whose first flush loses the connection the way a driver reports it."""

    failed = threading.Event()

    def flush(self) -> None:
        if not self.failed.is_set():
            self.failed.set()
            raise OperationalError("COMMIT", None, RuntimeError("server closed the connection"))

    def mark(self) -> int:
        return 0

    def rewind(self, mark: int) -> None:
        pass


def test_a_batch_the_database_fails_runs_again_write_by_write(
    engine: sa.Engine, committer: GroupCommitter
) -> None:
    _FailsOnce.failed.clear()

    def first(uow: UnitOfWork) -> int:
        uow.deferred("fails-once", _FailsOnce)
        return _accept("m0")(uow)

    results = _together(committer, [first, *[_accept(f"m{n}") for n in range(1, WRITES)]])
    assert all(isinstance(pk, int) for pk in results)
    assert committer.batches == WRITES  # after the failed batch, each write in its own transaction
    assert _stored(engine)[0] == [f"m{n}" for n in range(WRITES)]
    with UnitOfWork(engine) as uow:
        assert audit.verify(uow.audit) == WRITES


def test_a_lone_write_that_the_database_fails_gets_the_store_error(engine: sa.Engine) -> None:
    _FailsOnce.failed.clear()
    gc = GroupCommitter(lambda: UnitOfWork(engine), writers=1)

    def write(uow: UnitOfWork) -> int:
        uow.deferred("fails-once", _FailsOnce)
        return _accept("m0")(uow)

    try:
        with pytest.raises(StoreError):
            gc.write(write)
        assert _stored(engine) == ([], [])
        assert isinstance(gc.write(_accept("m1")), int)  # the writer thread is still there
    finally:
        gc.close()
