"""The statement lines of one accepted 3501 / 3502 凭证对账 (``statement_lines``): what the statement kind
reads of it, as plain values.

Pure (no database): :func:`statement_lines_of` turns a canonical record into its :class:`StatementLine`
rows — line 0 the header (``AllNum``, ``AllAmt``, the bank, ``EVoucherType``), 1… the details
(``VoucherNo``, ``Amt``, ``ProState``); :mod:`gateway.store.statement_lines` stores them (and sets
``active``: per division, VtCode and statement VoucherNo the latest received counts). The intake use case
calls it, and migration 0012 back-fills with it. 3510 / 5510 are not here: their balance lines are
``payment_lines`` of role ``quota`` (:mod:`gateway.payment_lines`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from schemas.money import to_fen
from schemas.statements import VoucherReconciliationStatement
from signing import sm3_hex

STATEMENT_MESSAGE_TYPES = frozenset({"voucher_reconciliation_statement"})
"""The ``records.msg_type`` values that produce statement lines."""


@dataclass(frozen=True)
class StatementLine:
    """One line as stored (without ``message_pk`` and ``active``, which the repository sets)."""

    position: int
    line: int
    vt_code: str
    adm_div_code: str
    statement_no: str
    check_date: date
    bank: str
    """3502: ``PayBankCode``; 3501: ``ClearBankCode``; ``""`` when absent."""
    e_voucher_type: str
    record_sm3: str
    voucher_no: str | None = None
    """Details: the voucher the line names (header: None)."""
    amount_fen: int | None = None
    """Header: ``AllAmt``; details: ``Amt``."""
    all_num: int | None = None
    pro_state: str | None = None


def statement_lines_of(position: int, message: BaseModel, canonical: str) -> list[StatementLine]:
    """The statement lines of one record (``[]`` for anything that is not a 3501 / 3502)."""
    if not isinstance(message, VoucherReconciliationStatement):
        return []
    digest = sm3_hex(canonical.encode())
    bank = (message.pay_bank_code if message.vt_code == "3502" else message.clear_bank_code) or ""
    common = (
        message.vt_code,
        message.adm_div_code,
        message.voucher_no,
        message.check_date,
        bank,
        message.e_voucher_type or "",
        digest,
    )
    header = StatementLine(position, 0, *common, amount_fen=to_fen(message.all_amt), all_num=message.all_num)
    return [header] + [
        StatementLine(
            position,
            number,
            *common,
            voucher_no=detail.voucher_no,
            amount_fen=to_fen(detail.amt),
            pro_state=detail.pro_state,
        )
        for number, detail in enumerate(message.details, start=1)
    ]
