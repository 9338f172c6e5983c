"""The SM3 hash-chained audit log: every edit, removal or reordering is found and named."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gateway import audit
from gateway.errors import AuditChainBroken
from gateway.store.tables import audit_log
from gateway.store.unit_of_work import UnitOfWork
from signing import sm3
from tests.gateway.store.factories import T0


def _fill(engine: sa.Engine, count: int) -> None:
    with UnitOfWork(engine) as uow:
        for n in range(count):
            audit.append(
                uow.audit,
                actor="330000000",
                action="message.accepted",
                subject=f"330000000/m-{n}",
                at=T0 + timedelta(seconds=n),
                detail={"records": n, "amount": Decimal("1234.50"), "title": "转移支付指标"},
            )
        uow.commit()


def _verify(engine: sa.Engine) -> int:
    with UnitOfWork(engine) as uow:
        return audit.verify(uow.audit)


def _problems(engine: sa.Engine) -> tuple[str, ...]:
    with pytest.raises(AuditChainBroken) as caught:
        _verify(engine)
    return caught.value.problems


def test_hash_is_sm3_of_previous_hash_and_canonical_bytes(engine: sa.Engine) -> None:
    _fill(engine, 2)
    with UnitOfWork(engine) as uow:
        first, second = list(uow.audit.entries())
    assert first.prev_hash == audit.GENESIS
    assert first.hash == sm3(bytes(32) + audit.canonical_bytes(first)).hex()
    assert second.prev_hash == first.hash
    assert second.hash == sm3(bytes.fromhex(first.hash) + audit.canonical_bytes(second)).hex()
    assert b'"amount":"1234.50"' in audit.canonical_bytes(first)
    assert "转移支付指标".encode() in audit.canonical_bytes(first)


def test_an_intact_chain_verifies(engine: sa.Engine) -> None:
    assert _verify(engine) == 0
    _fill(engine, 5)
    assert _verify(engine) == 5


def test_an_edited_entry_is_named(engine: sa.Engine) -> None:
    _fill(engine, 5)
    with engine.begin() as c:
        c.execute(sa.update(audit_log).where(audit_log.c.seq == 3).values(subject="330000000/forged"))
    assert _problems(engine) == ("entry 3: edited (its content does not match its hash)",)


def test_an_edited_and_rehashed_entry_breaks_the_next_link(engine: sa.Engine) -> None:
    _fill(engine, 5)
    with engine.begin() as c:
        c.execute(sa.update(audit_log).where(audit_log.c.seq == 3).values(hash="ab" * 32))
    problems = _problems(engine)
    assert problems[0] == "entry 3: edited (its content does not match its hash)"
    assert problems[1].startswith("entry 4: does not follow entry 3")


def test_a_removed_entry_is_named(engine: sa.Engine) -> None:
    _fill(engine, 5)
    with engine.begin() as c:
        c.execute(sa.delete(audit_log).where(audit_log.c.seq == 2))
    problems = _problems(engine)
    assert problems[0] == "entry 2 removed (sequence jumps from 1 to 3)"
    assert problems[1].startswith("entry 3: does not follow entry 1")


def test_removing_the_newest_entries_is_detected(engine: sa.Engine) -> None:
    _fill(engine, 5)
    with engine.begin() as c:
        c.execute(sa.delete(audit_log).where(audit_log.c.seq >= 4))
    assert _problems(engine) == ("entries 4–5 removed (the head records 5 entries)",)


def test_reordered_entries_are_named(engine: sa.Engine) -> None:
    _fill(engine, 4)
    with engine.begin() as c:
        rows = {r.seq: r for r in c.execute(sa.select(audit_log))}
        for seq, other in ((2, 3), (3, 2)):
            source = rows[other]
            c.execute(
                sa.update(audit_log)
                .where(audit_log.c.seq == seq)
                .values(subject=source.subject, at=source.at, prev_hash=source.prev_hash, hash=source.hash)
            )
    problems = _problems(engine)
    assert any(p.startswith("entry 2:") for p in problems)
    assert any(p.startswith("entry 3:") for p in problems)


def test_naive_timestamps_are_refused(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow, pytest.raises(ValueError, match="timezone-aware"):
        audit.append(uow.audit, actor="ops", action="x", subject="y", at=T0.replace(tzinfo=None))


def test_unserialisable_detail_is_refused(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow, pytest.raises(TypeError, match="audit detail"):
        audit.append(uow.audit, actor="ops", action="x", subject="y", at=T0, detail={"obj": object()})
