"""The clearing path: a bank's 2301 (evoucher) → TIPS 2201 (cfx) → PBOC 3143 → the 2301 回单 (evoucher)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.base import Document, Record
from adapters.cfx import CfxAdapter
from adapters.errors import TranslationError
from adapters.evoucher import EVoucherAdapter
from adapters.translate import (
    clearing_request_to_pboc,
    clearing_requests_to_cfx,
    pboc_receipt_to_clearing_receipt,
)
from schemas.clearing import ClearingReceipt, ClearingRequest, PbocClearingApply, PbocClearingReceipt
from tests.adapters.payments_samples import CLEARING_2301, CLEARING_2302, RECEIPT_3143, head

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _request() -> ClearingRequest:
    document = EVoucherAdapter().parse((GOLDEN / "evoucher" / "2301.xml").read_bytes())
    message = document.messages[0]
    assert isinstance(message, ClearingRequest)
    return message


def _apply(request: ClearingRequest) -> PbocClearingApply:
    return clearing_request_to_pboc(
        request,
        agent_bnk_code="102333300018",
        entrust_date=date(2026, 3, 17),
        pack_no="00000031",
        tra_no="00000001",
    )


def test_2301_becomes_a_2201_bill() -> None:
    request = _request()
    bill = _apply(request)
    assert bill.msg_no == "2201"
    assert (bill.vou_no, bill.vou_date, bill.of_year) == (request.voucher_no, request.vou_date, 2026)
    assert (bill.payer_acct, bill.payer_name) == ("3303240000000001", "国家金库永嘉县支库")
    assert (bill.payee_acct, bill.payee_name) == ("1203280129000001234", "永嘉县财政局零余额账户")
    assert bill.amt == request.pay_amt == Decimal("13205.67")
    assert [(d.seq_no, d.bdg_org_code, d.func_sbt_code, d.amt) for d in bill.details] == [
        (1, "101", "2050202", Decimal("12345.67")),
        (2, "101", "2050202", Decimal("860.00")),
    ]
    assert bill.stat_inf_num == 2


def test_2301_document_becomes_a_cfx_package_that_renders_and_parses() -> None:
    request = _request()
    second = ClearingRequest.model_validate({**CLEARING_2301, "voucher_no": "3303242301260000099"})
    document = clearing_requests_to_cfx(
        [request, second],
        head("2201", "20260317220100000031"),
        agent_bnk_code="102333300018",
        entrust_date=date(2026, 3, 17),
        pack_no="00000031",
    )
    raw = CfxAdapter().render(document)
    parsed = CfxAdapter().parse(raw)
    assert parsed == document
    assert [m.model_dump()["tra_no"] for m in parsed.messages] == ["00000001", "00000002"]
    assert b"<AllAmt>26411.34</AllAmt>" in raw


def test_2302_becomes_a_2202_and_negative_amounts_cannot_go_to_tips() -> None:
    refund = ClearingRequest.model_validate({**CLEARING_2302})
    with pytest.raises(TranslationError):
        _apply(refund)
    positive = ClearingRequest.model_validate(
        {
            **CLEARING_2302,
            "pay_amt": "2345.67",
            "details": [{**CLEARING_2302["details"][0], "pay_amt": "2345.67"}],
        }
    )
    assert _apply(positive).msg_no == "2202"


def test_mixed_2301_and_2302_are_refused_in_one_package() -> None:
    positive = ClearingRequest.model_validate(
        {**CLEARING_2302, "pay_amt": "1.00", "details": [{**CLEARING_2302["details"][0], "pay_amt": "1.00"}]}
    )
    with pytest.raises(TranslationError):
        clearing_requests_to_cfx(
            [_request(), positive],
            head("2201", "20260317220100000031"),
            agent_bnk_code="102333300018",
            entrust_date=date(2026, 3, 17),
            pack_no="1",
        )


def test_3143_comes_back_as_the_2301_receipt() -> None:
    cfx = CfxAdapter().parse((GOLDEN / "cfx" / "3143.xml").read_bytes())
    answer = cfx.messages[0]
    assert isinstance(answer, PbocClearingReceipt)
    receipt = pboc_receipt_to_clearing_receipt(answer, _request(), pay_snd_bnk_no="102333300018")
    assert isinstance(receipt, ClearingReceipt)
    assert (receipt.x_pay_amt, receipt.x_clear_date, receipt.x_add_word) == (
        Decimal("13205.67"),
        date(2026, 3, 17),
        "处理成功",
    )
    assert receipt.voucher_no == "3303242301260000031" and receipt.details == _request().details
    raw = EVoucherAdapter().render(Document("evoucher", (Record(0, receipt),)))
    assert b"<VoucherFlag>1</VoucherFlag>" in raw
    assert EVoucherAdapter().parse(raw).messages == (receipt,)


def test_failed_3143_gives_a_receipt_with_nothing_cleared() -> None:
    answer = PbocClearingReceipt.model_validate(
        {**RECEIPT_3143, "result": "94052", "description": "账户余额不足"}
    )
    receipt = pboc_receipt_to_clearing_receipt(answer, _request())
    assert receipt.x_pay_amt == Decimal("0.00") and receipt.x_add_word == "账户余额不足"


def test_receipt_for_another_voucher_is_refused() -> None:
    answer = PbocClearingReceipt.model_validate({**RECEIPT_3143, "vou_no": "3303242301260000999"})
    with pytest.raises(TranslationError):
        pboc_receipt_to_clearing_receipt(answer, _request())


def test_3144_does_not_answer_a_2301() -> None:
    answer = PbocClearingReceipt.model_validate({**RECEIPT_3143, "msg_no": "3144"})
    with pytest.raises(TranslationError):
        pboc_receipt_to_clearing_receipt(answer, _request())
