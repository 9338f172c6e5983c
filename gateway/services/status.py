"""``GET /v1/messages/{id}``: a message's lifecycle, for its sender or one of its receivers only."""

from __future__ import annotations

from typing import Any

from gateway.services.errors import NotFound
from gateway.services.ports import ServiceContext


def lifecycle(gw: ServiceContext, caller: str | None, sender: str, message_id: str) -> dict[str, Any]:
    """``caller`` is the asking party, or ``None`` for a person (ops / viewer), who may read any message."""
    with gw.database.unit_of_work() as uow:
        message = uow.messages.find(sender, message_id)
        if message is None:
            raise NotFound(f"no message {message_id!r} from {sender}")
        routes = uow.messages.routes(message.pk)
        receivers = sorted({receiver for _, receiver, _ in routes})
        if caller is not None and caller != sender and caller not in receivers:
            # the same answer as "absent": parties learn nothing about others' messages
            raise NotFound(f"no message {message_id!r} from {sender}")
        events = uow.messages.events(message.pk)
    return {
        "sender": message.sender,
        "message_id": message.message_id,
        "format": message.format,
        "message_type": message.msg_type,
        "status": message.status.value,
        "received_at": message.received_at.isoformat(),
        "receivers": receivers,
        "events": [{"status": e.status.value, "at": e.at.isoformat(), "detail": e.detail} for e in events],
    }
