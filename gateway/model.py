"""Plain records passed between the services and the store (no SQLAlchemy, no FastAPI)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas.errors import Problem


class MessageStatus(enum.StrEnum):
    """The lifecycle of an inbound message (SPEC §7)."""

    RECEIVED = "received"
    VALIDATED = "validated"
    STORED = "stored"
    ROUTED = "routed"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"  # 签收
    REJECTED = "rejected"  # 签收失败 / 退回
    DEAD = "dead"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class NewMessage:
    sender: str
    message_id: str
    received_at: datetime
    format: str
    msg_type: str
    body: bytes
    body_sm3: str
    headers: Mapping[str, str]
    status: MessageStatus
    response: Mapping[str, Any]


@dataclass(frozen=True)
class StoredOriginal:
    """A stored message's signed original, as ``fiscalgw audit verify`` reads it."""

    pk: int
    sender: str
    message_id: str
    body_sm3: str
    """The ``messages.body_sm3`` column (used to answer replays)."""
    body: bytes


@dataclass(frozen=True)
class StoredMessage:
    """A stored message without its body (load that with ``MessageRepository.body``)."""

    pk: int
    sender: str
    message_id: str
    received_at: datetime
    format: str
    msg_type: str
    body_sm3: str
    status: MessageStatus
    response: Mapping[str, Any]


@dataclass(frozen=True)
class NewRecord:
    position: int
    msg_type: str
    canonical: str
    result: str
    bgt_id: str | None = None
    voucher_no: str | None = None
    trace: tuple[tuple[str, str], ...] = ()
    """(key, value) pairs the business trace finds this record by, e.g. ("voucher_no", …) of each detail."""
    extensions: str | None = None
    """The record's extensions as JSON (:func:`adapters.preserve.extensions_text`), ``None`` if none."""
    code_warnings: tuple[Problem, ...] = ()
    """代码校验警告: values outside their code list, accepted under the ``warn`` policy
    (:mod:`gateway.code_policy`)."""


@dataclass(frozen=True)
class TraceHit:
    message_pk: int
    sender: str
    message_id: str
    received_at: datetime
    status: MessageStatus
    position: int
    msg_type: str


@dataclass(frozen=True)
class LifecycleEvent:
    status: MessageStatus
    at: datetime
    detail: str | None = None


@dataclass(frozen=True)
class NewOutboxItem:
    message_pk: int
    receiver: str
    channel: str
    format: str
    body: bytes
    original_sender: str
    original_message_id: str
    created_at: datetime


@dataclass(frozen=True)
class OutboxItem:
    id: int
    message_pk: int
    receiver: str
    channel: str
    format: str
    body: bytes
    original_sender: str
    original_message_id: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One link of the audit chain. ``hash`` = SM3(prev_hash ‖ canonical entry bytes), hex."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class RoutedVoucher:
    """A stored 5201/8202 payment voucher and the agency bank it was routed to: the binding a bank's 回单,
    2252 refund or 2301/2302 clearing request for it must match (:mod:`gateway.routing`)."""

    adm_div_code: str
    voucher_no: str
    bank: str
    """The id of the bank party the voucher was routed to (its ``routes`` row)."""
    pay_bank_code: str
    """The voucher's ``PayBankCode`` as its reconciliation line holds it (``""`` when absent)."""


class Discard(Exception):
    """Raised by a group-commit write (:mod:`gateway.store.group_commit`, ADR 0009) whose work must be rolled
    back but which answers ``result`` all the same (the answer to a repeated submission)."""

    def __init__(self, result: object) -> None:
        super().__init__("discarded")
        self.result = result
