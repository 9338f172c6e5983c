"""5201 财政直接支付凭证 / 8202 财政授权支付凭证, voucher (``VoucherFlag=0``) and 回单 (``VoucherFlag=1``).

Field list followed: repo ``caoyanguo/ITFE``, ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/
Voucher5201MsgServer.java`` — header: Id, VouDate, FundTypeCode/Name, BgtTypeCode/Name, PayTypeCode/Name,
ProCatCode/Name, MOFDepCode/Name, FileNoCode/Name, SupDepCode/Name, AgencyCode/Name, ExpFuncCode/Name,
ExpFuncCode1..3/ExpFuncName1..3, ExpEcoCode/Name, ExpEcoCode1..2/ExpEcoName1..2, DepProCode/Name,
SetModeCode/Name, PayBankCode/Name, ClearBankCode/Name, PayeeAcctNo/Name/BankName/BankNo,
PayAcctNo/Name/BankName, PaySummaryCode/Name, PayAmt, BusinessTypeCode/Name, CheckNo, XPayDate,
XAgentBusinessNo, XCheckNo, XPayAmt, XPayeeAcctBankName, XPayeeAcctNo, XPayeeAcctName, Hold1, Hold2 (plus
XAddWord, Hold3, Hold4 as issue 12 lists them); detail: Id, VoucherBillId, VoucherBillNo, VoucherNo,
FundTypeCode/Name, BgtTypeCode/Name, ProCatCode/Name, PayKindCode/Name, MOFDepCode/Name, FileNoCode/Name,
SupDepCode/Name, AgencyCode/Name, ExpFuncCode/Name, ExpEcoCode/Name, DepProCode/Name,
PayeeAcctNo/Name/BankName/BankNo, PayAmt, Remark, XPayDate, XAgentBusinessNo, XCheckNo, XPayAmt,
XPayeeAcctBankName, XPayeeAcctNo, XPayeeAcctName, XAddWord, Hold1..4. The X-fields are empty on the outgoing
voucher and filled by the agency bank on the 回单 (``ITFECommon/src/com/cfcc/itfe/voucher/service/
VoucherUtil.java``, which writes ``XPayAmt`` as a plain ``BigDecimal`` text such as ``10000``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from schemas.payments import PaymentReceipt, PaymentVoucher
from tests.conformance.evoucher.itfe import Fields, assert_carries, document, parse_one, problems, replace

X_EMPTY: Fields = [
    ("XPayDate", ""),
    ("XAgentBusinessNo", ""),
    ("XCheckNo", ""),
    ("XPayAmt", ""),
    ("XPayeeAcctBankName", ""),
    ("XPayeeAcctNo", ""),
    ("XPayeeAcctName", ""),
    ("XAddWord", ""),
]


def header(vt_code: str) -> Fields:
    pay_type = ("11", "直接支付") if vt_code == "5201" else ("12", "授权支付")
    return [
        ("Id", "5F1E0C9A2B7D4E31A0C6B8D2E4F60011"),
        ("AdmDivCode", "330324"),
        ("StYear", "2026"),
        ("VtCode", vt_code),
        ("VouDate", "20260316"),
        ("VoucherNo", f"330324{vt_code}260000901"),
        ("FundTypeCode", "1"),
        ("FundTypeName", "一般公共预算"),
        ("BgtTypeCode", "1"),
        ("BgtTypeName", "当年预算"),
        ("PayTypeCode", pay_type[0]),
        ("PayTypeName", pay_type[1]),
        ("ProCatCode", "1"),
        ("ProCatName", "一般预算"),
        ("MOFDepCode", "002"),
        ("MOFDepName", "教科文科"),
        ("FileNoCode", "永财教〔2026〕15号"),
        ("FileNoName", "关于下达2026年义务教育公用经费的通知"),
        ("SupDepCode", "101"),
        ("SupDepName", "永嘉县教育局"),
        ("AgencyCode", "101001"),
        ("AgencyName", "永嘉县瓯北第一小学"),
        ("ExpFuncCode", "2050202"),
        ("ExpFuncName", "小学教育"),
        ("ExpFuncCode1", "205"),
        ("ExpFuncName1", "教育支出"),
        ("ExpFuncCode2", "20502"),
        ("ExpFuncName2", "普通教育"),
        ("ExpFuncCode3", "2050202"),
        ("ExpFuncName3", "小学教育"),
        ("ExpEcoCode", "30201"),
        ("ExpEcoName", "办公费"),
        ("ExpEcoCode1", "302"),
        ("ExpEcoName1", "商品和服务支出"),
        ("ExpEcoCode2", "30201"),
        ("ExpEcoName2", "办公费"),
        ("DepProCode", "33032426A0001"),
        ("DepProName", "义务教育公用经费"),
        ("SetModeCode", "2"),
        ("SetModeName", "转账"),
        ("PayBankCode", "102"),
        ("PayBankName", "中国工商银行永嘉支行"),
        ("ClearBankCode", "001"),
        ("ClearBankName", "中国人民银行永嘉县支行"),
        ("PayeeAcctNo", "33050162682700000123"),
        ("PayeeAcctName", "温州市瓯江文具有限公司"),
        ("PayeeAcctBankName", "中国建设银行温州永嘉支行"),
        ("PayeeAcctBankNo", "105333300012"),
        ("PayAcctNo", "1203280129000001234"),
        ("PayAcctName", "永嘉县财政局零余额账户"),
        ("PayAcctBankName", "中国工商银行永嘉支行"),
        ("PaySummaryCode", "01"),
        ("PaySummaryName", "购买办公用品"),
        ("PayAmt", "12345.67"),
        ("BusinessTypeCode", "1"),
        ("BusinessTypeName", "单笔"),
        ("CheckNo", ""),
        *X_EMPTY,
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
    ]


def detail(index: int, amount: str) -> Fields:
    return [
        ("Id", f"D000{index}"),
        ("VoucherBillId", "5F1E0C9A2B7D4E31A0C6B8D2E4F60011"),
        ("VoucherBillNo", "3303245201260000901"),
        ("VoucherNo", f"SQ2026031600{index}"),
        ("FundTypeCode", "1"),
        ("FundTypeName", "一般公共预算"),
        ("BgtTypeCode", "1"),
        ("BgtTypeName", "当年预算"),
        ("ProCatCode", "1"),
        ("ProCatName", "一般预算"),
        ("PayKindCode", "1"),
        ("PayKindName", "公用经费"),
        ("MOFDepCode", "002"),
        ("MOFDepName", "教科文科"),
        ("FileNoCode", "永财教〔2026〕15号"),
        ("FileNoName", "关于下达2026年义务教育公用经费的通知"),
        ("SupDepCode", "101"),
        ("SupDepName", "永嘉县教育局"),
        ("AgencyCode", "101001"),
        ("AgencyName", "永嘉县瓯北第一小学"),
        ("ExpFuncCode", "2050202"),
        ("ExpFuncName", "小学教育"),
        ("ExpEcoCode", "30201"),
        ("ExpEcoName", "办公费"),
        ("DepProCode", "33032426A0001"),
        ("DepProName", "义务教育公用经费"),
        ("PayeeAcctNo", "33050162682700000123"),
        ("PayeeAcctName", "温州市瓯江文具有限公司"),
        ("PayeeAcctBankName", "中国建设银行温州永嘉支行"),
        ("PayeeAcctBankNo", "105333300012"),
        ("PayAmt", amount),
        ("Remark", "一季度办公用品"),
        *X_EMPTY,
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
    ]


def details() -> list[Fields]:
    return [detail(1, "10000.00"), detail(2, "2345.67")]


def receipt_header(vt_code: str) -> Fields:
    return replace(
        header(vt_code),
        XPayDate="20260317",
        XAgentBusinessNo="ICBC20260317000098765",
        XPayAmt="12345.67",
        XPayeeAcctBankName="中国建设银行温州永嘉支行",
        XPayeeAcctNo="33050162682700000123",
        XPayeeAcctName="温州市瓯江文具有限公司",
        XAddWord="支付成功",
    )


def receipt_details() -> list[Fields]:
    # VoucherUtil writes the detail XPayAmt as BigDecimal text: "10000", not "10000.00"
    paid = [("10000", "D0001"), ("2345.67", "D0002")]
    return [
        replace(d, XPayDate="20260317", XAgentBusinessNo="ICBC20260317000098765", XPayAmt=amount)
        for d, (amount, _id) in zip(details(), paid, strict=True)
    ]


@pytest.mark.parametrize("vt_code", ["5201", "8202"])
def test_outgoing_voucher_with_empty_x_fields(vt_code: str) -> None:
    fields, lines = header(vt_code), details()
    parsed = parse_one(document(fields, lines, flag="0"))
    message = parsed.messages[0]
    assert isinstance(message, PaymentVoucher)
    assert_carries(message, fields, lines)
    assert message.pay_amt == Decimal("12345.67")
    assert message.exp_func_code3 == "2050202" and message.exp_eco_name1 == "商品和服务支出"
    assert message.x_pay_amt is None and message.x_pay_date is None and message.hold4 is None
    assert [d.payee_acct_bank_no for d in message.details] == ["105333300012", "105333300012"]
    assert message.details[0].mof_dep_code == "002" and message.details[1].x_pay_amt is None


@pytest.mark.parametrize("vt_code", ["5201", "8202"])
def test_receipt_with_filled_x_fields(vt_code: str) -> None:
    fields, lines = receipt_header(vt_code), receipt_details()
    parsed = parse_one(document(fields, lines, flag="1"))
    message = parsed.messages[0]
    assert isinstance(message, PaymentReceipt)
    assert_carries(message, fields, lines)
    assert message.x_pay_amt == Decimal("12345.67")
    assert message.x_pay_date == date(2026, 3, 17)
    assert message.details[0].x_pay_amt == Decimal("10000.00")
    assert message.x_add_word == "支付成功"


def test_receipt_reporting_more_paid_than_asked_is_refused() -> None:
    fields = replace(receipt_header("5201"), XPayAmt="12345.68")
    assert problems(document(fields, receipt_details(), flag="1")) == [
        ("[0].x_pay_amt", "paid_exceeds_amount")
    ]


def test_receipt_detail_paid_more_than_its_amount_is_refused() -> None:
    lines = receipt_details()
    lines[1] = replace(lines[1], XPayAmt="2345.68")
    assert problems(document(receipt_header("5201"), lines, flag="1")) == [
        ("[0].details[1].x_pay_amt", "paid_exceeds_amount")
    ]


def test_x_pay_date_that_is_no_date_is_refused() -> None:
    fields = replace(receipt_header("5201"), XPayDate="20260231")
    assert problems(document(fields, receipt_details(), flag="1")) == [("[0].x_pay_date", "value_error")]


def test_detail_amount_with_three_places_is_refused() -> None:
    lines = details()
    lines[0] = replace(lines[0], PayAmt="10000.001")
    assert ("[0].details[0].pay_amt", "amount_precision") in problems(document(header("5201"), lines))


def test_details_that_do_not_add_up_are_refused() -> None:
    lines = details()
    lines[1] = replace(lines[1], PayAmt="2345.66")
    assert problems(document(header("5201"), lines)) == [("[0].details", "detail_sum_mismatch")]
