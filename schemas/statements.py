"""Reconciliation statements (对账单) exchanged as e-vouchers (DOMAIN.md §2.3).

* :class:`VoucherReconciliationStatement` — VtCode 3501 人民银行与财政凭证对账 / 3502 人民银行与代理银行凭证
  对账: a list of vouchers (``VoucherNo``, ``Amt``, ``ProState``) with control totals ``AllNum``/``AllAmt``.
* :class:`QuotaReconciliationStatement` — VtCode 3510 清算额度对账 and its reply 5510: quota balances
  ``PreDateMoney`` 上期额度余额, ``ClearAmt`` 本期新增清算额度, ``CurReckMoney`` 本期已清算额度,
  ``CurDateMoney`` 本期额度余额, plus the receiver's ``X…`` answers (``XCheckResult``, ``XDiffNum`` …).

Field sources (public, read for issue 12; field lists, not code), repo ``caoyanguo/ITFE``:

* 3501 — ``itfeesb/conf/transconfig/voucher_3501_java2xml.ftl``: header ``AdmDivCode, StYear, VtCode,
  VouDate, VoucherNo, TreCode, ClearBankCode, ClearBankName, CheckDate, EVoucherType, AllNum, AllAmt,
  Hold1..4``; detail ``Id, VoucherNo, Amt, ProState, Hold1, Hold2``.
* 3502 — ``voucher_3502_java2xml.ftl``: as 3501 with ``PayBankCode`` instead of ``ClearBankCode/Name``.
* 3510 — ``voucher_3510_java2xml.ftl`` and ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/
  Voucher3510MsgServer.java``: header ``VoucherCheckNo, ChildPackNum, CurPackNo, TreCode, ClearBankCode/Name,
  ClearAccNo, ClearAccNanme`` (sic: the standard's spelling), ``BeginDate, EndDate``, the four balances
  *only if present* (``<#if Voucher.PreDateMoney?exists>``), ``AllNum, AllAmt, PayTypeCode/Name``, the empty
  X-fields ``XPreDateMoney, XClearAmt, XCurReckMoney, XCurDateMoney, XNoReason, XCheckForPeople``,
  ``Hold1..4``; detail ``Id, SupDepCode/Name, FundTypeCode/Name, PayBankCode/Name, PayBankNo,
  ExpFuncCode/Name, ProCatCode/Name, PayTypeCode/Name``, the four balances, ``XMatch``, ``Hold1..4``.
* 5510 — ``ITFECommon/src/com/cfcc/itfe/util/transformer/VoucherDto2MapFor5510.java`` and
  ``Voucher5510MsgServer.java``: the 3510 header *without* the four balances, plus ``XCheckResult,
  XDiffNum``; detail the 3510 detail plus ``XCheckResult, XCheckReason``. Header balances are therefore
  optional (conditional) on both; :meth:`QuotaReconciliationStatement.balances` falls back to the sums of
  the details when the header leaves them out.

The balance identity ``PreDateMoney + ClearAmt − CurReckMoney = CurDateMoney`` (*inferred*, DOMAIN.md §2.3)
is offered as :meth:`QuotaReconciliationStatement.identity_difference` — a broken identity is a
reconciliation break (``QUOTA_IDENTITY``), not malformed input, so it never fails validation. Control
totals (``AllNum`` = number of details, ``AllAmt`` = sum of ``Amt``) *are* document integrity and do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from schemas.base import CanonicalModel
from schemas.codes import FiscalYear
from schemas.dates import WireDate
from schemas.divisions import AdmDivCode
from schemas.money import Money
from schemas.totals import check_count, check_sum, earlier

Text = Annotated[str, Field(min_length=1, max_length=200)]
Opt = str | None


def balance_identity_difference(
    pre_date_money: Decimal, clear_amt: Decimal, cur_reck_money: Decimal, cur_date_money: Decimal
) -> Decimal:
    """``PreDateMoney + ClearAmt − CurReckMoney − CurDateMoney``: zero when the balance identity holds."""
    return pre_date_money + clear_amt - cur_reck_money - cur_date_money


class VoucherCheckDetail(CanonicalModel):
    id: Opt = None
    voucher_no: Text
    amt: Money
    pro_state: Opt = None  # 处理状态
    hold1: Opt = None
    hold2: Opt = None


class VoucherReconciliationStatement(CanonicalModel):
    """VtCode 3501 / 3502 凭证对账."""

    message_type: Literal["voucher_reconciliation_statement"] = "voucher_reconciliation_statement"
    id: Opt = None
    adm_div_code: AdmDivCode
    st_year: FiscalYear
    vt_code: Literal["3501", "3502"]
    vou_date: WireDate
    voucher_no: Text
    tre_code: Opt = None  # 国库主体代码
    clear_bank_code: Opt = None  # 3501: 人民银行
    clear_bank_name: Opt = None
    pay_bank_code: Opt = None  # 3502: 代理银行
    check_date: WireDate
    e_voucher_type: Opt = None  # 对账的凭证类型 (a VtCode)
    all_num: Annotated[int, Field(ge=0)]
    all_amt: Money
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None
    details: tuple[VoucherCheckDetail, ...] = ()

    @field_validator("details")
    @classmethod
    def _totals(cls, value: tuple[VoucherCheckDetail, ...], info: ValidationInfo) -> Any:
        check_count(earlier(info.data, "all_num"), len(value), "all_num")
        check_sum(earlier(info.data, "all_amt"), (d.amt for d in value), "all_amt", "details.amt")
        return value


class QuotaCheckDetail(CanonicalModel):
    """One balance line per (SupDep, FundType, PayBank, ExpFunc, ProCat, PayType)."""

    id: Opt = None
    sup_dep_code: Opt = None
    sup_dep_name: Opt = None
    fund_type_code: Opt = None
    fund_type_name: Opt = None
    pay_bank_code: Opt = None
    pay_bank_name: Opt = None
    pay_bank_no: Opt = None  # 代理银行行号
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    pro_cat_code: Opt = None
    pro_cat_name: Opt = None
    pay_type_code: Opt = None
    pay_type_name: Opt = None
    pre_date_money: Money
    clear_amt: Money
    cur_reck_money: Money
    cur_date_money: Money
    x_match: Opt = None
    x_check_result: Opt = None
    x_check_reason: Opt = None
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None

    def identity_difference(self) -> Decimal:
        return balance_identity_difference(
            self.pre_date_money, self.clear_amt, self.cur_reck_money, self.cur_date_money
        )


class QuotaReconciliationStatement(CanonicalModel):
    """VtCode 3510 清算额度对账 (人行 → 财政/银行) and 5510 (its 回执, with ``XCheckResult``/``XDiffNum``)."""

    message_type: Literal["quota_reconciliation_statement"] = "quota_reconciliation_statement"
    id: Opt = None
    adm_div_code: AdmDivCode
    st_year: FiscalYear
    vt_code: Literal["3510", "5510"]
    vou_date: WireDate
    voucher_no: Text
    voucher_check_no: Opt = None  # 对账单号
    child_pack_num: Annotated[int, Field(ge=1)] | None = None
    cur_pack_no: Annotated[int, Field(ge=1)] | None = None
    tre_code: Opt = None
    clear_bank_code: Opt = None
    clear_bank_name: Opt = None
    clear_acc_no: Opt = None
    clear_acc_nanme: Opt = None  # 清算账户名称 (wire: ClearAccNanme, sic)
    begin_date: WireDate
    end_date: WireDate
    pre_date_money: Money | None = None  # the header balances are conditional (see the module docstring)
    clear_amt: Money | None = None
    cur_reck_money: Money | None = None
    cur_date_money: Money | None = None
    all_num: Annotated[int, Field(ge=0)]
    all_amt: Money | None = None
    pay_type_code: Opt = None
    pay_type_name: Opt = None
    bgt_type_code: Opt = None
    bgt_type_name: Opt = None
    x_pre_date_money: Money | None = None
    x_clear_amt: Money | None = None
    x_cur_reck_money: Money | None = None
    x_cur_date_money: Money | None = None
    x_no_reason: Opt = None
    x_check_for_people: Opt = None
    x_check_result: Opt = None
    x_diff_num: Annotated[int, Field(ge=0)] | None = None
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None
    details: tuple[QuotaCheckDetail, ...] = ()

    @field_validator("end_date")
    @classmethod
    def _period(cls, value: Any, info: ValidationInfo) -> Any:
        begin = earlier(info.data, "begin_date")
        if begin is not None and value < begin:
            raise ValueError("end_date is before begin_date")
        return value

    @field_validator("details")
    @classmethod
    def _count(cls, value: tuple[QuotaCheckDetail, ...], info: ValidationInfo) -> Any:
        check_count(earlier(info.data, "all_num"), len(value), "all_num")
        return value

    def balances(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """``(PreDateMoney, ClearAmt, CurReckMoney, CurDateMoney)`` of the header; a balance the header
        leaves out (they are conditional: a 5510 never carries them) is the sum of that balance over the
        details (``0.00`` with no details)."""
        own = (self.pre_date_money, self.clear_amt, self.cur_reck_money, self.cur_date_money)
        names = ("pre_date_money", "clear_amt", "cur_reck_money", "cur_date_money")
        zero = Decimal("0.00")
        pre, clear, reck, cur = (
            value if value is not None else sum((getattr(d, name) for d in self.details), zero)
            for value, name in zip(own, names, strict=True)
        )
        return pre, clear, reck, cur

    def identity_difference(self) -> Decimal:
        """Header balance identity: zero when ``PreDateMoney + ClearAmt − CurReckMoney = CurDateMoney``
        (over :meth:`balances`)."""
        return balance_identity_difference(*self.balances())

    @property
    def identity_holds(self) -> bool:
        return self.identity_difference() == 0 and all(d.identity_difference() == 0 for d in self.details)


ReconciliationStatement = VoucherReconciliationStatement | QuotaReconciliationStatement

MODELS: tuple[type[CanonicalModel], ...] = (VoucherReconciliationStatement, QuotaReconciliationStatement)
