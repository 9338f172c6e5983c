"""Payment vouchers, their bank receipts (回单) and the payee bank's refund notices.

* :class:`PaymentVoucher` — VtCode 5201 财政直接支付凭证 / 8202 财政授权支付凭证, with a ``DetailList``.
* :class:`PaymentReceipt` — the same voucher returned by the agency bank as a 回单 (``VoucherFlag=1``)
  with the bank-filled X-fields: ``XPayDate`` 实际支付日期, ``XAgentBusinessNo`` 银行交易流水号,
  ``XPayAmt`` 实际支付金额, ``XAddWord`` 失败原因/附言 …
* :class:`RefundNotice` — VtCode 2252 收款银行退款通知; its ``PayAmt`` is negative by definition.

Field names are the snake_case of the e-voucher element names (DOMAIN.md §2.3: ``VoucherNo`` →
``voucher_no``, ``XPayAmt`` → ``x_pay_amt``, ``MOFDepCode`` → ``mof_dep_code``).

Sources (public, read for issue 12; field lists, not code):

* 5201/8202 header and detail — repo ``caoyanguo/ITFE``,
  ``ITFECommon/src/com/cfcc/itfe/msgmanager/msg/Voucher5201MsgServer.java`` (every ``elementText`` it reads,
  in its reading order, which is the declaration order here): header ``ExpFuncCode1..3``/``ExpFuncName1..3``,
  ``ExpEcoCode1..2``/``ExpEcoName1..2`` and the X-fields ``XPayDate, XAgentBusinessNo, XCheckNo, XPayAmt,
  XPayeeAcctBankName, XPayeeAcctNo, XPayeeAcctName``; detail ``VoucherNo, FundTypeCode/Name,
  BgtTypeCode/Name, ProCatCode/Name, MOFDepCode/Name, FileNoCode/Name, PayeeAcctBankNo``, the same X-fields
  plus ``XAddWord`` (失败原因), ``Hold1..4``. The agency bank fills the X-fields of the 回单
  (``ITFECommon/src/com/cfcc/itfe/voucher/service/VoucherUtil.java``); on an outgoing voucher
  (``VoucherFlag=0``) they are present and empty, so every X-field is optional on both models and only
  ``XPayAmt`` is required on the 回单.
* 2252 — ``Voucher2252MsgServer.java``: header ``OriBillNo, PayTypeCode/Name, OriginalVoucherNo, PayAmt
  (负金额), PayDictateNo, PayMsgNo, PayEntrustDate, PaySndBnkNo, Remark, PayDate, Hold1/2, FundTypeCode/Name``
  and a ``<DetailList>`` of ``Id, VoucherBillId, PayAcctNo/Name/BankName, PayeeAcctNo/Name/BankName,
  PayeeAcctBankNo, PayAmt, Remark, Hold1..4, ExpFuncCode/Name, bkyt`` (拨款用途, lower case on the wire).
  ``VoucherVerify.java`` (``checkValid…``: "退款申请金额为负") requires the 2252 amount to be negative; the
  handler checks that the header equals the sum of the details.

Rules enforced: the header amount equals the sum of the detail amounts; a receipt never reports more paid
than the voucher asked for; 2252 amounts are negative.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from schemas.base import CanonicalModel
from schemas.codelists import CodeListRef
from schemas.codes import FiscalYear
from schemas.dates import WireDate
from schemas.divisions import AdmDivCode
from schemas.money import NegativeMoney, NonNegativeMoney
from schemas.totals import check_not_empty, check_sum, earlier

Text = Annotated[str, Field(min_length=1, max_length=200)]
"""A required, non-empty text field (numbers, codes, names)."""

Opt = str | None


class PaymentDetail(CanonicalModel):
    """One ``<Detail>`` of a 5201/8202 voucher (field list and order: ITFE ``Voucher5201MsgServer.java``)."""

    id: Opt = None
    voucher_bill_id: Opt = None
    voucher_bill_no: Opt = None
    voucher_no: Opt = None  # 支付申请序号
    fund_type_code: Opt = None
    fund_type_name: Opt = None
    bgt_type_code: Opt = None
    bgt_type_name: Opt = None
    pro_cat_code: Opt = None
    pro_cat_name: Opt = None
    pay_kind_code: Opt = None  # 支出类型
    pay_kind_name: Opt = None
    mof_dep_code: Opt = None  # wire: MOFDepCode
    mof_dep_name: Opt = None
    file_no_code: Opt = None
    file_no_name: Opt = None
    sup_dep_code: Opt = None
    sup_dep_name: Opt = None
    agency_code: Opt = None
    agency_name: Opt = None
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    exp_eco_code: Opt = None
    exp_eco_name: Opt = None
    dep_pro_code: Opt = None
    dep_pro_name: Opt = None
    payee_acct_no: Opt = None
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    payee_acct_bank_no: Opt = None  # 收款人银行行号
    pay_amt: NonNegativeMoney
    remark: Opt = None
    x_pay_date: WireDate | None = None  # 实际支付日期 (回单)
    x_agent_business_no: Opt = None  # 银行交易流水号
    x_check_no: Opt = None  # 支票号 (结算号)
    x_pay_amt: NonNegativeMoney | None = None  # 实际支付金额
    x_payee_acct_bank_name: Opt = None
    x_payee_acct_no: Opt = None
    x_payee_acct_name: Opt = None
    x_add_word: Opt = None  # 失败原因
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None

    @field_validator("x_pay_amt")
    @classmethod
    def _paid_within_detail(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        _check_paid_within(value, earlier(info.data, "pay_amt"))
        return value


class PaymentReceiptDetail(PaymentDetail):
    """A detail of a 回单: the bank fills ``XPayAmt`` (and the other X-fields) per detail."""


def _check_paid_within(paid: Decimal | None, asked: object) -> None:
    if paid is not None and isinstance(asked, Decimal) and paid > asked:
        raise PydanticCustomError(
            "paid_exceeds_amount",
            "x_pay_amt {paid} exceeds pay_amt {asked}",
            {"paid": str(paid), "asked": str(asked)},
        )


class _VoucherHeader(CanonicalModel):
    """Header fields shared by a voucher and its 回单 (ITFE ``Voucher5201MsgServer.java``)."""

    id: Opt = None
    adm_div_code: AdmDivCode
    st_year: FiscalYear
    vt_code: Literal["5201", "8202"]
    vou_date: WireDate
    voucher_no: Text
    fund_type_code: Annotated[str, CodeListRef("EV_FUND_TYPE")]
    fund_type_name: Opt = None
    bgt_type_code: Opt = None  # 预算类型
    bgt_type_name: Opt = None
    pay_type_code: Annotated[str, CodeListRef("PAY_TYPE")]
    pay_type_name: Opt = None
    pro_cat_code: Opt = None  # 收支管理
    pro_cat_name: Opt = None
    mof_dep_code: Opt = None  # 业务处室 (wire: MOFDepCode)
    mof_dep_name: Opt = None
    file_no_code: Opt = None  # 指标文号
    file_no_name: Opt = None
    sup_dep_code: Opt = None  # 一级预算单位
    sup_dep_name: Opt = None
    agency_code: Opt = None  # 基层预算单位
    agency_name: Opt = None
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    exp_func_code1: Opt = None  # 支出功能分类 类
    exp_func_name1: Opt = None
    exp_func_code2: Opt = None  # 款
    exp_func_name2: Opt = None
    exp_func_code3: Opt = None  # 项
    exp_func_name3: Opt = None
    exp_eco_code: Opt = None
    exp_eco_name: Opt = None
    exp_eco_code1: Opt = None  # 支出经济分类 类
    exp_eco_name1: Opt = None
    exp_eco_code2: Opt = None  # 款
    exp_eco_name2: Opt = None
    dep_pro_code: Opt = None  # 预算项目
    dep_pro_name: Opt = None
    set_mode_code: Opt = None  # 结算方式
    set_mode_name: Opt = None
    pay_bank_code: Opt = None  # 代理银行
    pay_bank_name: Opt = None
    clear_bank_code: Opt = None  # 清算银行
    clear_bank_name: Opt = None
    payee_acct_no: Text
    payee_acct_name: Text
    payee_acct_bank_name: Opt = None
    payee_acct_bank_no: Opt = None
    pay_acct_no: Text
    pay_acct_name: Opt = None
    pay_acct_bank_name: Opt = None
    pay_summary_code: Opt = None  # 用途
    pay_summary_name: Opt = None
    pay_amt: NonNegativeMoney
    business_type_code: Opt = None
    business_type_name: Opt = None
    check_no: Opt = None
    x_pay_date: WireDate | None = None  # 实际支付日期 (X-fields: filled on the 回单, empty on the voucher)
    x_agent_business_no: Opt = None  # 银行交易流水号
    x_check_no: Opt = None
    x_pay_amt: NonNegativeMoney | None = None  # 实际支付金额
    x_payee_acct_bank_name: Opt = None
    x_payee_acct_no: Opt = None
    x_payee_acct_name: Opt = None
    x_add_word: Opt = None  # 附言 / 失败原因
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None

    @field_validator("x_pay_amt")
    @classmethod
    def _paid_within_voucher(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        _check_paid_within(value, earlier(info.data, "pay_amt"))
        return value


class PaymentVoucher(_VoucherHeader):
    """VtCode 5201 财政直接支付凭证 / 8202 财政授权支付凭证 (``VoucherFlag=0``)."""

    message_type: Literal["payment_voucher"] = "payment_voucher"
    details: tuple[PaymentDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[PaymentDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        check_sum(earlier(info.data, "pay_amt"), (d.pay_amt for d in value), "pay_amt", "details.pay_amt")
        return value


class PaymentReceipt(_VoucherHeader):
    """The agency bank's 回单 for a 5201/8202 voucher (``VoucherFlag=1``) with the X-fields filled."""

    message_type: Literal["payment_receipt"] = "payment_receipt"
    x_pay_amt: NonNegativeMoney  # 实际支付金额: required on the 回单
    details: tuple[PaymentReceiptDetail, ...]

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[PaymentReceiptDetail, ...], info: ValidationInfo) -> Any:
        check_not_empty(value)
        check_sum(earlier(info.data, "pay_amt"), (d.pay_amt for d in value), "pay_amt", "details.pay_amt")
        return value


class RefundDetail(CanonicalModel):
    """One ``<Detail>`` of a 2252 (ITFE ``Voucher2252MsgServer.java``): the original payer and payee of the
    refunded payment detail and the (negative) amount sent back."""

    id: Opt = None  # 原支付明细 Id
    voucher_bill_id: Opt = None
    pay_acct_no: Opt = None  # 原付款人
    pay_acct_name: Opt = None
    pay_acct_bank_name: Opt = None
    payee_acct_no: Opt = None  # 原收款人
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    payee_acct_bank_no: Opt = None
    pay_amt: NegativeMoney  # 退款金额
    remark: Opt = None  # 退款原因
    exp_func_code: Opt = None
    exp_func_name: Opt = None
    bkyt: Opt = None  # 拨款用途 (wire: bkyt, lower case)
    hold1: Opt = None
    hold2: Opt = None
    hold3: Opt = None
    hold4: Opt = None


class RefundNotice(CanonicalModel):
    """VtCode 2252 收款银行退款通知: the payee's bank sends money back; ``pay_amt`` is negative.

    Fields from ITFE ``Voucher2252MsgServer.java``: the real message carries payer and payee in its
    ``<DetailList>``; the header payer/payee fields (*inferred* from the 5201 field set) stay optional.
    ``details`` may be empty (an envelope without a ``DetailList``); when present they add up to
    ``pay_amt``."""

    message_type: Literal["refund_notice"] = "refund_notice"
    id: Opt = None
    adm_div_code: AdmDivCode
    st_year: FiscalYear
    vt_code: Literal["2252"]
    vou_date: WireDate
    voucher_no: Text
    original_voucher_no: Text  # 主支付凭证编号
    ori_bill_no: Opt = None
    fund_type_code: Annotated[str | None, CodeListRef("EV_FUND_TYPE")] = None
    fund_type_name: Opt = None
    pay_type_code: Annotated[str | None, CodeListRef("PAY_TYPE")] = None
    pay_type_name: Opt = None
    payee_acct_no: Opt = None
    payee_acct_name: Opt = None
    payee_acct_bank_name: Opt = None
    pay_acct_no: Opt = None
    pay_acct_name: Opt = None
    pay_acct_bank_name: Opt = None
    pay_dictate_no: Opt = None  # 支付交易序号 (现代化支付系统)
    pay_msg_no: Literal["100", "001"] | None = None  # 大额 100 / 小额 001
    pay_entrust_date: WireDate | None = None
    pay_snd_bnk_no: Opt = None
    pay_date: WireDate | None = None  # 实际退款日期
    pay_amt: NegativeMoney
    remark: Opt = None
    hold1: Opt = None
    hold2: Opt = None
    details: tuple[RefundDetail, ...] = ()

    @field_validator("details")
    @classmethod
    def _details_add_up(cls, value: tuple[RefundDetail, ...], info: ValidationInfo) -> Any:
        if value:
            check_sum(earlier(info.data, "pay_amt"), (d.pay_amt for d in value), "pay_amt", "details.pay_amt")
        return value


MODELS: tuple[type[CanonicalModel], ...] = (PaymentVoucher, PaymentReceipt, RefundNotice)
