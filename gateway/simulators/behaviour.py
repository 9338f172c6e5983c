"""What each simulated party answers to a pushed document — pure functions, no I/O.

* bank: every 5201/8202 voucher is paid in full and returned as a 回单 (same voucher, X-fields filled);
  every e-voucher batch it pays is answered in one e-voucher document.
* pbc: every 2301/2302 clearing request is cleared in full and returned as a clearing receipt.
* finance: indicators are acknowledged by the 2xx answer to the push (签收); nothing is sent back.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from adapters.base import Document, Record
from schemas.clearing import ClearingReceipt, ClearingRequest
from schemas.payments import PaymentReceipt, PaymentVoucher

Role = Literal["bank", "pbc", "finance"]


def _receipt(voucher: PaymentVoucher, business_no: str, today: date) -> PaymentReceipt:
    fields = voucher.model_dump(exclude={"message_type"})
    fields.update(
        x_pay_date=today,
        x_agent_business_no=business_no,
        x_pay_amt=voucher.pay_amt,
        x_add_word="支付成功",
    )
    return PaymentReceipt.model_validate(fields)


def _clearing_receipt(request: ClearingRequest, today: date) -> ClearingReceipt:
    fields = request.model_dump(exclude={"message_type"})
    fields.update(
        x_pay_snd_bnk_no=request.pay_bank_no,
        x_add_word="清算成功",
        x_clear_date=today,
        x_pay_amt=request.pay_amt,
    )
    return ClearingReceipt.model_validate(fields)


def replies(role: Role, document: Document, *, today: date, reference: str) -> list[Document]:
    """The documents the simulated party sends back for ``document`` (``reference`` seeds bank serials)."""
    answers: list[Record] = []
    for record in document.records:
        message = record.message
        if role == "bank" and isinstance(message, PaymentVoucher):
            serial = f"SIM{reference[-12:]}{record.position:03d}"
            answers.append(Record(len(answers), _receipt(message, serial, today), record.meta))
        elif role == "pbc" and isinstance(message, ClearingRequest):
            answers.append(Record(len(answers), _clearing_receipt(message, today), record.meta))
    return [Document(document.format, tuple(answers))] if answers else []
