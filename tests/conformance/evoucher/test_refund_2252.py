"""2252 收款银行退款通知 with its ``<DetailList>``, both flags (2252 has no separate 回单 model: a
``VoucherFlag=1`` body parses to the same model and keeps the flag in ``Record.meta``).

Field list followed: repo ``caoyanguo/ITFE``, ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/
Voucher2252MsgServer.java`` — header Id, VouDate, OriBillNo, PayTypeCode, PayTypeName, OriginalVoucherNo,
PayAmt (退款汇总金额, 负金额), PayDictateNo, PayMsgNo, PayEntrustDate, PaySndBnkNo, Remark, PayDate, Hold1,
Hold2, FundTypeCode, FundTypeName; detail Id, VoucherBillId, PayAcctNo, PayAcctName, PayAcctBankName,
PayeeAcctNo, PayeeAcctName, PayeeAcctBankName, PayeeAcctBankNo, PayAmt, Remark, Hold1..4, ExpFuncCode,
ExpFuncName, bkyt. The handler refuses a header that differs from the sum of the details;
``VoucherVerify.java`` requires the 2252 amount to be negative.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from schemas.payments import RefundNotice
from tests.conformance.evoucher.itfe import Fields, assert_carries, document, parse_one, problems, replace

HEADER: Fields = [
    ("Id", "R0001"),
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "2252"),
    ("VouDate", "20260320"),
    ("VoucherNo", "1052026032000007"),
    ("OriBillNo", "3303245201260000123"),
    ("PayTypeCode", "11"),
    ("PayTypeName", "直接支付"),
    ("OriginalVoucherNo", "3303245201260000123"),
    ("PayAmt", "-3205.67"),
    ("PayDictateNo", "20260320000012345678"),
    ("PayMsgNo", "100"),
    ("PayEntrustDate", "20260320"),
    ("PaySndBnkNo", "105333300012"),
    ("Remark", "收款人账户名称不符，退回"),
    ("PayDate", "20260320"),
    ("Hold1", ""),
    ("Hold2", ""),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
]


def detail(index: int, amount: str, payee: str) -> Fields:
    return [
        ("Id", f"D000{index}"),
        ("VoucherBillId", "R0001"),
        ("PayAcctNo", "1203280129000001234"),
        ("PayAcctName", "永嘉县财政局零余额账户"),
        ("PayAcctBankName", "中国工商银行永嘉支行"),
        ("PayeeAcctNo", f"3305016268270000012{index}"),
        ("PayeeAcctName", payee),
        ("PayeeAcctBankName", "中国建设银行温州永嘉支行"),
        ("PayeeAcctBankNo", "105333300012"),
        ("PayAmt", amount),
        ("Remark", "账户名称不符"),
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
        ("ExpFuncCode", "2050202"),
        ("ExpFuncName", "小学教育"),
        ("bkyt", "办公用品款"),
    ]


DETAILS = [detail(1, "-2345.67", "温州市瓯江文具有限公司"), detail(2, "-860.00", "永嘉县瓯北水务有限公司")]


@pytest.mark.parametrize("flag", ["0", "1"])
def test_refund_notice_with_its_detail_list(flag: str) -> None:
    parsed = parse_one(document(HEADER, DETAILS, flag=flag))
    message = parsed.messages[0]
    assert isinstance(message, RefundNotice)
    assert_carries(message, HEADER, DETAILS)
    assert message.pay_amt == Decimal("-3205.67") and message.pay_date == date(2026, 3, 20)
    assert message.pay_type_name == "直接支付" and message.fund_type_name == "一般公共预算"
    assert [d.payee_acct_name for d in message.details] == [
        "温州市瓯江文具有限公司",
        "永嘉县瓯北水务有限公司",
    ]
    assert message.details[1].pay_amt == Decimal("-860.00") and message.details[0].bkyt == "办公用品款"
    assert parsed.records[0].meta.get("VoucherFlag") == ("1" if flag == "1" else None)


def test_refund_whose_details_do_not_add_up_is_refused() -> None:
    fields = replace(HEADER, PayAmt="-3205.68")
    assert problems(document(fields, DETAILS)) == [("[0].details", "detail_sum_mismatch")]


def test_refund_detail_with_a_positive_amount_is_refused() -> None:
    lines = [DETAILS[0], replace(DETAILS[1], PayAmt="860.00")]
    fields = replace(HEADER, PayAmt="-1485.67")
    assert problems(document(fields, lines)) == [("[0].details[1].pay_amt", "amount_not_negative")]


def test_refund_with_an_amount_that_is_no_decimal_is_refused() -> None:
    lines = [replace(DETAILS[0], PayAmt="-2,345.67"), DETAILS[1]]
    assert ("[0].details[0].pay_amt", "amount_not_decimal") in problems(document(HEADER, lines))
