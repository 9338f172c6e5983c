"""Clearing (清算) between agency banks and the PBOC treasury, and the quota (额度) messages behind it.

E-voucher side (DOMAIN.md §2.3):

* :class:`ClearingRequest` — VtCode 2301 申请划款凭证 / 2302 申请退款凭证, agency bank → 人行.
* :class:`ClearingReceipt` — their 回单 (``VoucherFlag=1``) with ``XPaySndBnkNo``, ``XClearDate``,
  ``XPayAmt`` 汇总清算金额, ``XAddWord``.
* :class:`QuotaNotice` — VtCode 5108 直接支付清算额度通知单 / 5106 授权支付清算额度通知单.

E-voucher field sources (public, read for issue 12; field lists, not code), repo ``caoyanguo/ITFE``:

* 2301 — ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/Voucher2301MsgServer.java``: header ``Id, VouDate,
  TreCode, FinOrgCode, BgtTypeCode/Name, FundTypeCode/Name, PayTypeCode/Name, AgentAcctNo/Name/BankName,
  ClearAcctNo/Name/BankName, PayAmt, PayBankName, PayBankNo, Remark, MoneyCorpCode, XPaySndBnkNo, XAddWord,
  XClearDate, XPayAmt, Hold1/2``; detail ``VoucherNo, SupDepCode/Name, ExpFuncCode/Name, PayAmt,
  PaySummaryName, Hold1..4`` and, in the 划款明细 variant, ``DAVoucherNo, FundTypeCode/Name, AgencyCode/Name,
  ExpEcoCode/Name, PayeeAcctNo/Name/BankName, Remark, AgentBusinessNo, XPayDate, XCheckNo, XPayAmt, XAddWord,
  XPayeeAcctBankName/No/Name, PayDate``. The X-fields are present (empty or filled) on a request too.
* 2302 — ``Voucher2302MsgServer.java`` and ``ITFECommon/src/com/cfcc/itfe/util/transformer/
  VoucherDto2MapFor2302.java``: the 2301 set plus header ``ReturnDate, PayDictateNo, PayMsgNo,
  PayEntrustDate, PaySndBnkNo, TKLX`` (退款类型) and detail ``ReturnDate, OriVoucherNo, OriVouDetailNo,
  PayeeAcctBankNo``. ``VoucherVerify.java`` refuses a 2302 whose amount is not negative ("退款申请金额为负");
  ``VoucherDto2MapFor2302`` writes ``PayAmt``, detail ``PayAmt`` and ``XPayAmt`` as ``-`` sums, and
  ``VoucherUtil.java`` fills the 回单 ``XPayAmt`` as ``0 − |XPayAmt|``: so on a 2302 ``PayAmt`` is negative
  and
  ``XPayAmt`` is never positive (``0`` is what ITFE writes in its stamp-only mode).
* 5108 — ``Voucher5108MsgServer.java``: header ``VoucherNo, VouDate, TreCode, FinOrgCode, PayAmt,
  FundTypeCode/Name, PayeeAcctNo/Name/BankName, PayAcctNo/Name/BankName, PayBankCode/Name/No, Hold1/2,
  PayVoucherNo``; detail ``SupDepCode/Name, ExpFuncCode/Name, ExpFuncCode1..3/ExpFuncName1..3,
  ProCatCode/Name, PayAmt, Hold1..4, DirectVoucherNo, FundTypeCode/Name, AgencyCode/Name, ExpEcoCode/Name,
  PayeeAcctNo/Name/BankName``.
* 5106 — ``Voucher5106MsgServer.java``: header ``VouDate, TreCode, FinOrgCode, PlanAmt, ClearVoucherNo,
  PayAcctNo/Name, PayeeAcctNo/Name, SetMonth, DeptNum, FundTypeCode/Name, ClearBankCode/Name,
  PayBankCode/Name/No, Hold1/2``; detail amount is ``PlanAmt`` (not ``PayAmt``), with ``SupDepCode/Name,
  ExpFuncCode/Name, ExpFuncCode1..3/Name1..3, ProCatCode/Name, Hold1..4, FundTypeCode/Name, AgencyCode/Name,
  ExpEcoCode/Name, DepProCode/Name, AgencyAccoCode, AgencyBankName``. Both handlers require the header total
  to equal the sum of the detail amounts; on the 回单 of both ``VoucherUtil.java`` fills ``XAcctDate``.

PBOC TIPS (CFX) side (DOMAIN.md §3; element names verbatim, including the standard's misspellings
``RransactOrg`` and ``EcnomicSubjectCode``). A CFX package is a batch head plus bills; each canonical message
is one bill *with the batch-head fields copied in*, so that a package parses to a list of self-contained
messages. ``AllNum`` / ``AllAmt`` are control totals the adapter computes and checks.

Field sets and their order are ITFE's (repository ``caoyanguo/ITFE``, the PBOC treasury front end:
``itfeesb/conf/transconfig/itfe_<MsgNo>_java2xml.ftl`` and ``itfe_<MsgNo>_xml2java.xml``); one model serves
two MsgNos whose bills differ, and each MsgNo's own fields are checked (``msgno_fields``):

* :class:`PbocClearingApply` — MsgNo 2201 划款申请 (``BatchHead2201``/``Bill2201``) / 2202 划款申请退回
  (``Head2202``/``Bill2202``, the original payment's Ori* fields and the 支付 keys instead of payer/payee).
* :class:`PbocClearingReceipt` — MsgNo 3143 划款申请回执 (``Bill3143``: ``PayResult``, ``AddWord``) / 3144
  划款申请退回回执 (``BatchReturn3144``: ``Result``, ``Description``). ITFE pairs 2201 → 3143 and
  2202 → 3144 (``Recv3143MsgServer``, ``Recv3144MsgServer``).
* :class:`PbocQuota` — MsgNo 5102 直接支付额度 / 5103 授权支付额度 (bill adds ``BdgOrgCode``, ``OfMonth``;
  detail ``AcctProp`` instead of ``BdgOrgCode``).
* :class:`PbocQuotaReceipt` — MsgNo 3133 / 3134 回执 (ITFE ``RecvDirectMsgServer`` / ``RecvGrantMsgServer``).
* :class:`GeneralReply` — MsgNo 9120 通用应答 (``MsgReturn9120``).
* :class:`ConnectivityTest` — MsgNo 9005 连接性测试: HEAD only, no ``<MSG>`` (``itfe_9005_java2xml.ftl``).

TIPS result code ``90000`` means 处理成功.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from schemas.base import CanonicalModel, is_stored
from schemas.codelists import CodeListRef
from schemas.codes import FiscalYear
from schemas.dates import WireDate
from schemas.divisions import AdmDivCode
from schemas.money import Money, NonNegativeMoney
from schemas.totals import check_count, check_not_empty, check_sum, earlier

TIPS_SUCCESS = "90000"

Text = Annotated[str, Field(min_length=1, max_length=200)]
Opt = str | None
NodeCode = Annotated[str, Field(pattern=r"^\d{12}$")]
"""A 12-digit CFX node / bank number (CNAPS 行号)."""


class ClearingDetail(CanonicalModel):
    """One detail of a 2301/2302: the payment voucher it clears (ITFE ``Voucher2301MsgServer.java``,
    ``Voucher2302MsgServer.java``)."""

    id: Opt = None
    voucher_no: Opt = None  # 支付凭证单号
    return_date: WireDate | None = None  # 退款日期 (2302)
    ori_voucher_no: Opt = None  # 原支付凭证单号 (2302)
    ori_vou_detail_no: Opt = None  # 原支付凭证明细号 (2302)
    sup_dep_code: Opt = None
    sup_dep_name: Opt = None
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    pay_amt: Money
    pay_summary_name: Opt = None
    da_voucher_no: Opt = None  # 支付申请序号 (wire: DAVoucherNo)
    fund_type_code: Opt = None
    fund_type_name: Opt = None
    agency_code: Opt = None
    agency_name: Opt = None
    exp_eco_code: Opt = None
    exp_eco_name: Opt = None
    payee_acct_no: Opt = None
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    payee_acct_bank_no: Opt = None
    remark: Opt = None
    agent_business_no: Opt = None  # 银行交易流水号
    x_pay_date: WireDate | None = None
    x_check_no: Opt = None
    x_pay_amt: Money | None = None
    x_add_word: Opt = None
    x_payee_acct_bank_name: Opt = None
    x_payee_acct_no: Opt = None
    x_payee_acct_name: Opt = None
    pay_date: WireDate | None = None
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None


class _ClearingHeader(CanonicalModel):
    id: Opt = None
    adm_div_code: AdmDivCode
    st_year: FiscalYear
    vt_code: Literal["2301", "2302"]
    vou_date: WireDate
    voucher_no: Text
    tre_code: Text  # 国库主体代码
    fin_org_code: Opt = None  # 财政机关代码
    bgt_type_code: Opt = None
    bgt_type_name: Opt = None
    fund_type_code: Annotated[str | None, CodeListRef("EV_FUND_TYPE")] = None
    fund_type_name: Opt = None
    pay_type_code: Annotated[str, CodeListRef("PAY_TYPE")]
    pay_type_name: Opt = None
    agent_acct_no: Text  # 收款: 代理银行账户
    agent_acct_name: Opt = None
    agent_acct_bank_name: Opt = None
    clear_acct_no: Text  # 付款: 国库存款户
    clear_acct_name: Opt = None
    clear_acct_bank_name: Opt = None
    pay_amt: Money
    return_date: WireDate | None = None  # 退款日期 (2302)
    pay_bank_name: Opt = None
    pay_bank_no: Opt = None
    pay_dictate_no: Opt = None  # 支付交易序号 (2302)
    pay_msg_no: Opt = None  # 支付报文编号 (2302)
    pay_entrust_date: WireDate | None = None  # 支付委托日期 (2302)
    pay_snd_bnk_no: Opt = None  # 支付发起行行号 (2302)
    remark: Opt = None
    money_corp_code: Opt = None  # 金融机构编码
    all_num: int | None = Field(default=None, ge=0)
    x_pay_snd_bnk_no: Opt = None  # 支付发起行行号 (X-fields: 人行 fills them on the 回单)
    x_add_word: Opt = None
    x_clear_date: WireDate | None = None  # 清算日期
    x_pay_amt: Money | None = None  # 汇总清算金额
    hold1: Opt = None
    hold2: Opt = None
    tklx: Opt = None  # 退款类型 (2302; wire: TKLX)

    @field_validator("pay_amt")
    @classmethod
    def _signed_by_type(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        # 2301 申请划款 moves money to the bank and is never negative; a 2302 申请退款 is negative by rule
        # (ITFE VoucherVerify.java: "退款申请金额为负").
        vt_code = earlier(info.data, "vt_code")
        if is_stored(info):  # accepted before the sign rules: read back as it was stored
            return value
        if vt_code == "2301" and value < 0:
            raise PydanticCustomError("amount_negative", "a 2301 申请划款 amount must not be negative")
        if vt_code == "2302" and value >= 0:
            raise PydanticCustomError(
                "amount_not_negative", "a 2302 申请退款 amount must be negative (退款申请金额为负)"
            )
        return value

    @field_validator("x_pay_amt")
    @classmethod
    def _x_signed_by_type(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        vt_code = earlier(info.data, "vt_code")
        if is_stored(info):
            return value
        if value is not None and vt_code == "2301" and value < 0:
            raise PydanticCustomError("amount_negative", "a 2301 XPayAmt must not be negative")
        if value is not None and vt_code == "2302" and value > 0:
            raise PydanticCustomError(
                "amount_not_negative", "a 2302 XPayAmt must not be positive (ITFE writes 0 − |XPayAmt|)"
            )
        return value


def _check_details(cls: Any, value: tuple[ClearingDetail, ...], info: ValidationInfo) -> None:
    check_sum(earlier(info.data, "pay_amt"), (d.pay_amt for d in value), "pay_amt", "details.pay_amt")
    check_count(earlier(info.data, "all_num"), len(value), "all_num")


class ClearingRequest(_ClearingHeader):
    """VtCode 2301 申请划款凭证 / 2302 申请退款凭证 (``VoucherFlag=0``); its X-fields are usually empty."""

    message_type: Literal["clearing_request"] = "clearing_request"
    details: tuple[ClearingDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[ClearingDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        _check_details(cls, value, info)
        return value


class ClearingReceipt(_ClearingHeader):
    """The 回单 of a 2301/2302 (``VoucherFlag=1``): 人行 fills the X-fields; ``XPayAmt`` is required."""

    message_type: Literal["clearing_receipt"] = "clearing_receipt"
    x_pay_amt: Money  # 汇总清算金额
    details: tuple[ClearingDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[ClearingDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        _check_details(cls, value, info)
        return value


class QuotaDetail(CanonicalModel):
    """One line of a 5108/5106 清算额度通知单. The amount is ``PayAmt`` on a 5108 and ``PlanAmt`` on a 5106
    (ITFE ``Voucher5106MsgServer.java``); :attr:`amount` is whichever is present."""

    id: Opt = None
    sup_dep_code: Opt = None
    sup_dep_name: Opt = None
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    exp_func_code1: Opt = None
    exp_func_name1: Opt = None
    exp_func_code2: Opt = None
    exp_func_name2: Opt = None
    exp_func_code3: Opt = None
    exp_func_name3: Opt = None
    pro_cat_code: Opt = None
    pro_cat_name: Opt = None
    pay_amt: Money | None = None  # 5108
    plan_amt: Money | None = None  # 5106
    pay_voucher_no: Opt = None  # 支付凭证号
    direct_voucher_no: Opt = None  # 支付申请序号
    fund_type_code: Opt = None
    fund_type_name: Opt = None
    agency_code: Opt = None
    agency_name: Opt = None
    exp_eco_code: Opt = None
    exp_eco_name: Opt = None
    dep_pro_code: Opt = None
    dep_pro_name: Opt = None
    payee_acct_no: Opt = None
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    agency_acco_code: Opt = None  # 单位零余额账户 (5106)
    agency_bank_name: Opt = None  # 单位零余额账户开户行 (5106)
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None

    @property
    def amount(self) -> Decimal:
        """The line's amount, whichever field carries it."""
        amount = self.pay_amt if self.pay_amt is not None else self.plan_amt
        assert amount is not None  # guaranteed by QuotaNotice validation
        return amount


class QuotaNotice(CanonicalModel):
    """VtCode 5108 直接支付清算额度通知单 (amounts in ``PayAmt``) / 5106 授权支付清算额度通知单 (amounts in
    ``PlanAmt``, header and details, with ``SetMonth``, ``DeptNum`` and ``ClearVoucherNo``). Quota amounts
    are signed: a quota can be reduced (5108负额度, ITFE ``VoucherVerify.java``)."""

    message_type: Literal["quota_notice"] = "quota_notice"
    id: Opt = None
    adm_div_code: AdmDivCode
    st_year: FiscalYear
    vt_code: Literal["5108", "5106"]
    vou_date: WireDate
    voucher_no: Text
    tre_code: Opt = None
    fin_org_code: Opt = None
    pay_amt: Money | None = None
    plan_amt: Money | None = Field(default=None, validate_default=True)
    clear_voucher_no: Opt = None  # 申请划款单号 (5106)
    fund_type_code: Opt = None
    fund_type_name: Opt = None
    payee_acct_no: Opt = None
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    pay_acct_no: Opt = None
    pay_acct_name: Opt = None
    pay_acct_bank_name: Opt = None
    pay_bank_code: Opt = None
    pay_bank_name: Opt = None
    pay_bank_no: Opt = None
    clear_bank_code: Opt = None
    clear_bank_name: Opt = None
    set_month: Annotated[str | None, Field(pattern=r"^(0[1-9]|1[0-2])$")] = None  # 计划月份 (5106)
    dept_num: Annotated[str | None, Field(pattern=r"^[0-9]{1,9}$")] = None  # 一级预算单位数量 (5106)
    agency_acco_code: Opt = None  # 单位零余额账户 (5106)
    pay_voucher_no: Opt = None  # 支付凭证号 / 调整凭证号 (5108)
    x_acct_date: WireDate | None = None  # 记账日期: 人行 fills it on the 回单 (ITFE VoucherUtil.java)
    hold1: Opt = None
    hold2: Opt = None
    details: tuple[QuotaDetail, ...]

    @field_validator("plan_amt")
    @classmethod
    def _right_total_field(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        vt_code, pay_amt = earlier(info.data, "vt_code"), earlier(info.data, "pay_amt")
        if vt_code == "5108" and (pay_amt is None or value is not None):
            raise ValueError("a 5108 carries its total in pay_amt (PayAmt), not plan_amt")
        if vt_code == "5106" and (value is None or pay_amt is not None):
            raise ValueError("a 5106 carries its total in plan_amt (PlanAmt), not pay_amt")
        return value

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[QuotaDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        vt_code = earlier(info.data, "vt_code")
        if vt_code is not None and not is_stored(info):
            _check_detail_amount_field(vt_code, value)
        total = earlier(info.data, "pay_amt")
        if total is None:
            total = earlier(info.data, "plan_amt")
        check_sum(total, (d.amount for d in value), "the total", "details.amount")
        return value

    @property
    def total(self) -> Decimal:
        """The notice's total, whichever field carries it."""
        total = self.pay_amt if self.pay_amt is not None else self.plan_amt
        assert total is not None  # guaranteed by validation
        return total


def _check_detail_amount_field(vt_code: str, details: tuple[QuotaDetail, ...]) -> None:
    """Each detail carries its amount in the field of its type: ``PayAmt`` (5108) or ``PlanAmt`` (5106)."""
    wanted, other = ("pay_amt", "plan_amt") if vt_code == "5108" else ("plan_amt", "pay_amt")
    for index, detail in enumerate(details):
        if getattr(detail, wanted) is None or getattr(detail, other) is not None:
            raise PydanticCustomError(
                "detail_amount_field",
                "detail {index}: a {vt_code} detail carries its amount in {wanted}, not {other}",
                {"index": index, "vt_code": vt_code, "wanted": wanted, "other": other},
            )


# ---- PBOC TIPS (CFX) --------------------------------------------------------------------------------
# Field sets and order: ITFE (caoyanguo/ITFE) itfeesb/conf/transconfig/itfe_<MsgNo>_java2xml.ftl and
# itfe_<MsgNo>_xml2java.xml; the per-MsgNo wire layouts are in adapters/cfx/msgnos.py.


Layouts = Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
"""MsgNo → (fields only other MsgNos carry, fields this MsgNo needs)."""


def _layouts(own: Mapping[str, frozenset[str]], required: Mapping[str, tuple[str, ...]]) -> Layouts:
    """The per-MsgNo checks of one model, from each MsgNo's own fields and its required ones."""
    everything = frozenset().union(*own.values())
    return {
        msg_no: (tuple(sorted(everything - mine)), required.get(msg_no, ())) for msg_no, mine in own.items()
    }


def _only_for(data: Mapping[str, Any], msg_no: str, layouts: Layouts) -> None:
    """Raise ``msgno_fields`` when a field of another MsgNo's layout is set, or a required one is missing."""
    others, needed = layouts[msg_no]
    foreign = [name for name in others if data[name] is not None]
    missing = [name for name in needed if data[name] is None]
    if foreign or missing:
        raise PydanticCustomError(
            "msgno_fields",
            "a {msg_no} {problem}",
            {
                "msg_no": msg_no,
                "problem": "; ".join(
                    ([f"does not carry {', '.join(foreign)}"] if foreign else [])
                    + ([f"needs {', '.join(missing)}"] if missing else [])
                ),
            },
        )


class PbocClearingDetail(CanonicalModel):
    """``Detail2201`` / ``Detail2202``: SeqNo, BdgOrgCode, FuncSbtCode, EcnomicSubjectCode, Amt, AcctProp."""

    seq_no: Annotated[int, Field(ge=1)]
    bdg_org_code: Opt = None  # 预算单位代码
    func_sbt_code: Opt = None  # 功能科目
    ecnomic_subject_code: Opt = None  # [sic] 经济科目
    amt: NonNegativeMoney
    acct_prop: Literal["1", "2"] | None = None  # 账户性质 1 零余额 / 2 小额现金


_APPLY_LAYOUTS = _layouts(
    {
        "2201": frozenset(
            {"payer_acct", "payer_name", "payer_addr", "payee_acct", "payee_name", "payee_addr"}
            | {"payee_opn_bnk_no", "add_word"}
        ),
        "2202": frozenset(
            {
                "ori_tra_no",
                "ori_entrust_date",
                "ori_vou_no",
                "ori_vou_date",
                "ori_payer_acct",
                "ori_payer_name",
            }
            | {"ori_payee_acct", "ori_payee_name", "pay_dictate_no", "pay_msg_no", "pay_entrust_date"}
            | {"pay_snd_bnk_no"}
        ),
    },
    {"2201": ("payer_acct", "payee_acct"), "2202": ("ori_payer_acct", "ori_payee_acct")},
)


class PbocClearingApply(CanonicalModel):
    """One ``Bill2201`` 划款申请 with its ``BatchHead2201`` fields, or one ``Bill2202`` 划款申请退回 with its
    ``Head2202`` fields. The two bills share the TIPS keys and totals; a 2201 names the payer and payee
    (``PayerAcct`` …, ``PayeeOpnBnkNo``, ``AddWord``), a 2202 the original payment it returns
    (``OriTraNo``, ``OriEntrustDate``, ``OriVouNo``, ``OriVouDate``, ``OriPayerAcct``/``Name``,
    ``OriPayeeAcct``/``Name``) and the 支付 keys (``PayDictateNo``, ``PayMsgNo``, ``PayEntrustDate``,
    ``PaySndBnkNo``). Amounts on the CFX wire are never negative: ITFE writes the 2202 ``Amt`` from the
    positive refund amount (``VoucherDto2MapFor2202.java``)."""

    message_type: Literal["pboc_clearing_apply"] = "pboc_clearing_apply"
    msg_no: Literal["2201", "2202"]
    # BatchHead2201 / Head2202
    agent_bnk_code: NodeCode  # 代理银行行号
    fin_org_code: Text
    tre_code: Text
    entrust_date: WireDate
    pack_no: Text
    payout_vou_type: Literal["0", "1"]  # 0 无纸 / 1 有纸
    pay_mode: Opt = None
    # Bill
    tra_no: Text  # 交易流水号
    vou_no: Text
    vou_date: WireDate
    payer_acct: Opt = None  # 2201
    payer_name: Opt = None
    payer_addr: Opt = None
    payee_acct: Opt = None  # 2201
    payee_name: Opt = None
    payee_addr: Opt = None
    payee_opn_bnk_no: Opt = None
    add_word: Opt = None
    ori_tra_no: Opt = None  # 2202: 原交易流水号
    ori_entrust_date: WireDate | None = None  # 2202: 原委托日期
    ori_vou_no: Opt = None  # 2202: 原凭证编号
    ori_vou_date: WireDate | None = None  # 2202: 原凭证日期
    ori_payer_acct: Opt = None  # 2202: 原付款人账号
    ori_payer_name: Opt = None
    ori_payee_acct: Opt = None  # 2202: 原收款人账号
    ori_payee_name: Opt = None
    pay_dictate_no: Opt = None  # 2202: 支付交易序号
    pay_msg_no: Opt = None  # 2202: 支付报文编号
    pay_entrust_date: WireDate | None = None  # 2202: 支付委托日期
    pay_snd_bnk_no: Opt = None  # 2202: 支付发起行行号
    budget_type: Literal["1", "2", "6"]  # 1 预算内 / 2 预算外 / 6 预算内暂存
    trim_sign: Literal["0", "1"]  # 0 本年度 / 1 上年度
    of_year: FiscalYear
    amt: NonNegativeMoney
    stat_inf_num: Annotated[int, Field(ge=0)]
    details: tuple[PbocClearingDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[PbocClearingDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        check_sum(earlier(info.data, "amt"), (d.amt for d in value), "amt", "details.amt")
        check_count(earlier(info.data, "stat_inf_num"), len(value), "stat_inf_num")
        return value

    @model_validator(mode="after")
    def _layout_of_msg_no(self) -> PbocClearingApply:
        _only_for(self.__dict__, self.msg_no, _APPLY_LAYOUTS)
        return self


_RECEIPT_LAYOUTS = _layouts(
    {
        "3143": frozenset(
            {"ori_msg_no", "pay_dictate_no", "pay_msg_no", "pay_entrust_date", "pay_snd_bnk_no", "pay_result"}
            | {"add_word"}
        ),
        "3144": frozenset({"ori_vou_no", "ori_vou_date", "result", "description"}),
    },
    {"3143": ("pay_result",), "3144": ("result",)},
)
PAY_RESULT_SUCCESS = frozenset({TIPS_SUCCESS, "0"})
"""3143 ``PayResult`` values that mean 拨付成功 (ITFE ``Recv3143MsgServer``: 90000, or 0)."""


class PbocClearingReceipt(CanonicalModel):
    """One ``Bill3143`` 划款申请回执 (answers a 2201) or ``BatchReturn3144`` 划款申请退回回执 (answers a
    2202), with its batch-head fields. A 3143 carries ``OriMsgNo``, the 支付 keys (``PayDictateNo``,
    ``PayMsgNo``, ``PayEntrustDate``, ``PaySndBnkNo``), ``PayResult`` 拨付结果 and ``AddWord``; a 3144
    ``OriVouNo``, ``OriVouDate``, ``Result`` and ``Description``. :attr:`result_code` and :attr:`remark`
    read either."""

    message_type: Literal["pboc_clearing_receipt"] = "pboc_clearing_receipt"
    msg_no: Literal["3143", "3144"]
    agent_bnk_code: NodeCode
    fin_org_code: Opt = None
    tre_code: Text
    entrust_date: WireDate
    pack_no: Text
    ori_entrust_date: WireDate
    ori_pack_no: Text
    payout_vou_type: Literal["0", "1"] | None = None
    pay_mode: Opt = None
    vou_no: Text
    ori_msg_no: Annotated[str | None, Field(pattern=r"^\d{4}$")] = None  # 3143: 原报文编号
    vou_date: WireDate
    ori_vou_no: Opt = None  # 3144
    ori_vou_date: WireDate | None = None  # 3144
    ori_tra_no: Text
    pay_dictate_no: Opt = None  # 3143: 支付交易序号
    pay_msg_no: Opt = None  # 3143: 支付报文编号
    pay_entrust_date: WireDate | None = None  # 3143: 支付委托日期
    pay_snd_bnk_no: Opt = None  # 3143: 支付发起行行号
    pay_result: Annotated[str | None, Field(pattern=r"^\d{1,5}$")] = None  # 3143: 拨付结果
    add_word: Opt = None  # 3143: 附言
    acct_date: WireDate | None = None  # 账务日期
    amt: NonNegativeMoney
    result: Annotated[str | None, Field(pattern=r"^\d{5}$")] = None  # 3144: 处理结果
    description: Opt = None  # 3144: 说明

    @model_validator(mode="after")
    def _layout_of_msg_no(self) -> PbocClearingReceipt:
        _only_for(self.__dict__, self.msg_no, _RECEIPT_LAYOUTS)
        return self

    @property
    def result_code(self) -> str:
        """The TIPS answer: ``PayResult`` of a 3143, ``Result`` of a 3144."""
        code = self.pay_result if self.msg_no == "3143" else self.result
        assert code is not None  # guaranteed by validation
        return code

    @property
    def remark(self) -> str | None:
        """The free-text answer: ``AddWord`` of a 3143, ``Description`` of a 3144."""
        return self.add_word if self.msg_no == "3143" else self.description

    @property
    def succeeded(self) -> bool:
        if self.msg_no == "3143":
            return self.result_code in PAY_RESULT_SUCCESS
        return self.result_code == TIPS_SUCCESS


class PbocQuotaDetail(CanonicalModel):
    """``Detail5102`` (SeqNo, BdgOrgCode, FuncBdgSbtCode, EcnomicSubjectCode, Amt) / ``Detail5103`` (SeqNo,
    FuncBdgSbtCode, EcnomicSubjectCode, Amt, AcctProp)."""

    seq_no: Annotated[int, Field(ge=1)]
    bdg_org_code: Opt = None  # 5102
    func_bdg_sbt_code: Opt = None
    ecnomic_subject_code: Opt = None  # [sic]
    amt: Money
    acct_prop: Literal["1", "2"] | None = None  # 5103: 账户性质 1 零余额 / 2 小额现金


_QUOTA_LAYOUTS = _layouts({"5102": frozenset(), "5103": frozenset({"bdg_org_code", "of_month"})}, {})
_QUOTA_DETAIL_LAYOUTS = _layouts({"5102": frozenset({"bdg_org_code"}), "5103": frozenset({"acct_prop"})}, {})


class PbocQuota(CanonicalModel):
    """One ``Bill5102`` 直接支付额度 or ``Bill5103`` 授权支付额度 with its batch-head fields. A 5103 bill adds
    ``BdgOrgCode`` 预算单位 and ``OfMonth`` 所属月份; its details drop ``BdgOrgCode`` and add ``AcctProp``."""

    message_type: Literal["pboc_quota"] = "pboc_quota"
    msg_no: Literal["5102", "5103"]
    tre_code: Text
    bill_org: Text  # 出票单位
    trans_bank_no: Opt = None
    entrust_date: WireDate
    pack_no: Text
    payout_vou_type: Literal["0", "1"]
    tra_no: Text
    vou_no: Text
    vou_date: WireDate
    sum_amt: Money
    bdg_org_code: Opt = None  # 5103: 预算单位代码
    budget_type: Literal["1", "2", "6"]
    of_year: FiscalYear
    of_month: Annotated[str | None, Field(pattern=r"^(0?[1-9]|1[0-2])$")] = None  # 5103: 所属月份
    rransact_org: Opt = None  # [sic] 经办机构
    amt_kind: Literal["0", "1"]  # 0 人行办理直接支付 / 1 商业银行办理支付
    stat_inf_num: Annotated[int, Field(ge=0)]
    details: tuple[PbocQuotaDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[PbocQuotaDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        check_sum(earlier(info.data, "sum_amt"), (d.amt for d in value), "sum_amt", "details.amt")
        check_count(earlier(info.data, "stat_inf_num"), len(value), "stat_inf_num")
        return value

    @model_validator(mode="after")
    def _layout_of_msg_no(self) -> PbocQuota:
        _only_for(self.__dict__, self.msg_no, _QUOTA_LAYOUTS)
        for detail in self.details:
            _only_for(detail.__dict__, self.msg_no, _QUOTA_DETAIL_LAYOUTS)
        return self


class PbocQuotaReceipt(CanonicalModel):
    """One ``BatchReturn3133`` / ``BatchReturn3134`` with its batch-head fields (ITFE
    ``itfe_3133_xml2java.xml`` / ``itfe_3134_xml2java.xml``)."""

    message_type: Literal["pboc_quota_receipt"] = "pboc_quota_receipt"
    msg_no: Literal["3133", "3134"]
    tre_code: Text
    entrust_date: WireDate
    pack_no: Text
    bill_org: Text
    ori_entrust_date: WireDate
    ori_pack_no: Text
    payout_vou_type: Literal["0", "1"] | None = None
    vou_no: Text
    vou_date: WireDate
    ori_tra_no: Text
    sum_amt: Money
    acct_date: WireDate | None = None
    result: Annotated[str, Field(pattern=r"^\d{5}$")]
    description: Opt = None

    @property
    def succeeded(self) -> bool:
        return self.result == TIPS_SUCCESS


class GeneralReply(CanonicalModel):
    """MsgNo 9120 通用应答: ``MsgReturn9120{OriMsgNo, Result, AddWord, Information}``."""

    message_type: Literal["general_reply"] = "general_reply"
    ori_msg_no: Annotated[str, Field(pattern=r"^\d{4}$")]
    result: Annotated[str, Field(pattern=r"^\d{5}$")]
    add_word: Opt = None
    information: Opt = None

    @property
    def succeeded(self) -> bool:
        return self.result == TIPS_SUCCESS


class ConnectivityTest(CanonicalModel):
    """MsgNo 9005 连接性测试. Everything it says is in the CFX ``HEAD``."""

    message_type: Literal["connectivity_test"] = "connectivity_test"


MODELS: tuple[type[CanonicalModel], ...] = (
    ClearingRequest,
    ClearingReceipt,
    QuotaNotice,
    PbocClearingApply,
    PbocClearingReceipt,
    PbocQuota,
    PbocQuotaReceipt,
    GeneralReply,
    ConnectivityTest,
)
