"""The payment lines of one accepted record: what the payment engine reads of it, as plain values.

Pure (no database): :func:`lines_of` turns a canonical payment-chain record into its :class:`PaymentLine`
rows; :mod:`gateway.store.payment_lines` stores them (and sets ``active``), the intake and ops-release use
cases call it, and migration 0004 back-fills with it. The line roles and the ``active`` rules
are described in :mod:`gateway.store.payment_lines`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from schemas.clearing import ClearingReceipt, ClearingRequest
from schemas.money import to_fen
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import QuotaCheckDetail, QuotaReconciliationStatement
from signing import sm3_hex

PAYMENT_MESSAGE_TYPES = frozenset(
    {
        "payment_voucher",
        "payment_receipt",
        "refund_notice",
        "clearing_request",
        "clearing_receipt",
        "quota_reconciliation_statement",
    }
)
"""The ``records.msg_type`` values that produce payment lines."""


@dataclass(frozen=True)
class PaymentLine:
    """One line as stored (without ``message_pk`` and ``active``, which the repository sets)."""

    position: int
    line: int
    role: str
    vt_code: str
    adm_div_code: str
    pay_bank_code: str
    voucher_no: str
    vou_date: date
    record_sm3: str
    clearing_no: str | None = None
    original_voucher_no: str | None = None
    is_receipt: bool = False
    amount_fen: int | None = None
    x_pay_amt_fen: int | None = None
    x_pay_date: date | None = None
    pre_date_money_fen: int | None = None
    clear_amt_fen: int | None = None
    cur_reck_money_fen: int | None = None
    cur_date_money_fen: int | None = None
    void: bool = False
    """A clearing 回单 that cleared nothing: stored inactive, and it still replaces its request."""


_MODELS = (
    PaymentVoucher,
    PaymentReceipt,
    RefundNotice,
    ClearingRequest,
    ClearingReceipt,
    QuotaReconciliationStatement,
)


def lines_of(
    position: int,
    message: BaseModel,
    canonical: str,
    voucher_bank: str | None = None,
    *,
    digest: str | None = None,
) -> list[PaymentLine]:
    """The payment lines of one record (``[]`` for anything that is not part of the payment chain).

    ``voucher_bank``: for a 回单, the ``PayBankCode`` of the stored voucher it was bound to at intake
    (:func:`gateway.routing.bound_voucher`); the receipt line carries it, so a bank that spells its code
    differently (its 12-digit 行号, or no code at all) still matches its own voucher, and payment runs
    match receipts on (division, voucher number, bank). ``digest``: the hex SM3 of ``canonical`` when the
    caller has it already (intake computes it once for the audit entry too)."""
    if not isinstance(message, _MODELS):
        return []
    if digest is None:
        digest = sm3_hex(canonical.encode())
    if isinstance(message, PaymentVoucher):
        return [
            PaymentLine(
                position,
                0,
                "voucher",
                message.vt_code,
                message.adm_div_code,
                message.pay_bank_code or "",
                message.voucher_no,
                message.vou_date,
                digest,
                amount_fen=to_fen(message.pay_amt),
            )
        ]
    if isinstance(message, PaymentReceipt):
        return [
            PaymentLine(
                position,
                0,
                "receipt",
                message.vt_code,
                message.adm_div_code,
                voucher_bank if voucher_bank is not None else message.pay_bank_code or "",
                message.voucher_no,
                message.vou_date,
                digest,
                is_receipt=True,
                amount_fen=to_fen(message.pay_amt),
                x_pay_amt_fen=to_fen(message.x_pay_amt),
                x_pay_date=message.x_pay_date,
            )
        ]
    if isinstance(message, RefundNotice):
        return [
            PaymentLine(
                position,
                0,
                "refund",
                message.vt_code,
                message.adm_div_code,
                "",
                message.voucher_no,
                message.vou_date,
                digest,
                original_voucher_no=message.original_voucher_no,
                amount_fen=to_fen(message.pay_amt),
            )
        ]
    if isinstance(message, ClearingRequest | ClearingReceipt):
        return _clearing_lines(position, message, digest)
    if isinstance(message, QuotaReconciliationStatement):
        return _quota_lines(position, message, digest)
    return []


def _clearing_lines(position: int, doc: ClearingRequest | ClearingReceipt, digest: str) -> list[PaymentLine]:
    receipt = isinstance(doc, ClearingReceipt)
    void = isinstance(doc, ClearingReceipt) and doc.x_pay_amt == 0 and doc.pay_amt != 0
    x_paid = to_fen(doc.x_pay_amt) if isinstance(doc, ClearingReceipt) else None
    return [
        PaymentLine(
            position,
            number,
            "clearing",
            doc.vt_code,
            doc.adm_div_code,
            doc.pay_bank_no or "",
            detail.voucher_no,
            doc.vou_date,
            digest,
            clearing_no=doc.voucher_no,
            is_receipt=receipt,
            amount_fen=to_fen(detail.pay_amt),
            x_pay_amt_fen=x_paid,
            void=void,
        )
        for number, detail in enumerate(doc.details, start=1)
        if detail.voucher_no  # a detail naming no payment voucher cannot be reconciled (the CLI refuses it)
    ]


def _quota_lines(position: int, statement: QuotaReconciliationStatement, digest: str) -> list[PaymentLine]:
    bank = statement.clear_bank_code or ""
    # the header's balances are conditional on the wire (a 5510 has none): balances() falls back to the
    # sums of the details
    parts = [(0, bank, statement.balances())] + [
        (number, detail.pay_bank_code or bank, _detail_balances(detail))
        for number, detail in enumerate(statement.details, start=1)
    ]
    return [
        PaymentLine(
            position,
            number,
            "quota",
            statement.vt_code,
            statement.adm_div_code,
            line_bank,
            statement.voucher_no,
            statement.end_date,
            digest,
            pre_date_money_fen=to_fen(pre),
            clear_amt_fen=to_fen(clear),
            cur_reck_money_fen=to_fen(reck),
            cur_date_money_fen=to_fen(cur),
        )
        for number, line_bank, (pre, clear, reck, cur) in parts
    ]


def _detail_balances(detail: QuotaCheckDetail) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return detail.pre_date_money, detail.clear_amt, detail.cur_reck_money, detail.cur_date_money
