"""Messages: stored byte for byte, (sender, message id) unique across transactions, lifecycle, records."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from gateway.errors import MessageExists
from gateway.model import MessageStatus, NewRecord
from gateway.store.unit_of_work import UnitOfWork
from tests.gateway.store.factories import T0, new_message

GBK_BODY = "<MOF><VoucherCount>1</VoucherCount></MOF>".encode("gbk") + bytes(range(256))


def test_body_is_stored_byte_for_byte(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        pk = uow.messages.add(new_message(body=GBK_BODY))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.messages.body(pk) == GBK_BODY
        stored = uow.messages.get(pk)
    assert stored is not None
    assert stored.received_at == T0
    assert stored.status is MessageStatus.STORED


def test_same_sender_and_id_is_refused_in_a_later_transaction(engine: sa.Engine) -> None:
    first = new_message(message_id="m-42", body=b"one")
    with UnitOfWork(engine) as uow:
        uow.messages.add(first)
        uow.commit()
    with UnitOfWork(engine) as uow, pytest.raises(MessageExists) as caught:
        uow.messages.add(new_message(message_id="m-42", body=b"two"))
    assert caught.value.body_sm3 == first.body_sm3
    assert caught.value.response == first.response


def test_the_transaction_survives_a_refused_duplicate(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.messages.add(new_message(message_id="m-1"))
        uow.commit()
    with UnitOfWork(engine) as uow:
        with pytest.raises(MessageExists):
            uow.messages.add(new_message(message_id="m-1"))
        other = uow.messages.add(new_message(message_id="m-2"))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.messages.get(other) is not None


def test_another_sender_may_reuse_a_message_id(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.messages.add(new_message(sender="330000000", message_id="same"))
        uow.messages.add(new_message(sender="330300000", message_id="same"))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.messages.find("330300000", "same") is not None


def test_without_commit_nothing_is_kept(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.messages.add(new_message(message_id="lost"))
    with UnitOfWork(engine) as uow:
        assert uow.messages.find("330000000", "lost") is None


def test_an_exception_rolls_everything_back(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError), UnitOfWork(engine) as uow:
        pk = uow.messages.add(new_message(message_id="boom"))
        uow.messages.add_records(pk, [NewRecord(0, "indicator", "{}", "accepted", bgt_id="B1")])
        raise RuntimeError("service failed after the inserts")
    with UnitOfWork(engine) as uow:
        assert uow.messages.find("330000000", "boom") is None


def test_lifecycle_records_and_routes(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        pk = uow.messages.add(new_message())
        uow.messages.add_event(pk, MessageStatus.RECEIVED, T0)
        uow.messages.set_status(pk, MessageStatus.ROUTED, T0 + timedelta(seconds=1), "2 receivers")
        uow.messages.add_records(
            pk,
            [
                NewRecord(0, "indicator", '{"bgt_id":"B1"}', "accepted", bgt_id="B1"),
                NewRecord(1, "5201", '{"voucher_no":"V9"}', "accepted", voucher_no="V9"),
            ],
        )
        uow.messages.add_route(pk, 0, "330300000", "indicator.rec_div_code")
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.messages.get(pk)
        events = uow.messages.events(pk)
        kept = uow.messages.records(pk)
        routes = uow.messages.routes(pk)
    assert stored is not None and stored.status is MessageStatus.ROUTED
    assert [(e.status, e.at, e.detail) for e in events] == [
        (MessageStatus.RECEIVED, T0, None),
        (MessageStatus.ROUTED, T0 + timedelta(seconds=1), "2 receivers"),
    ]
    assert [(r.position, r.bgt_id, r.voucher_no) for r in kept] == [(0, "B1", None), (1, None, "V9")]
    assert routes == [(0, "330300000", "indicator.rec_div_code")]
