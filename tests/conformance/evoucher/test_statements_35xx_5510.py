"""3501 / 3502 凭证对账, 3510 清算额度对账 and its 5510 回执, both flags (no separate 回单 model: a
``VoucherFlag=1`` body keeps the flag in ``Record.meta``).

Field lists followed, repo ``caoyanguo/ITFE``:

* 3501 — ``itfeesb/conf/transconfig/voucher_3501_java2xml.ftl``: AdmDivCode, StYear, VtCode, VouDate,
  VoucherNo, TreCode, ClearBankCode, ClearBankName, CheckDate, EVoucherType, AllNum, AllAmt, Hold1..4;
  detail Id, VoucherNo, Amt, ProState, Hold1, Hold2.
* 3502 — ``voucher_3502_java2xml.ftl``: as 3501 with PayBankCode in place of ClearBankCode/Name.
* 3510 — ``voucher_3510_java2xml.ftl``: AdmDivCode, StYear, VtCode, VouDate, VoucherNo, VoucherCheckNo,
  ChildPackNum, CurPackNo, TreCode, ClearBankCode, ClearBankName, ClearAccNo, ClearAccNanme (sic),
  BeginDate, EndDate, [PreDateMoney, ClearAmt, CurReckMoney, CurDateMoney only if present], AllNum, AllAmt,
  PayTypeCode, PayTypeName, XPreDateMoney, XClearAmt, XCurReckMoney, XCurDateMoney, XNoReason,
  XCheckForPeople (all empty), Hold1..4; detail Id, SupDepCode/Name, FundTypeCode/Name, PayBankCode/Name,
  PayBankNo, ExpFuncCode/Name, ProCatCode/Name, PayTypeCode/Name, PreDateMoney, ClearAmt, CurReckMoney,
  CurDateMoney, XMatch (empty), Hold1..4.
* 5510 — ``ITFECommon/src/com/cfcc/itfe/util/transformer/VoucherDto2MapFor5510.java``: AdmDivCode, StYear,
  VtCode, VouDate, VoucherNo, VoucherCheckNo, ChildPackNum, CurPackNo, TreCode, ClearBankCode/Name,
  ClearAccNo, ClearAccNanme, BeginDate, EndDate, AllNum, AllAmt, XCheckResult, XDiffNum, Hold1, Hold2 (no
  header balances); detail as 3510 plus XCheckResult, XCheckReason.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement
from tests.conformance.evoucher.itfe import Fields, assert_carries, document, parse_one, problems, replace

HEADER_3501: Fields = [
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "3501"),
    ("VouDate", "20260318"),
    ("VoucherNo", "3303243501260317001"),
    ("TreCode", "3303240000"),
    ("ClearBankCode", "001"),
    ("ClearBankName", "中国人民银行永嘉县支行"),
    ("CheckDate", "20260317"),
    ("EVoucherType", "5201"),
    ("AllNum", "2"),
    ("AllAmt", "13205.67"),
    ("Hold1", ""),
    ("Hold2", ""),
    ("Hold3", ""),
    ("Hold4", ""),
]

HEADER_3502: Fields = [
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "3502"),
    ("VouDate", "20260318"),
    ("VoucherNo", "3303243502260317001"),
    ("TreCode", "3303240000"),
    ("PayBankCode", "102"),
    ("CheckDate", "20260317"),
    ("EVoucherType", "5201"),
    ("AllNum", "2"),
    ("AllAmt", "13205.67"),
    ("Hold1", ""),
    ("Hold2", ""),
    ("Hold3", ""),
    ("Hold4", ""),
]


def voucher_lines() -> list[Fields]:
    holds: Fields = [("Hold1", ""), ("Hold2", "")]
    return [
        [("Id", "1"), ("VoucherNo", "3303245201260000123"), ("Amt", "12345.67"), ("ProState", "1"), *holds],
        [("Id", "2"), ("VoucherNo", "3303245201260000124"), ("Amt", "860"), ("ProState", "1"), *holds],
    ]


QUOTA_HEAD: Fields = [
    ("AdmDivCode", "330324"),
    ("StYear", "2026"),
    ("VtCode", "3510"),
    ("VouDate", "20260401"),
    ("VoucherNo", "3303243510260331001"),
    ("VoucherCheckNo", "3303243510260331001"),
    ("ChildPackNum", "1"),
    ("CurPackNo", "1"),
    ("TreCode", "3303240000"),
    ("ClearBankCode", "102"),
    ("ClearBankName", "中国工商银行永嘉支行"),
    ("ClearAccNo", "1203280129000001234"),
    ("ClearAccNanme", "永嘉县财政局零余额账户"),
    ("BeginDate", "20260301"),
    ("EndDate", "20260331"),
]
QUOTA_BALANCES: Fields = [
    ("PreDateMoney", "120000.00"),
    ("ClearAmt", "500000.00"),
    ("CurReckMoney", "413205.67"),
    ("CurDateMoney", "206794.33"),
]
QUOTA_TAIL_3510: Fields = [
    ("AllNum", "1"),
    ("AllAmt", "500000.00"),
    ("PayTypeCode", "11"),
    ("PayTypeName", "直接支付"),
    ("XPreDateMoney", ""),
    ("XClearAmt", ""),
    ("XCurReckMoney", ""),
    ("XCurDateMoney", ""),
    ("XNoReason", ""),
    ("XCheckForPeople", ""),
    ("Hold1", ""),
    ("Hold2", ""),
    ("Hold3", ""),
    ("Hold4", ""),
]
QUOTA_LINE: Fields = [
    ("Id", "1"),
    ("SupDepCode", "101"),
    ("SupDepName", "永嘉县教育局"),
    ("FundTypeCode", "1"),
    ("FundTypeName", "一般公共预算"),
    ("PayBankCode", "102"),
    ("PayBankName", "中国工商银行永嘉支行"),
    ("PayBankNo", "102333300018"),
    ("ExpFuncCode", "2050202"),
    ("ExpFuncName", "小学教育"),
    ("ProCatCode", "1"),
    ("ProCatName", "一般预算"),
    ("PayTypeCode", "11"),
    ("PayTypeName", "直接支付"),
    *QUOTA_BALANCES,
]
LINE_3510: Fields = [*QUOTA_LINE, ("XMatch", ""), ("Hold1", ""), ("Hold2", ""), ("Hold3", ""), ("Hold4", "")]
LINE_5510: Fields = [
    *QUOTA_LINE,
    ("XCheckResult", "0"),
    ("XCheckReason", ""),
    ("Hold1", ""),
    ("Hold2", ""),
    ("Hold3", ""),
    ("Hold4", ""),
]
HEADER_3510 = QUOTA_HEAD + QUOTA_BALANCES + QUOTA_TAIL_3510
HEADER_5510: Fields = [
    *replace(QUOTA_HEAD, VtCode="5510", VouDate="20260402"),
    ("AllNum", "1"),
    ("AllAmt", "500000.00"),
    ("XCheckResult", "0"),
    ("XDiffNum", "0"),
    ("Hold1", ""),
    ("Hold2", ""),
]


@pytest.mark.parametrize("flag", ["0", "1"])
@pytest.mark.parametrize("header", [HEADER_3501, HEADER_3502], ids=["3501", "3502"])
def test_voucher_reconciliation(header: Fields, flag: str) -> None:
    lines = voucher_lines()
    parsed = parse_one(document(header, lines, flag=flag))
    message = parsed.messages[0]
    assert isinstance(message, VoucherReconciliationStatement)
    assert_carries(message, header, lines)
    assert message.all_amt == Decimal("13205.67") and message.details[1].amt == Decimal("860.00")
    assert message.tre_code == "3303240000"
    assert parsed.records[0].meta.get("VoucherFlag") == ("1" if flag == "1" else None)


@pytest.mark.parametrize("flag", ["0", "1"])
def test_3510_with_header_balances_and_empty_x_fields(flag: str) -> None:
    message = parse_one(document(HEADER_3510, [LINE_3510], flag=flag)).messages[0]
    assert isinstance(message, QuotaReconciliationStatement)
    assert_carries(message, HEADER_3510, [LINE_3510])
    assert (
        message.clear_acc_nanme == "永嘉县财政局零余额账户"
        and message.details[0].pay_bank_no == "102333300018"
    )
    assert message.identity_holds and message.x_pre_date_money is None


def test_3510_without_header_balances_takes_them_from_the_details() -> None:
    header = QUOTA_HEAD + QUOTA_TAIL_3510  # the ftl writes the header balances only <#if …?exists>
    message = parse_one(document(header, [LINE_3510])).messages[0]
    assert isinstance(message, QuotaReconciliationStatement)
    assert_carries(message, header, [LINE_3510])
    assert message.pre_date_money is None
    assert message.balances() == tuple(Decimal(text) for _, text in QUOTA_BALANCES)


@pytest.mark.parametrize("flag", ["0", "1"])
def test_5510_reply_without_header_balances(flag: str) -> None:
    message = parse_one(document(HEADER_5510, [LINE_5510], flag=flag)).messages[0]
    assert isinstance(message, QuotaReconciliationStatement)
    assert_carries(message, HEADER_5510, [LINE_5510])
    assert message.vt_code == "5510" and message.x_check_result == "0" and message.x_diff_num == 0
    assert message.cur_date_money is None and message.balances()[3] == Decimal("206794.33")
    assert message.identity_holds


def test_voucher_reconciliation_whose_count_lies_is_refused() -> None:
    header = replace(HEADER_3501, AllNum="3")
    assert problems(document(header, voucher_lines())) == [("[0].details", "detail_count_mismatch")]


def test_voucher_reconciliation_whose_total_lies_is_refused() -> None:
    header = replace(HEADER_3502, AllAmt="13205.00")
    assert problems(document(header, voucher_lines())) == [("[0].details", "detail_sum_mismatch")]


def test_quota_reconciliation_with_a_full_width_amount_is_refused() -> None:
    line = replace(LINE_5510, ClearAmt="５００000.00")
    assert problems(document(HEADER_5510, [line])) == [("[0].details[0].clear_amt", "amount_not_ascii")]


def test_quota_reconciliation_whose_period_ends_before_it_begins_is_refused() -> None:
    header = replace(HEADER_3510, EndDate="20260228")
    assert problems(document(header, [LINE_3510])) == [("[0].end_date", "value_error")]
