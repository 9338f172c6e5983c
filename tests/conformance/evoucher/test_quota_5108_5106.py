"""5108 直接支付清算额度通知单 / 5106 授权支付清算额度通知单, both flags (no separate 回单 model: a
``VoucherFlag=1`` body keeps the flag in ``Record.meta``).

Field lists followed, repo ``caoyanguo/ITFE``:

* 5108 — ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/Voucher5108MsgServer.java``: header Id, VoucherNo,
  VouDate, TreCode, FinOrgCode, PayAmt, FundTypeCode/Name, PayeeAcctNo/Name/BankName,
  PayAcctNo/Name/BankName, PayBankCode/Name/No, Hold1, Hold2, PayVoucherNo; detail SupDepCode/Name,
  ExpFuncCode/Name, ExpFuncCode1..3/ExpFuncName1..3, ProCatCode/Name, PayAmt, Hold1..4, DirectVoucherNo,
  FundTypeCode/Name, AgencyCode/Name, ExpEcoCode/Name, PayeeAcctNo/Name/BankName.
* 5106 — ``Voucher5106MsgServer.java``: header Id, VoucherNo, VouDate, TreCode, FinOrgCode, PlanAmt,
  ClearVoucherNo, PayAcctNo/Name, PayeeAcctNo/Name, SetMonth, DeptNum, FundTypeCode/Name,
  ClearBankCode/Name, PayBankCode/Name/No, Hold1, Hold2; detail Id, SupDepCode/Name, ExpFuncCode/Name,
  ExpFuncCode1..3/ExpFuncName1..3, ProCatCode/Name, **PlanAmt**, Hold1..4, FundTypeCode/Name,
  AgencyCode/Name, ExpEcoCode/Name, DepProCode/Name, AgencyAccoCode, AgencyBankName.

Both handlers refuse a header total that differs from the sum of the detail amounts. The 回单 of both
carries ``XAcctDate`` 记账日期, filled by 人行
(``ITFECommon/src/com/cfcc/itfe/voucher/service/VoucherUtil.java``), empty on the outgoing notice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from schemas.clearing import QuotaNotice
from tests.conformance.evoucher.itfe import Fields, assert_carries, document, parse_one, problems, replace

HEADER_5108: Fields = [
    ("Id", "Q0001"),
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "5108"),
    ("VoucherNo", "3303245108260000003"),
    ("VouDate", "20260301"),
    ("TreCode", "3303240000"),
    ("FinOrgCode", "330324000"),
    ("PayAmt", "500000.00"),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
    ("PayeeAcctNo", "1203280129000001234"),
    ("PayeeAcctName", "永嘉县财政局零余额账户"),
    ("PayeeAcctBankName", "中国工商银行永嘉支行"),
    ("PayAcctNo", "3303240000000001"),
    ("PayAcctName", "国家金库永嘉县支库"),
    ("PayAcctBankName", "中国人民银行永嘉县支行"),
    ("PayBankCode", "102"),
    ("PayBankName", "中国工商银行永嘉支行"),
    ("PayBankNo", "102333300018"),
    ("Hold1", ""),
    ("Hold2", ""),
    ("PayVoucherNo", ""),
    ("XAcctDate", ""),
]


def detail_5108(sup: tuple[str, str], func: tuple[str, str], amount: str) -> Fields:
    return [
        ("SupDepCode", sup[0]),
        ("SupDepName", sup[1]),
        ("ExpFuncCode", func[0]),
        ("ExpFuncName", func[1]),
        ("ExpFuncCode1", func[0][:3]),
        ("ExpFuncName1", ""),
        ("ExpFuncCode2", func[0][:5]),
        ("ExpFuncName2", ""),
        ("ExpFuncCode3", func[0]),
        ("ExpFuncName3", func[1]),
        ("ProCatCode", "1"),
        ("ProCatName", "一般预算"),
        ("PayAmt", amount),
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
        ("DirectVoucherNo", ""),
        ("FundTypeCode", "1"),
        ("FundTypeName", "一般公共预算"),
        ("AgencyCode", ""),
        ("AgencyName", ""),
        ("ExpEcoCode", ""),
        ("ExpEcoName", ""),
        ("PayeeAcctNo", ""),
        ("PayeeAcctName", ""),
        ("PayeeAcctBankName", ""),
    ]


DETAILS_5108 = [
    detail_5108(("101", "永嘉县教育局"), ("2050202", "小学教育"), "300000.00"),
    detail_5108(("102", "永嘉县卫生健康局"), ("2100302", "乡镇卫生院"), "200000.00"),
]

HEADER_5106: Fields = [
    ("Id", "Q0002"),
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "5106"),
    ("VoucherNo", "5106260000002"),
    ("VouDate", "20260301"),
    ("TreCode", "3303240000"),
    ("FinOrgCode", "330324000"),
    ("PlanAmt", "-5000.00"),
    ("ClearVoucherNo", ""),
    ("PayAcctNo", "3303240000000001"),
    ("PayAcctName", "国家金库永嘉县支库"),
    ("PayeeAcctNo", "1203280129000001234"),
    ("PayeeAcctName", "永嘉县财政局零余额账户"),
    ("SetMonth", "03"),
    ("DeptNum", "2"),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
    ("ClearBankCode", "001"),
    ("ClearBankName", "中国人民银行永嘉县支行"),
    ("PayBankCode", "102"),
    ("PayBankName", "中国工商银行永嘉支行"),
    ("PayBankNo", "102333300018"),
    ("Hold1", ""),
    ("Hold2", ""),
    ("XAcctDate", ""),
]


def detail_5106(index: int, agency: tuple[str, str], amount: str) -> Fields:
    return [
        ("Id", f"QD0{index}"),
        ("SupDepCode", "101"),
        ("SupDepName", "永嘉县教育局"),
        ("ExpFuncCode", "2050202"),
        ("ExpFuncName", "小学教育"),
        ("ExpFuncCode1", "205"),
        ("ExpFuncName1", "教育支出"),
        ("ExpFuncCode2", "20502"),
        ("ExpFuncName2", "普通教育"),
        ("ExpFuncCode3", "2050202"),
        ("ExpFuncName3", "小学教育"),
        ("ProCatCode", "1"),
        ("ProCatName", "一般预算"),
        ("PlanAmt", amount),
        ("Hold1", ""),
        ("Hold2", ""),
        ("Hold3", ""),
        ("Hold4", ""),
        ("FundTypeCode", "1"),
        ("FundTypeName", "一般公共预算"),
        ("AgencyCode", agency[0]),
        ("AgencyName", agency[1]),
        ("ExpEcoCode", "30201"),
        ("ExpEcoName", "办公费"),
        ("DepProCode", ""),
        ("DepProName", ""),
        ("AgencyAccoCode", f"120328012900000567{index}"),
        ("AgencyBankName", "中国工商银行永嘉支行"),
    ]


# a quota can be reduced (5108/5106 负额度, VoucherVerify.java): one line up, one line down
DETAILS_5106 = [
    detail_5106(1, ("101001", "永嘉县瓯北第一小学"), "15000.00"),
    detail_5106(2, ("101002", "永嘉县瓯北第二小学"), "-20000.00"),
]


@pytest.mark.parametrize("flag", ["0", "1"])
def test_5108_direct_payment_quota(flag: str) -> None:
    header = HEADER_5108 if flag == "0" else replace(HEADER_5108, XAcctDate="20260302")
    parsed = parse_one(document(header, DETAILS_5108, flag=flag))
    message = parsed.messages[0]
    assert isinstance(message, QuotaNotice)
    assert_carries(message, header, DETAILS_5108)
    assert message.x_acct_date == (None if flag == "0" else date(2026, 3, 2))
    assert message.total == Decimal("500000.00") and message.plan_amt is None
    assert [d.amount for d in message.details] == [Decimal("300000.00"), Decimal("200000.00")]
    assert message.details[1].exp_func_code2 == "21003" and message.pay_acct_name == "国家金库永嘉县支库"
    assert parsed.records[0].meta.get("VoucherFlag") == ("1" if flag == "1" else None)


@pytest.mark.parametrize("flag", ["0", "1"])
def test_5106_authorised_payment_quota_carries_plan_amt_in_its_details(flag: str) -> None:
    header = HEADER_5106 if flag == "0" else replace(HEADER_5106, XAcctDate="20260302")
    parsed = parse_one(document(header, DETAILS_5106, flag=flag))
    message = parsed.messages[0]
    assert isinstance(message, QuotaNotice)
    assert_carries(message, header, DETAILS_5106)
    assert message.total == Decimal("-5000.00") and message.pay_amt is None
    assert [d.plan_amt for d in message.details] == [Decimal("15000.00"), Decimal("-20000.00")]
    assert all(d.pay_amt is None for d in message.details)
    assert message.dept_num == "2" and message.details[0].agency_acco_code == "1203280129000005671"


def test_5106_detail_with_pay_amt_instead_of_plan_amt_is_refused() -> None:
    lines = [[(("PayAmt" if n == "PlanAmt" else n), t) for n, t in d] for d in DETAILS_5106]
    assert problems(document(HEADER_5106, lines)) == [("[0].details", "detail_amount_field")]


def test_5108_detail_with_plan_amt_instead_of_pay_amt_is_refused() -> None:
    lines = [DETAILS_5108[0], [(("PlanAmt" if n == "PayAmt" else n), t) for n, t in DETAILS_5108[1]]]
    assert problems(document(HEADER_5108, lines)) == [("[0].details", "detail_amount_field")]


def test_5106_total_that_is_not_the_sum_of_the_details_is_refused() -> None:
    fields = replace(HEADER_5106, PlanAmt="-5000.01")
    assert problems(document(fields, DETAILS_5106)) == [("[0].details", "detail_sum_mismatch")]


def test_5106_with_an_impossible_set_month_is_refused() -> None:
    fields = replace(HEADER_5106, SetMonth="13")
    assert problems(document(fields, DETAILS_5106)) == [("[0].set_month", "string_pattern_mismatch")]
