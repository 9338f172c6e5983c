"""Read models for the ops web pages: message search (报文追踪), one message with its lifecycle and business
chain, its signed original, and the delivery queue (投递队列).

People (ops and viewers) see every message, as on the API's person endpoints (``caller=None`` in
:mod:`gateway.services.status` and :mod:`gateway.services.trace`); parties' visibility rules live in those
services and are not relaxed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.model import AuditEntry
from gateway.rows import (
    STATES,
    DeliveryRow,
    MessageCriteria,
    MessageDetail,
    MessageRow,
    Original,
    ReceiverCounts,
)
from gateway.services import status, trace
from gateway.services.errors import BadRequest, NotFound
from gateway.services.ports import MessageBrowser, ServiceContext

__all__ = [
    "PAGE_SIZE",
    "QUEUE_STATES",
    "DeliveryRow",
    "MessageCriteria",
    "MessageDetail",
    "MessageRow",
    "MessageView",
    "Original",
    "Page",
    "QueueView",
    "ReceiverCounts",
]

QUEUE_STATES = STATES
"""The delivery states the queue page pages through."""

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_CHAINS = 10
"""A batch message can name hundreds of vouchers; its page traces the first ten keys."""

QUEUE_ACTIONS = ("outbox.retry", "outbox.cancel", "outbox.replay")
"""The audited ops actions on deliveries (gateway/services/ops.py) the queue page lists."""

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class MessageView:
    detail: MessageDetail
    lifecycle: dict[str, Any]
    deliveries: list[DeliveryRow]
    chains: list[dict[str, Any]]
    """One :func:`gateway.services.trace.trace` answer per business key the message carries."""
    more_keys: int
    """Business keys not traced because of :data:`MAX_CHAINS`."""


@dataclass(frozen=True)
class QueueView:
    counts: list[ReceiverCounts]
    state: str
    receiver: str | None
    page: Page[DeliveryRow]
    recent_actions: list[AuditEntry]


def _browse(gw: ServiceContext) -> MessageBrowser:
    return gw.database.message_browser()


def _check_page(page: int) -> int:
    if not 1 <= page <= MAX_PAGE:
        raise BadRequest(f"页码应在 1 到 {MAX_PAGE} 之间")
    return page


def search_messages(gw: ServiceContext, criteria: MessageCriteria, page: int = 1) -> Page[MessageRow]:
    number = _check_page(page)
    items, more = _browse(gw).search(criteria, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return Page(items, number, more)


def find_message(gw: ServiceContext, sender: str, message_id: str) -> int:
    pk = _browse(gw).find_pk(sender, message_id)
    if pk is None:
        raise NotFound(f"未找到 {sender} 发送的报文 {message_id}")
    return pk


def message_view(gw: ServiceContext, pk: int) -> MessageView:
    browse = _browse(gw)
    detail = browse.message(pk)
    if detail is None:
        raise NotFound(f"未找到报文 #{pk}")
    lifecycle = status.lifecycle(gw, None, detail.row.sender, detail.row.message_id)
    keys: list[tuple[str, str]] = []
    for _position, _type, bgt_id, voucher_no, _result in detail.records:
        for key, value in (("bgt_id", bgt_id), ("voucher_no", voucher_no)):
            if value and (key, value) not in keys:
                keys.append((key, value))
    chains = [trace.trace(gw, None, key, value) for key, value in keys[:MAX_CHAINS]]
    return MessageView(
        detail=detail,
        lifecycle=lifecycle,
        deliveries=browse.deliveries_of(pk),
        chains=chains,
        more_keys=max(0, len(keys) - MAX_CHAINS),
    )


def original(gw: ServiceContext, pk: int) -> Original:
    found = _browse(gw).original(pk)
    if found is None:
        raise NotFound(f"未找到报文 #{pk}")
    return found


def queue_view(gw: ServiceContext, state: str, receiver: str | None = None, page: int = 1) -> QueueView:
    if state not in QUEUE_STATES:
        raise BadRequest(f"投递状态应为 {'、'.join(QUEUE_STATES)} 之一")
    number = _check_page(page)
    browse = _browse(gw)
    rows, more = browse.queue(state, receiver=receiver, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return QueueView(
        counts=browse.queue_counts(),
        state=state,
        receiver=receiver,
        page=Page(rows, number, more),
        recent_actions=browse.recent_audit(QUEUE_ACTIONS, 10),
    )


def delivery(gw: ServiceContext, outbox_id: int) -> DeliveryRow:
    found = _browse(gw).delivery(outbox_id)
    if found is None:
        raise NotFound(f"未找到投递 #{outbox_id}")
    return found
