"""The rows the store hands back and the services read: plain frozen dataclasses, no SQLAlchemy.

They live outside :mod:`gateway.store` so that the use cases (:mod:`gateway.services`) and the ports they
depend on (:mod:`gateway.services.ports`) can name them without importing the store; the SQLAlchemy
implementation in :mod:`gateway.store` builds them from its result rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gateway.model import MessageStatus
from schemas.errors import Problem


# from gateway/store/breaks.py
@dataclass(frozen=True)
class BreakRow:
    id: int
    key: str
    kind: str
    type: str
    scope_key: str
    scope: Mapping[str, Any]
    ident: str
    status: str
    first_seen: datetime
    last_seen: datetime
    first_run_id: int
    last_run_id: int
    closed_at: datetime | None
    amount_fen: int | None
    upper_amount_fen: int | None
    lower_amount_fen: int | None
    difference_fen: int | None
    fields: Sequence[Mapping[str, Any]]
    detail: Mapping[str, Any]
    status_at: datetime | None
    status_by: str | None
    status_comment: str | None
    seen_as_of: datetime | None
    """The latest as-of of the runs that found it (``None`` only for rows older than migration 0007)."""


@dataclass(frozen=True)
class FoundBreak:
    """One break a run found, ready to store."""

    key: str
    type: str
    ident: str
    amount_fen: int | None
    upper_amount_fen: int | None
    lower_amount_fen: int | None
    difference_fen: int | None
    fields: Sequence[Mapping[str, Any]]
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class BreakEvent:
    at: datetime
    actor: str
    action: str
    comment: str | None
    run_id: int | None


BREAK_SORTS = ("amount", "first_seen", "last_seen", "type", "status")
"""What :class:`BreakQuery` may sort by."""


@dataclass(frozen=True)
class BreakQuery:
    """Filters for :meth:`BreakRepository.search`; ``None`` means no filter."""

    kind: str | None = None
    scope_key: str | None = None
    scope_prefix: str | None = None
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_amount_fen: int | None = None
    max_amount_fen: int | None = None
    first_seen_before: datetime | None = None
    first_seen_after: datetime | None = None
    sort: str = "-last_seen"
    """One of :data:`BREAK_SORTS`, prefix ``-`` for descending."""
    limit: int = 50
    offset: int = 0


# from gateway/store/indicator_spending.py
@dataclass(frozen=True)
class Candidate:
    """An indicator a voucher may spend, with what the control rules read."""

    id: int
    fiscal_year: int
    bgt_id: str
    side: str
    cor_bgt_doc_no: str | None
    pro_code: str | None
    fund_type_code: str | None
    tp_func_code: str | None
    gov_bgt_eco_code: str | None
    amount_fen: int
    spent_fen: int
    is_deleted: bool

    @property
    def available_fen(self) -> int:
        return self.amount_fen - self.spent_fen


@dataclass(frozen=True)
class NewSpend:
    message_pk: int
    position: int
    adm_div_code: str
    vt_code: str
    voucher_no: str
    fiscal_year: int
    file_no_code: str | None
    indicator_id: int | None
    amount_fen: int
    in_flight_fen: int
    state: str
    codes: str
    rule_version: int | None
    decided_at: datetime


@dataclass(frozen=True)
class Spend:
    """One ``indicator_spends`` row."""

    id: int
    message_pk: int
    position: int
    adm_div_code: str
    vt_code: str
    voucher_no: str
    fiscal_year: int
    file_no_code: str | None
    indicator_id: int | None
    amount_fen: int
    in_flight_fen: int
    paid_fen: int
    state: str
    codes: str
    rule_version: int | None
    decided_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comment: str | None


# from gateway/store/ledger.py
@dataclass(frozen=True)
class IndicatorRow:
    """One indicator on one level's ledger (``side``: issued | received | own)."""

    id: int
    division: str
    side: str
    counterparty: str | None
    fiscal_year: int
    bgt_id: str
    ori_bgt_id: str | None
    cor_bgt_doc_no: str | None
    sup_bgt_doc_no: str | None
    bgt_doc_title: str | None
    doc_date: str | None
    pro_code: str | None
    fund_type_code: str | None
    tp_func_code: str | None
    gov_bgt_eco_code: str | None
    distri_type_code: str | None
    is_track: str | None
    amount_fen: int
    is_deleted: bool
    create_time: datetime | None
    origin: str


@dataclass(frozen=True)
class NewIndicator:
    division: str
    side: str
    counterparty: str | None
    fiscal_year: int
    bgt_id: str
    ori_bgt_id: str | None
    cor_bgt_doc_no: str | None
    sup_bgt_doc_no: str | None
    bgt_doc_title: str | None
    doc_date: str | None
    pro_code: str | None
    fund_type_code: str | None
    tp_func_code: str | None
    gov_bgt_eco_code: str | None
    distri_type_code: str | None
    is_track: str | None
    amount_fen: int
    create_time: datetime | None
    origin: str = "booking"
    is_deleted: bool = False
    message_pk: int | None = None


@dataclass(frozen=True)
class Line:
    account: str
    dr_cr: str  # "D" | "C"
    amount_fen: int


@dataclass(frozen=True)
class NewEntry:
    """One journal entry: its lines must balance (Σ D = Σ C); the caller builds them."""

    message_pk: int | None
    position: int
    indicator_id: int
    kind: str
    posted_at: datetime
    division: str
    fiscal_year: int
    lines: tuple[Line, ...]


# from gateway/store/reconciliations.py
@dataclass(frozen=True)
class RunRow:
    id: int
    kind: str
    scope_key: str
    scope: Mapping[str, Any]
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    status: str
    trigger: str
    actor: str
    summary: Mapping[str, Any] | None
    error: str | None


# from gateway/store/tracking.py
@dataclass
class Spending:
    """The spending of one indicator, in fen: the vouchers 控制 linked to it (``indicator_spends`` in a live
    state — in flight, held, paid — so each voucher counts once, on the indicator 控制 reserved it on)."""

    vouchers: int = 0
    voucher_fen: int = 0
    """Σ PayAmt of its vouchers."""
    paid_fen: int = 0
    """已支付: Σ ``paid_fen`` — what the bank's 回单 paid (XPayAmt), less 2252 refunds (控制's 已支付)."""
    in_flight_fen: int = 0
    """在途: Σ ``in_flight_fen`` — accepted and routed, no 回单 yet."""
    held_fen: int = 0
    """待审核: Σ PayAmt of the vouchers held for ops review (not routed, nothing reserved)."""
    refund_fen: int = 0
    """Σ 2252 PayAmt (negative or zero)."""
    receipt_fen: int = 0
    """Σ XPayAmt of the 回单."""
    cleared_fen: int = 0
    """Σ of the active clearing 回单 lines (2301 added, 2302 subtracted)."""


@dataclass(frozen=True)
class VoucherLine:
    """One voucher 控制 recorded (linked or not) with its chain's amounts."""

    indicator_id: int | None
    adm_div_code: str
    file_no_code: str | None
    st_year: int
    voucher_no: str
    vt_code: str
    state: str
    """in_flight (在途) | held (待审核) | paid (已支付)."""
    codes: str
    """The control codes it failed (comma-separated; why it is held or unlinked)."""
    vou_date: date | None
    """VouDate of its payment line (``None``: held, not in the payment chain yet)."""
    pay_bank_code: str | None
    amount_fen: int
    paid_fen: int
    in_flight_fen: int
    receipt_fen: int | None
    """Σ XPayAmt of its 回单 (``None``: no 回单 yet)."""
    x_pay_date: date | None
    refund_fen: int
    cleared_fen: int | None
    """Σ of its clearing 回单 lines (``None``: not cleared)."""


@dataclass
class Unlinked:
    """Per AdmDivCode: the live vouchers 控制 recorded without an indicator (unknown 文号, ambiguous, …)."""

    counts: dict[str, tuple[int, int]]
    """AdmDivCode → (how many, Σ PayAmt in fen)."""
    lines: list[VoucherLine]
    """The first of them (oldest first), at most the limit asked."""


# from gateway/store/browse.py
@dataclass(frozen=True)
class MessageCriteria:
    """Search filters; ``None`` means "any". ``received_to`` is exclusive."""

    message_id: str | None = None
    bgt_id: str | None = None
    voucher_no: str | None = None
    party: str | None = None
    """Sender or receiver."""
    msg_type: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


@dataclass(frozen=True)
class MessageRow:
    pk: int
    sender: str
    message_id: str
    received_at: datetime
    format: str
    msg_type: str
    status: MessageStatus
    receivers: tuple[str, ...] = ()


@dataclass(frozen=True)
class MessageDetail:
    row: MessageRow
    body_sm3: str
    body_size: int
    headers: dict[str, str]
    records: tuple[tuple[int, str, str | None, str | None, str], ...]
    """(position, type, bgt_id, voucher_no, result) per record."""
    code_warnings: Mapping[int, tuple[Problem, ...]] = field(default_factory=dict)
    """Record position → its 代码校验警告 (only records that have any)."""


@dataclass(frozen=True)
class Original:
    sender: str
    message_id: str
    format: str
    body: bytes


@dataclass(frozen=True)
class ReceiverCounts:
    receiver: str
    channel: str
    pending: int = 0
    retrying: int = 0
    dead: int = 0
    cancelled: int = 0


# from gateway/store/outbox_listing.py
STATES = ("pending", "retrying", "dead", "cancelled", "sent")
"""``retrying`` is a pending push that has failed at least once; ``pending`` has not been tried yet."""


@dataclass(frozen=True)
class DeliveryRow:
    """One outbox row as ops see it; the inbox fields are ``None`` unless the query joined them (and for a
    push delivery, which has no inbox item)."""

    id: int
    message_pk: int
    receiver: str
    channel: str
    format: str
    original_sender: str
    original_message_id: str
    msg_type: str
    state: str
    """One of :data:`STATES`."""
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    dead_at: datetime | None
    acked_at: datetime | None = None
    rejected_at: datetime | None = None
    reject_reason: str | None = None


# from gateway/store/trace_queries.py
@dataclass(frozen=True)
class ChainRecord:
    message_pk: int
    sender: str
    message_id: str
    format: str
    received_at: datetime
    status: MessageStatus
    position: int
    msg_type: str
    canonical: str
    key: str
    value: str
    """The business key this record was found by."""
    extensions: str | None = None
    """The record's stored extensions (JSON), if any."""
    code_warnings: str | None = None
    """The record's 代码校验警告 as stored (JSON text), or None."""


@dataclass(frozen=True)
class Delivery:
    receiver: str
    channel: str
    state: str
    """pending | retrying | sent | dead | cancelled; a pull item settled by the receiver is acknowledged /
    rejected."""
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    dead_at: datetime | None
    acked_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str | None


# from gateway/store/counterparts.py
@dataclass(frozen=True)
class LedgerRecord:
    """One live ledger row and the message that opened it (``None`` for a seeded row)."""

    bgt_id: str
    ori_bgt_id: str | None
    cor_bgt_doc_no: str | None
    sup_bgt_doc_no: str | None
    amount_fen: int
    message_id: str | None


@dataclass(frozen=True)
class PaymentRecord:
    """One active payment line and the message that carried it."""

    role: str
    vt_code: str
    voucher_no: str
    clearing_no: str | None
    original_voucher_no: str | None
    amount_fen: int | None
    x_pay_amt_fen: int | None
    message_id: str
