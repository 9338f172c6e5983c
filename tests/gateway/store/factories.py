"""Small factories for store tests."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from gateway.model import MessageStatus, NewMessage, NewOutboxItem

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new_message(sender: str = "330000000", message_id: str | None = None, body: bytes = b"{}") -> NewMessage:
    return NewMessage(
        sender=sender,
        message_id=message_id or uuid.uuid4().hex,
        received_at=T0,
        format="mof.json",
        msg_type="indicator",
        body=body,
        # a stand-in digest for storage tests; the service computes SM3
        body_sm3=hashlib.sha256(body).hexdigest(),
        headers={"X-Sender": sender},
        status=MessageStatus.STORED,
        response={"message_id": message_id, "records": []},
    )


def new_outbox_item(message_pk: int, channel: str = "push", receiver: str = "330300000") -> NewOutboxItem:
    return NewOutboxItem(
        message_pk=message_pk,
        receiver=receiver,
        channel=channel,
        format="mof.json",
        body=b"rendered",
        original_sender="330000000",
        original_message_id="m-1",
        created_at=T0,
    )
