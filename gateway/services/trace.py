"""``GET /v1/trace?bgt_id=…`` / ``?voucher_no=…``: the business chain (indicator; voucher → 回单 →
clearing → receipt), limited to messages the calling party sent or received."""

from __future__ import annotations

from typing import Any

from gateway.bootstrap import Gateway
from gateway.services.errors import BadRequest

TRACE_KEYS = ("bgt_id", "voucher_no")


def trace(gw: Gateway, caller: str | None, key: str, value: str) -> dict[str, Any]:
    """``caller`` is the asking party, or ``None`` for a person (ops / viewer), who sees the whole chain."""
    if key not in TRACE_KEYS:
        raise BadRequest(f"trace by one of {', '.join(TRACE_KEYS)}")
    if not value or len(value) > 64:
        raise BadRequest(f"{key} must be 1-64 characters")
    chain: list[dict[str, Any]] = []
    with gw.database.unit_of_work() as uow:
        visible: dict[int, bool] = {}
        for hit in uow.messages.trace(key, value):
            if hit.message_pk not in visible:
                parties = {hit.sender, *uow.messages.receivers(hit.message_pk)}
                visible[hit.message_pk] = caller is None or caller in parties
            if not visible[hit.message_pk]:
                continue
            chain.append(
                {
                    "sender": hit.sender,
                    "message_id": hit.message_id,
                    "position": hit.position,
                    "message_type": hit.msg_type,
                    "received_at": hit.received_at.isoformat(),
                    "status": hit.status.value,
                }
            )
    return {key: value, "chain": chain}
