"""Clearing (清算) between agency banks and the PBOC treasury, and the quota (额度) messages behind it.

E-voucher side (DOMAIN.md §2.3):

* :class:`ClearingRequest` — VtCode 2301 申请划款凭证 / 2302 申请退款凭证, agency bank → 人行.
* :class:`ClearingReceipt` — their 回单 (``VoucherFlag=1``) with ``XPaySndBnkNo``, ``XClearDate``,
  ``XPayAmt`` 汇总清算金额, ``XAddWord``.
* :class:`QuotaNotice` — VtCode 5108 直接支付清算额度通知单 / 5106 授权支付清算额度通知单.

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

from schemas.base import CanonicalModel
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
    """One detail of a 2301/2302: the payment voucher it clears."""

    id: Opt = None
    voucher_no: Opt = None  # 支付凭证单号
    sup_dep_code: Opt = None
    sup_dep_name: Opt = None
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    pay_amt: Money
    pay_summary_name: Opt = None
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
    pay_bank_name: Opt = None
    pay_bank_no: Opt = None
    remark: Opt = None
    money_corp_code: Opt = None  # 金融机构编码
    all_num: int | None = Field(default=None, ge=0)
    hold1: Opt = None
    hold2: Opt = None

    @field_validator("pay_amt")
    @classmethod
    def _no_negative_transfer(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        # 2301 申请划款 moves money to the bank and is never negative; 2302 申请退款 may carry either sign
        # in the field (negative amounts are how refunds appear in the bank systems — inferred).
        if earlier(info.data, "vt_code") == "2301" and value < 0:
            raise ValueError("a 2301 申请划款 amount must not be negative")
        return value


def _check_details(cls: Any, value: tuple[ClearingDetail, ...], info: ValidationInfo) -> None:
    check_sum(earlier(info.data, "pay_amt"), (d.pay_amt for d in value), "pay_amt", "details.pay_amt")
    check_count(earlier(info.data, "all_num"), len(value), "all_num")


class ClearingRequest(_ClearingHeader):
    """VtCode 2301 申请划款凭证 / 2302 申请退款凭证 (``VoucherFlag=0``)."""

    message_type: Literal["clearing_request"] = "clearing_request"
    details: tuple[ClearingDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[ClearingDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        _check_details(cls, value, info)
        return value


class ClearingReceipt(_ClearingHeader):
    """The 回单 of a 2301/2302 (``VoucherFlag=1``): 人行 fills the X-fields."""

    message_type: Literal["clearing_receipt"] = "clearing_receipt"
    x_pay_snd_bnk_no: Opt = None  # 支付发起行行号
    x_add_word: Opt = None
    x_clear_date: WireDate | None = None  # 清算日期
    x_pay_amt: Money  # 汇总清算金额
    details: tuple[ClearingDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[ClearingDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        _check_details(cls, value, info)
        return value


class QuotaDetail(CanonicalModel):
    """One line of a 5108/5106 清算额度通知单."""

    id: Opt = None
    sup_dep_code: Opt = None
    sup_dep_name: Opt = None
    agency_code: Opt = None
    agency_name: Opt = None
    fund_type_code: Opt = None
    fund_type_name: Opt = None
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    exp_eco_code: Opt = None
    exp_eco_name: Opt = None
    pro_cat_code: Opt = None
    pro_cat_name: Opt = None
    dep_pro_code: Opt = None
    dep_pro_name: Opt = None
    payee_acct_no: Opt = None
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    pay_voucher_no: Opt = None  # 支付凭证号
    direct_voucher_no: Opt = None  # 支付申请序号
    pay_amt: Money


class QuotaNotice(CanonicalModel):
    """VtCode 5108 直接支付清算额度通知单 (total in ``PayAmt``) / 5106 授权支付清算额度通知单 (total in
    ``PlanAmt``, with ``SetMonth`` and ``AgencyAccoCode``). Quota amounts are signed: a quota can be reduced
    (额度调减 — inferred). Detail amounts are ``PayAmt`` for both (inferred)."""

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
    pay_bank_code: Opt = None
    pay_bank_name: Opt = None
    pay_bank_no: Opt = None
    clear_bank_code: Opt = None
    clear_bank_name: Opt = None
    set_month: Annotated[str | None, Field(pattern=r"^(0[1-9]|1[0-2])$")] = None  # 计划月份 (5106)
    agency_acco_code: Opt = None  # 单位零余额账户 (5106)
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
        total = earlier(info.data, "pay_amt")
        if total is None:
            total = earlier(info.data, "plan_amt")
        check_sum(total, (d.pay_amt for d in value), "the total", "details.pay_amt")
        return value

    @property
    def total(self) -> Decimal:
        """The notice's total, whichever field carries it."""
        total = self.pay_amt if self.pay_amt is not None else self.plan_amt
        assert total is not None  # guaranteed by validation
        return total


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
