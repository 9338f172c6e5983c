"""2301 申请划款凭证 / 2302 申请退款凭证, request (``VoucherFlag=0``) and 回单 (``VoucherFlag=1``).

Field lists followed, repo ``caoyanguo/ITFE``:

* 2301 — ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/Voucher2301MsgServer.java``: header Id, VouDate,
  VoucherNo, TreCode, FinOrgCode, BgtTypeCode/Name, FundTypeCode/Name, PayTypeCode/Name,
  AgentAcctNo/Name/BankName, ClearAcctNo/Name/BankName, PayAmt, PayBankName, PayBankNo, Remark,
  MoneyCorpCode, XPaySndBnkNo, XAddWord, XClearDate, XPayAmt, Hold1, Hold2; detail VoucherNo,
  SupDepCode/Name, ExpFuncCode/Name, PayAmt, PaySummaryName, Hold1..4 and the 划款明细 fields DAVoucherNo,
  FundTypeCode/Name, AgencyCode/Name, ExpEcoCode/Name, PayeeAcctNo/Name/BankName, Remark, AgentBusinessNo,
  XPayDate, XCheckNo, XPayAmt, XAddWord, XPayeeAcctBankName/No/Name, PayDate.
* 2302 — ``ITFECommon/src/com/cfcc/itfe/util/transformer/VoucherDto2MapFor2302.java`` (the map ITFE writes,
  in its order): Id, AdmDivCode, StYear, VtCode, VouDate, VoucherNo, TreCode, FinOrgCode, BgtTypeCode/Name,
  FundTypeCode/Name, PayTypeCode/Name, AgentAcctNo/Name/BankName, ClearAcctNo/Name/BankName, PayDictateNo,
  PayMsgNo, PayEntrustDate, PayBankName, PayBankNo, Remark, MoneyCorpCode, TKLX, XPaySndBnkNo, XAddWord,
  XClearDate, Hold1, Hold2, PayAmt and XPayAmt (both ``-`` the sum); detail Id, VoucherNo, SupDepCode/Name,
  ExpFuncCode/Name, PaySummaryName, Hold1..4, PayAmt (negative); plus ``Voucher2302MsgServer.java``'s
  ReturnDate, PaySndBnkNo and detail ReturnDate, OriVoucherNo, OriVouDetailNo, PayeeAcctBankNo.
  ``VoucherVerify.java``: a 2302 amount must be negative; ``VoucherUtil.java`` writes the 回单 XPayAmt as
  ``0 − |XPayAmt|``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from schemas.clearing import ClearingReceipt, ClearingRequest
from tests.conformance.evoucher.itfe import Fields, assert_carries, document, parse_one, problems, replace

HEADER_2301: Fields = [
    ("Id", "C0001"),
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "2301"),
    ("VouDate", "20260317"),
    ("VoucherNo", "3303242301260000031"),
    ("TreCode", "3303240000"),
    ("FinOrgCode", "330324000"),
    ("BgtTypeCode", "1"),
    ("BgtTypeName", "当年预算"),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
    ("PayTypeCode", "11"),
    ("PayTypeName", "直接支付"),
    ("AgentAcctNo", "1203280129000001234"),
    ("AgentAcctName", "永嘉县财政局零余额账户"),
    ("AgentAcctBankName", "中国工商银行永嘉支行"),
    ("ClearAcctNo", "3303240000000001"),
    ("ClearAcctName", "国家金库永嘉县支库"),
    ("ClearAcctBankName", "中国人民银行永嘉县支行"),
    ("PayAmt", "13205.67"),
    ("PayBankName", "中国工商银行永嘉支行"),
    ("PayBankNo", "102333300018"),
    ("Remark", "3月17日直接支付清算"),
    ("MoneyCorpCode", ""),
    ("XPaySndBnkNo", ""),
    ("XAddWord", ""),
    ("XClearDate", ""),
    ("XPayAmt", ""),
    ("Hold1", ""),
    ("Hold2", ""),
]


def detail_2301(index: int, voucher_no: str, amount: str) -> Fields:
    return [
        ("Id", f"CD0{index}"),
        ("VoucherNo", voucher_no),
        ("SupDepCode", "101"),
        ("SupDepName", "永嘉县教育局"),
        ("ExpFuncCode", "2050202"),
        ("ExpFuncName", "小学教育"),
        ("PayAmt", amount),
        ("PaySummaryName", "购买办公用品"),
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
        ("DAVoucherNo", f"SQ2026031700{index}"),
        ("FundTypeCode", "1"),
        ("FundTypeName", "一般公共预算"),
        ("AgencyCode", "101001"),
        ("AgencyName", "永嘉县瓯北第一小学"),
        ("ExpEcoCode", "30201"),
        ("ExpEcoName", "办公费"),
        ("PayeeAcctNo", "33050162682700000123"),
        ("PayeeAcctName", "温州市瓯江文具有限公司"),
        ("PayeeAcctBankName", "中国建设银行温州永嘉支行"),
        ("Remark", ""),
        ("AgentBusinessNo", f"ICBC2026031700009876{index}"),
        ("XPayDate", "20260317"),
        ("XCheckNo", ""),
        ("XPayAmt", amount),
        ("XAddWord", ""),
        ("XPayeeAcctBankName", ""),
        ("XPayeeAcctNo", ""),
        ("XPayeeAcctName", ""),
        ("PayDate", "20260317"),
    ]


DETAILS_2301 = [
    detail_2301(1, "3303245201260000123", "12345.67"),
    detail_2301(2, "3303245201260000124", "860.00"),
]

HEADER_2302: Fields = [
    ("Id", "3303242302260000004"),
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "2302"),
    ("VouDate", "20260320"),
    ("VoucherNo", "3303242302260000004"),
    ("TreCode", "3303240000"),
    ("FinOrgCode", "330324000"),
    ("BgtTypeCode", "1"),
    ("BgtTypeName", "当年预算"),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
    ("PayTypeCode", "11"),
    ("PayTypeName", "直接支付"),
    ("AgentAcctNo", "1203280129000001234"),
    ("AgentAcctName", "永嘉县财政局零余额账户"),
    ("AgentAcctBankName", "中国工商银行永嘉支行"),
    ("ClearAcctNo", "3303240000000001"),
    ("ClearAcctName", "国家金库永嘉县支库"),
    ("ClearAcctBankName", "中国人民银行永嘉县支行"),
    ("PayDictateNo", "20260320000012345678"),
    ("PayMsgNo", "100"),
    ("PayEntrustDate", "20260320"),
    ("PayBankName", "中国工商银行永嘉支行"),
    ("PayBankNo", "102333300018"),
    ("Remark", ""),
    ("MoneyCorpCode", ""),
    ("TKLX", "1"),
    ("XPaySndBnkNo", "105333300012"),
    ("XAddWord", ""),
    ("XClearDate", "20260320"),
    ("Hold1", ""),
    ("Hold2", ""),
    ("PayAmt", "-2345.67"),
    ("XPayAmt", "-2345.67"),
    ("ReturnDate", "20260320"),
    ("PaySndBnkNo", "105333300012"),
]

DETAILS_2302: list[Fields] = [
    [
        ("Id", "01"),
        ("VoucherNo", "3303245201260000123"),
        ("SupDepCode", "101"),
        ("SupDepName", "永嘉县教育局"),
        ("ExpFuncCode", "2050202"),
        ("ExpFuncName", "小学教育"),
        ("PaySummaryName", ""),
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
        ("PayAmt", "-2345.67"),
        ("ReturnDate", "20260320"),
        ("OriVoucherNo", "3303245201260000123"),
        ("OriVouDetailNo", "D0002"),
        ("PayeeAcctBankNo", "105333300012"),
    ]
]


def test_2301_request_with_empty_x_placeholders() -> None:
    message = parse_one(document(HEADER_2301, DETAILS_2301, flag="0")).messages[0]
    assert isinstance(message, ClearingRequest)
    assert_carries(message, HEADER_2301, DETAILS_2301)
    assert message.pay_amt == Decimal("13205.67") and message.x_pay_amt is None
    assert message.details[0].da_voucher_no == "SQ20260317001"
    assert message.details[1].x_pay_amt == Decimal("860.00") and message.details[1].pay_date == date(
        2026, 3, 17
    )


def test_2301_receipt_with_x_fields_filled() -> None:
    fields = replace(
        HEADER_2301,
        XPaySndBnkNo="102333300018",
        XAddWord="清算成功",
        XClearDate="20260317",
        XPayAmt="13205.67",
    )
    message = parse_one(document(fields, DETAILS_2301, flag="1")).messages[0]
    assert isinstance(message, ClearingReceipt)
    assert_carries(message, fields, DETAILS_2301)
    assert message.x_clear_date == date(2026, 3, 17) and message.x_pay_amt == Decimal("13205.67")


def test_2302_request_is_negative_with_its_payment_references() -> None:
    message = parse_one(document(HEADER_2302, DETAILS_2302, flag="0")).messages[0]
    assert isinstance(message, ClearingRequest)
    assert_carries(message, HEADER_2302, DETAILS_2302)
    assert message.pay_amt == Decimal("-2345.67") and message.x_pay_amt == Decimal("-2345.67")
    assert (message.pay_dictate_no, message.pay_msg_no, message.tklx) == ("20260320000012345678", "100", "1")
    assert message.pay_entrust_date == date(2026, 3, 20)
    assert message.details[0].ori_vou_detail_no == "D0002"


def test_2302_receipt_with_negative_x_pay_amt() -> None:
    fields = replace(HEADER_2302, XAddWord="退款清算成功")
    message = parse_one(document(fields, DETAILS_2302, flag="1")).messages[0]
    assert isinstance(message, ClearingReceipt)
    assert_carries(message, fields, DETAILS_2302)
    assert message.x_pay_amt == Decimal("-2345.67")


def test_2302_zero_x_pay_amt_of_a_stamp_only_receipt_is_accepted() -> None:
    fields = replace(HEADER_2302, XPayAmt="0", XClearDate="")  # VoucherUtil: payoutstampmode writes 0 and ""
    message = parse_one(document(fields, DETAILS_2302, flag="1")).messages[0]
    assert isinstance(message, ClearingReceipt) and message.x_pay_amt == Decimal("0.00")


def test_2302_with_a_positive_amount_is_refused() -> None:
    fields = replace(HEADER_2302, PayAmt="2345.67", XPayAmt="")
    lines = [replace(DETAILS_2302[0], PayAmt="2345.67")]
    assert problems(document(fields, lines)) == [("[0].pay_amt", "amount_not_negative")]


def test_2302_with_a_positive_x_pay_amt_is_refused() -> None:
    fields = replace(HEADER_2302, XPayAmt="2345.67")
    assert problems(document(fields, DETAILS_2302, flag="1")) == [("[0].x_pay_amt", "amount_not_negative")]


def test_2301_with_a_negative_amount_is_refused() -> None:
    fields = replace(HEADER_2301, PayAmt="-13205.67")
    lines = [replace(d, PayAmt="-" + dict(d)["PayAmt"], XPayAmt="") for d in DETAILS_2301]
    assert problems(document(fields, lines)) == [("[0].pay_amt", "amount_negative")]


def test_2301_receipt_with_a_negative_x_pay_amt_is_refused() -> None:
    fields = replace(HEADER_2301, XPayAmt="-13205.67", XClearDate="20260317")
    assert problems(document(fields, DETAILS_2301, flag="1")) == [("[0].x_pay_amt", "amount_negative")]


def test_clearing_details_that_do_not_add_up_are_refused() -> None:
    fields = replace(HEADER_2302, PayAmt="-2345.00")
    assert problems(document(fields, DETAILS_2302)) == [("[0].details", "detail_sum_mismatch")]
