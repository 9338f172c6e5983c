"""The pull channel: a party fetches its inbox, then confirms 签收 (ack) or 退回 (reject, with a reason).
Unsettled items are offered again after the visibility timeout."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from gateway import audit
from gateway.model import MessageStatus
from gateway.services.errors import BadRequest, NotFound
from gateway.services.ports import ServiceContext

MAX_BATCH = 100
MAX_ID = 2**63 - 1


def pull(gw: ServiceContext, party_id: str, limit: int = MAX_BATCH) -> list[dict[str, Any]]:
    """Up to ``limit`` visible items for ``party_id``, each hidden until settled or the timeout passes."""
    if not 1 <= limit <= MAX_BATCH:
        raise BadRequest(f"limit must be between 1 and {MAX_BATCH}")
    visibility = timedelta(seconds=gw.settings.delivery.pull_visibility_seconds)
    with gw.database.unit_of_work() as uow:
        items = uow.outbox.offer(party_id, gw.clock(), limit, visibility)
        uow.commit()
    return [
        {
            "id": item.id,
            "original_sender": item.original_sender,
            "original_message_id": item.original_message_id,
            "format": item.format,
            "body_base64": base64.b64encode(item.body).decode("ascii"),
        }
        for item in items
    ]


def settle(
    gw: ServiceContext, party_id: str, item_id: int, *, reject_reason: str | None = None
) -> dict[str, Any]:
    """签收 (``reject_reason`` None) or 退回 one of ``party_id``'s items; NotFound if not its open item."""
    if reject_reason is not None and not reject_reason.strip():
        raise BadRequest("a rejection (退回) needs a non-empty reason")
    if not 1 <= item_id <= MAX_ID:  # BIGINT ids: a larger number names no item
        raise NotFound(f"no inbox item {item_id} for {party_id}")
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        item = uow.outbox.get(item_id)
        if item is None or item.receiver != party_id:
            raise NotFound(f"no inbox item {item_id} for {party_id}")
        if not uow.outbox.settle(item_id, party_id, now, reject_reason=reject_reason):
            raise NotFound(f"inbox item {item_id} is already settled")
        status = MessageStatus.ACKNOWLEDGED if reject_reason is None else MessageStatus.REJECTED
        detail = party_id if reject_reason is None else f"{party_id}: {reject_reason}"
        uow.messages.set_status(item.message_pk, status, now, detail)
        audit.append(
            uow.audit,
            actor=party_id,
            action=f"inbox.{'ack' if reject_reason is None else 'reject'}",
            subject=f"{item.original_sender}/{item.original_message_id}",
            at=now,
            detail={"outbox_id": item_id, "reason": reject_reason},
        )
        uow.commit()
    return {"id": item_id, "status": status.value}
