"""The SM3 hash-chained audit log: every edit, removal or reordering is found and named."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gateway import audit
from gateway.errors import AuditChainBroken
from gateway.store.tables import audit_head, audit_log, messages, records, trace_keys
from gateway.store.unit_of_work import UnitOfWork
from signing import sm3
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers
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


# ---- the stored originals and canonical records against the digests in the chain (issue 13 item 9) ------

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"


def _accept(h: Harness, message_id: str, *amounts: str) -> bytes:
    receivers = (CITY, COUNTY)
    body = indicator_document(
        *(
            indicator_row(PROVINCE, receivers[n % 2], f"3300002026AV{message_id[-2:]}{n}", Decimal(amount))
            for n, amount in enumerate(amounts)
        )
    )
    headers = signed_headers(h.config_dir, PROVINCE, body, message_id, h.clock.now)
    response = h.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 202, response.text
    return body


def _message_pk(engine: sa.Engine, message_id: str) -> int:
    with engine.connect() as c:
        return int(
            c.execute(sa.select(messages.c.id).where(messages.c.message_id == message_id)).scalar_one()
        )


def _full_problems(h: Harness) -> tuple[str, ...]:
    with h.gateway.database.unit_of_work() as uow, pytest.raises(AuditChainBroken) as caught:
        audit.verify(uow.audit, uow.messages)
    return caught.value.problems


def test_accepted_messages_verify_with_their_bodies_and_records(harness: Harness) -> None:
    _accept(harness, "av-01", "5.00", "7.00")
    _accept(harness, "av-02", "9.00")
    with harness.gateway.database.unit_of_work() as uow:
        assert audit.verify(uow.audit, uow.messages) == 2
        entry = next(iter(uow.audit.entries()))
    assert entry.action == "message.accepted"
    assert len(entry.detail["record_sm3"]) == 2
    with harness.gateway.database.engine.connect() as c:
        texts = c.execute(
            sa.select(records.c.canonical)
            .where(records.c.message_pk == _message_pk(harness.gateway.database.engine, "av-01"))
            .order_by(records.c.position)
        ).scalars()
        assert entry.detail["record_sm3"] == [sm3(t.encode("utf-8")).hex() for t in texts]


def test_a_rewritten_original_body_is_named_even_with_its_digest_column(harness: Harness) -> None:
    _accept(harness, "av-01", "9.00")
    body = _accept(harness, "av-02", "5.00")
    forged = body.replace(b"5.00", b"5000000.00")
    assert forged != body
    engine = harness.gateway.database.engine
    with engine.begin() as c:  # the body and the body_sm3 column both rewritten, consistently
        c.execute(
            sa.update(messages)
            .where(messages.c.message_id == "av-02")
            .values(body=forged, body_sm3=sm3(forged).hex())
        )
    assert _full_problems(harness) == (
        f"message {PROVINCE}/av-02 (audit entry 2): the stored original body does not match the SM3 "
        "recorded in the chain",
        f"message {PROVINCE}/av-02 (audit entry 2): the body_sm3 column does not match the SM3 recorded "
        "in the chain",
    )


def test_a_rewritten_canonical_record_is_named(harness: Harness) -> None:
    _accept(harness, "av-01", "5.00", "6.00", "7.00")
    engine = harness.gateway.database.engine
    pk = _message_pk(engine, "av-01")
    with engine.begin() as c:
        text = c.execute(
            sa.select(records.c.canonical).where(records.c.message_pk == pk, records.c.position == 1)
        ).scalar_one()
        assert '"6.00"' in text
        c.execute(
            sa.update(records)
            .where(records.c.message_pk == pk, records.c.position == 1)
            .values(canonical=text.replace('"6.00"', '"6000000.00"'))
        )
    assert _full_problems(harness) == (
        f"message {PROVINCE}/av-01 (audit entry 1): record 1 does not match the SM3 recorded in the chain",
    )


def test_removed_and_added_records_and_a_removed_message_are_named(harness: Harness) -> None:
    _accept(harness, "av-01", "5.00", "6.00")
    _accept(harness, "av-02", "7.00")
    engine = harness.gateway.database.engine
    pk1 = _message_pk(engine, "av-01")
    with engine.begin() as c:
        c.execute(sa.delete(trace_keys).where(trace_keys.c.message_pk == pk1, trace_keys.c.position == 1))
        c.execute(sa.delete(records).where(records.c.message_pk == pk1, records.c.position == 1))
        c.execute(
            sa.insert(records).values(
                message_pk=pk1, position=5, msg_type="transfer_indicator", canonical="{}", result="accepted"
            )
        )
    problems = _full_problems(harness)
    assert problems == (
        f"message {PROVINCE}/av-01 (audit entry 1): record 1 is missing",
        f"message {PROVINCE}/av-01 (audit entry 1): record 5 is not in the chain",
    )
    with engine.begin() as c:
        c.execute(sa.update(messages).where(messages.c.message_id == "av-02").values(message_id="av-99"))
    assert _full_problems(harness)[-2:] == (
        f"message {PROVINCE}/av-02 (audit entry 2): accepted in the chain but not stored",
        "1 stored message(s) have no message.accepted entry in the chain",
    )


def test_entries_written_before_record_digests_verify_what_they_recorded(harness: Harness) -> None:
    """An accepted entry from before ``record_sm3`` (``body_sm3``, ``records`` count only) still verifies:
    its body against ``body_sm3`` and the number of its records."""
    body = _accept(harness, "av-01", "5.00", "6.00")
    engine = harness.gateway.database.engine
    with engine.begin() as c:  # rewrite the chain as the old code wrote it: drop record_sm3, re-hash
        row = c.execute(sa.select(audit_log).where(audit_log.c.seq == 1)).one()
        detail = {k: v for k, v in json.loads(row.detail).items() if k != "record_sm3"}
        c.execute(sa.delete(audit_log))
        c.execute(sa.update(audit_head).values(seq=0, hash=audit.GENESIS))
    with UnitOfWork(engine) as uow:
        audit.append(
            uow.audit, actor=row.actor, action=row.action, subject=row.subject, at=row.at, detail=detail
        )
        uow.commit()
    with harness.gateway.database.unit_of_work() as uow:
        assert audit.verify(uow.audit, uow.messages) == 1
    pk = _message_pk(engine, "av-01")
    with engine.begin() as c:
        c.execute(sa.delete(trace_keys).where(trace_keys.c.message_pk == pk, trace_keys.c.position == 1))
        c.execute(sa.delete(records).where(records.c.message_pk == pk, records.c.position == 1))
        c.execute(sa.update(messages).where(messages.c.id == pk).values(body=body.replace(b"5.00", b"8.00")))
    assert _full_problems(harness) == (
        f"message {PROVINCE}/av-01 (audit entry 1): the stored original body does not match the SM3 "
        "recorded in the chain",
        f"message {PROVINCE}/av-01 (audit entry 1): 1 record(s) stored, the chain records 2",
    )
