"""Building and sending payment-chain documents for the store-side payment reconciliation tests."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from adapters.base import Document, Record
from adapters.registry import default_registry
from schemas.clearing import ClearingReceipt, ClearingRequest
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from tests.adapters.payments_samples import (
    CLEARING_2301,
    CLEARING_2301_RECEIPT,
    PAYMENT_5201,
    RECEIPT_5201,
    REFUND_2252,
)
from tests.gateway.conftest import Harness
from tests.gateway.samples import signed_headers

COUNTY, BANK, PBC = "330324000", "102333300018", "3303240000"
ADM = "330324"
VOUCHER_BANK = PAYMENT_5201["pay_bank_code"]


def _wire(day: date) -> str:
    return day.strftime("%Y%m%d")


def _money(fen: int) -> str:
    return str(Decimal(fen) / 100)


def voucher(no: str, fen: int, day: date) -> PaymentVoucher:
    detail = {**PAYMENT_5201["details"][0], "pay_amt": _money(fen)}
    data = {
        **PAYMENT_5201,
        "voucher_no": no,
        "vou_date": _wire(day),
        "pay_amt": _money(fen),
        "details": [detail],
    }
    return PaymentVoucher.model_validate(data)


def receipt(no: str, fen: int, paid_fen: int, day: date, paid_on: date | None = None) -> PaymentReceipt:
    detail = {**RECEIPT_5201["details"][0], "pay_amt": _money(fen), "x_pay_amt": _money(paid_fen)}
    data = {
        **RECEIPT_5201,
        "voucher_no": no,
        "vou_date": _wire(day),
        "pay_amt": _money(fen),
        "x_pay_amt": _money(paid_fen),
        "x_pay_date": _wire(paid_on or day),
        "details": [detail],
    }
    return PaymentReceipt.model_validate(data)


def refund(no: str, original: str, fen: int, day: date) -> RefundNotice:
    data = {**REFUND_2252, "voucher_no": no, "original_voucher_no": original, "ori_bill_no": original}
    data.update(vou_date=_wire(day), pay_date=_wire(day), pay_entrust_date=_wire(day), pay_amt=_money(-fen))
    data["details"] = [{**REFUND_2252["details"][0], "pay_amt": _money(-fen)}]  # the detail refunds it all
    return RefundNotice.model_validate(data)


def _clearing(no: str, lines: list[tuple[str, int]], day: date) -> dict[str, Any]:
    template = CLEARING_2301["details"][0]
    details = [{**template, "voucher_no": v, "pay_amt": _money(f)} for v, f in lines]
    total = _money(sum(f for _, f in lines))
    return {
        **CLEARING_2301,
        "voucher_no": no,
        "vou_date": _wire(day),
        "pay_amt": total,
        "all_num": len(details),
        "details": details,
    }


def clearing(no: str, lines: list[tuple[str, int]], day: date) -> ClearingRequest:
    return ClearingRequest.model_validate(_clearing(no, lines, day))


def clearing_receipt(
    no: str, lines: list[tuple[str, int]], day: date, cleared: bool = True
) -> ClearingReceipt:
    data = {**CLEARING_2301_RECEIPT, **_clearing(no, lines, day)}
    data["x_pay_amt"] = data["pay_amt"] if cleared else "0.00"
    data["x_clear_date"] = _wire(day)
    return ClearingReceipt.model_validate(data)


def render(*messages: Any) -> bytes:
    records = tuple(Record(i, m, {"Attach": "SUCCESS"}) for i, m in enumerate(messages))
    return default_registry().get("evoucher").render(Document("evoucher", records))


def submit(h: Harness, sender: str, *messages: Any, message_id: str | None = None) -> httpx.Response:
    """Post the messages as one signed e-voucher document; the answer, whatever it is."""
    body = render(*messages)
    mid = message_id or uuid.uuid4().hex
    headers = signed_headers(h.config_dir, sender, body, mid, h.clock.now)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


def send(h: Harness, sender: str, *messages: Any, message_id: str | None = None) -> dict[str, Any]:
    response = submit(h, sender, *messages, message_id=message_id)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer
