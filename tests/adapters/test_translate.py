"""The clearing path: a bank's 2301 (evoucher) → TIPS 2201 (cfx) → PBOC 3143 → the 2301 回单 (evoucher)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.base import Document, Record
from adapters.cfx import CfxAdapter
from adapters.errors import TranslationError
from adapters.evoucher import EVoucherAdapter
from adapters.translate import (
    clearing_request_to_pboc,
    clearing_requests_to_cfx,
    pboc_receipt_to_clearing_receipt,
)
from schemas.base import STORED
from schemas.clearing import ClearingReceipt, ClearingRequest, PbocClearingApply, PbocClearingReceipt
from tests.adapters.payments_samples import CLEARING_2301, CLEARING_2302, RECEIPT_3143, RECEIPT_3144, head

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


def _refund(amount: str = "-2345.67", detail: str | None = None) -> ClearingRequest:
    """A 2302; a non-negative one exists only as a record stored before the sign rule (read leniently)."""
    return ClearingRequest.model_validate(
        {
            **CLEARING_2302,
            "pay_amt": amount,
            "details": [{**CLEARING_2302["details"][0], "pay_amt": detail or amount}],
        },
        context=None if amount.startswith("-") else STORED,
    )


def test_negative_2302_becomes_a_2202_with_positive_amounts() -> None:
    """ITFE: a 2302 carries "-" + the refund (VoucherDto2MapFor2302.java); the 2202 carries the refund
    itself (VoucherDto2MapFor2202.java), so the signs flip on the way to TIPS."""
    refund = ClearingRequest.model_validate({**CLEARING_2302})
    assert refund.pay_amt == Decimal("-2345.67")
    bill = _apply(refund)
    assert bill.msg_no == "2202"
    assert bill.amt == Decimal("2345.67") and [d.amt for d in bill.details] == [Decimal("2345.67")]
    # the 2202 names the refunded payment, not a payer/payee of its own
    assert (bill.ori_payer_acct, bill.ori_payee_acct) == (refund.clear_acct_no, refund.agent_acct_no)
    assert bill.ori_vou_no == "3303245201260000123"  # the payment voucher its only detail names
    assert bill.pay_snd_bnk_no == bill.agent_bnk_code == "102333300018"
    # the original 支付 the refund undoes: the 2302's PayDictateNo / PayMsgNo / PayEntrustDate
    assert (bill.ori_tra_no, bill.pay_dictate_no, bill.pay_msg_no, bill.ori_entrust_date) == (
        "20260320000012345678",
        "20260320000012345678",
        "100",
        date(2026, 3, 20),
    )
    assert (bill.payer_acct, bill.payee_acct, bill.add_word) == (None, None, None)
    raw = CfxAdapter().render(Document("cfx", (Record(0, bill),), head("2202", "20260320220200000004")))
    assert b"<Head2202>" in raw and b"<AllAmt>2345.67</AllAmt>" in raw and b"-" not in raw.split(b"<MSG>")[1]


def test_a_stored_positive_2302_passes_unchanged_and_mixed_signs_are_refused() -> None:
    with pytest.raises(ValidationError, match="amount_not_negative"):
        ClearingRequest.model_validate({**CLEARING_2302, "pay_amt": "2345.67"})
    assert _apply(_refund("2345.67")).amt == Decimal("2345.67")
    assert _apply(_refund("0.00")).amt == Decimal("0.00")
    with pytest.raises(TranslationError, match="mix signs"):
        _apply(
            ClearingRequest.model_validate(
                {
                    **CLEARING_2302,
                    "pay_amt": "-1.00",
                    "details": [
                        {**CLEARING_2302["details"][0], "pay_amt": "-2.00"},
                        {**CLEARING_2302["details"][0], "id": "CD12", "pay_amt": "1.00"},
                    ],
                    "all_num": 2,
                }
            )
        )


def test_3144_comes_back_as_the_2302_receipt_with_a_negative_x_pay_amt() -> None:
    cfx = CfxAdapter().parse((GOLDEN / "cfx" / "3144.xml").read_bytes())
    answer = cfx.messages[0]
    assert isinstance(answer, PbocClearingReceipt) and answer.msg_no == "3144"
    receipt = pboc_receipt_to_clearing_receipt(answer, _refund(), pay_snd_bnk_no="102333300018")
    assert (receipt.x_pay_amt, receipt.pay_amt, receipt.x_add_word) == (
        Decimal("-2345.67"),
        Decimal("-2345.67"),
        "处理成功",
    )
    assert receipt.x_pay_snd_bnk_no == "102333300018"
    failed = PbocClearingReceipt.model_validate({**RECEIPT_3144, "result": "94052"})
    assert pboc_receipt_to_clearing_receipt(failed, _refund()).x_pay_amt == Decimal("0.00")


def test_mixed_2301_and_2302_are_refused_in_one_package() -> None:
    positive = _refund("1.00")  # a 2302 stored before the sign rule
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
    assert receipt.x_pay_snd_bnk_no == "011333000015"  # the 3143's PaySndBnkNo wins over the argument
    assert receipt.voucher_no == "3303242301260000031" and receipt.details == _request().details
    raw = EVoucherAdapter().render(Document("evoucher", (Record(0, receipt),)))
    assert b"<VoucherFlag>1</VoucherFlag>" in raw
    assert EVoucherAdapter().parse(raw).messages == (receipt,)


def test_failed_3143_gives_a_receipt_with_nothing_cleared() -> None:
    answer = PbocClearingReceipt.model_validate(
        {**RECEIPT_3143, "pay_result": "94052", "add_word": "账户余额不足"}
    )
    receipt = pboc_receipt_to_clearing_receipt(answer, _request())
    assert receipt.x_pay_amt == Decimal("0.00") and receipt.x_add_word == "账户余额不足"


def test_receipt_for_another_voucher_is_refused() -> None:
    answer = PbocClearingReceipt.model_validate({**RECEIPT_3143, "vou_no": "3303242301260000999"})
    with pytest.raises(TranslationError):
        pboc_receipt_to_clearing_receipt(answer, _request())


def test_3144_does_not_answer_a_2301() -> None:
    answer = PbocClearingReceipt.model_validate({**RECEIPT_3144, "vou_no": "3303242301260000031"})
    with pytest.raises(TranslationError):
        pboc_receipt_to_clearing_receipt(answer, _request())
