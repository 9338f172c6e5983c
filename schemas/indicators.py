"""转移支付指标 (transfer-payment indicators) and the lower level's 接收回执, as canonical messages.

:class:`TransferIndicator` is one row of the 一体化 table ``BA_BGT_INFO`` (DOMAIN.md §1.3) plus the lifecycle
``event`` of that row:

* ``ISSUE`` (下达) — ``amount`` is the amount issued, never negative. A ledger snapshot row (the CSV/XLSX
  reconciliation import) is also an ``ISSUE`` row, and there ``amount`` is the **current net amount** of the
  indicator (issued + adjustments − recalls; zero when fully recalled).
* ``ADJUST`` (调整, ``BA_BGT_ADJSUB``) — ``amount`` is a **signed, non-zero delta**; the indicator adjusted
  is :attr:`~TransferIndicator.changed_bgt_id`: ``in_bgt_id`` (the table's ``BGT_ID``, 调入指标主键, the
  indicator receiving ``ADD_AMOUNT``) when given, else ``ori_bgt_id`` (源指标主键); ``adj_batch_no`` is the
  调整批次号, ``adj_date`` the 调整日期.
* ``RECALL`` (收回) — ``amount`` is the **positive** amount taken back, from the same indicator.

So the net amount the upper level has given a lower level for an indicator is
``ISSUE.amount + Σ ADJUST.amount − Σ RECALL.amount`` (SPEC §8: ISSUE + ADJUST − RECALL).

Cross-field rules (all problems of a message are reported at once, as :class:`ValidationFailed`):

* ``rec_div_code``, when present, must be **strictly below** ``mof_div_code`` and inside its territory
  (province → city, province → county under 省直管县 is allowed, city → county; never sideways or up).
  It is absent on a row a lower level books for an indicator it *received* (that row links upward through
  ``sup_bgt_doc_no`` / ``ori_bgt_id``).
* a transfer ISSUE (``rec_div_code`` present) must name its ``tp_func_code`` (转移支付功能科目, which
  constrains the lower level).
* ``doc_date`` must fall in ``fiscal_year`` − 1 … ``fiscal_year`` + 1 (提前下达 in the previous year and
  清算期 adjustments in the next are normal; anything further is a typo).
* ``ori_bgt_id`` and ``in_bgt_id`` must differ from ``bgt_id``; an ADJUST / RECALL names at least one of
  them; ``in_bgt_id`` and ``adj_date`` belong to adjustment rows only; ``tp_func_code`` is required on an
  ISSUE transfer only (``BA_BGT_ADJSUB`` has no such column). Code-list fields are checked against the list
  in force for (``mof_div_code``, ``fiscal_year``) by the adapters (:func:`schemas.codelists.check_codes`),
  not here: an unknown code is a warning or a refusal by the caller's policy, never a malformed model.

The fields are the columns of ``BaBgtInfoPO`` / ``BaBgtAdjsubPO`` (:mod:`schemas.indicator_columns` names
the source of each).

Code-list values are partly inferred (DOMAIN.md §1.5; the data file names its sources). Text lengths are the
DDL's VARCHAR2 sizes.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints, model_validator

from schemas.base import CanonicalModel
from schemas.codelists import CodeListRef
from schemas.codes import FiscalYear
from schemas.divisions import MofDivCode, division_level
from schemas.errors import Problem, ValidationFailed, short_value
from schemas.money import Money

# Text must survive XML and GBK/UTF-8 round trips: no control characters except TAB and LF (a CR would come
# back from XML as LF), no U+FFFE/U+FFFF; lone surrogates are refused by pydantic itself (string_unicode).
PLAIN_TEXT = r"^[^\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]*$"
Id38 = Annotated[
    str, StringConstraints(min_length=1, max_length=38, pattern=r"^[^\s\x00-\x1f\x7f\ufffe\uffff]+$")
]


def _text(max_length: int) -> object:
    return StringConstraints(min_length=1, max_length=max_length, pattern=PLAIN_TEXT)


def _code_pattern(pattern: str, what: str) -> AfterValidator:
    compiled = re.compile(pattern)
    valid: set[str] = set()  # codes already seen to match (a batch repeats a few); bounded

    def check(value: str) -> str:
        if value in valid:
            return value
        if len(valid) >= 4096:
            valid.clear()
        if compiled.match(value):
            valid.add(value)
        else:
            raise ValueError(f"{what} {value!r} does not match {pattern}")
        return value

    return AfterValidator(check)


def _whole_seconds(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError("times are local (Beijing) time without a zone offset")
    if value.microsecond:
        raise ValueError("times have whole-second precision")
    return value


# 支出功能分类 (类 3 / 款 5 / 项 7 digits, VARCHAR2(13)); always 2xx.
FuncCode = Annotated[str, _code_pattern(r"^2\d{2,12}$", "expenditure function code")]
# 政府预算支出经济分类 (501…599, 3 or 5 digits, VARCHAR2(11)).
GovEcoCode = Annotated[str, _code_pattern(r"^5\d{2}(\d{2}){0,4}$", "government economic code")]
# 部门预算支出经济分类 (301…399, VARCHAR2(20)).
DepEcoCode = Annotated[str, _code_pattern(r"^3\d{2,19}$", "department economic code")]
CreateTime = Annotated[datetime, AfterValidator(_whole_seconds)]
# A reserve number (BA_BGT_INFO PARAM_6…PARAM_10, BigDecimal): not known to be money, kept as its exact text.
DecimalText = Annotated[str, StringConstraints(max_length=40, pattern=r"^-?[0-9]{1,24}(\.[0-9]{1,12})?$")]

YesNo = Annotated[str, CodeListRef("YES_NO")]
FundTypeCode = Annotated[str, StringConstraints(min_length=1, max_length=10), CodeListRef("FUND_TYPE")]
BudgetLevelCode = Annotated[str, StringConstraints(min_length=1, max_length=1), CodeListRef("BUDGET_LEVEL")]
DistriTypeCode = Annotated[str, StringConstraints(min_length=1, max_length=1), CodeListRef("DISTRI_TYPE")]
IsDirCode = Annotated[str, StringConstraints(min_length=1, max_length=2), CodeListRef("IS_DIR")]


class IndicatorEvent(enum.StrEnum):
    """Lifecycle event of a transfer-payment indicator row."""

    ISSUE = "ISSUE"  # 下达
    ADJUST = "ADJUST"  # 调整 (signed delta)
    RECALL = "RECALL"  # 收回 (positive amount taken back)


class ReceiptStatus(enum.StrEnum):
    """接收状态 of an :class:`IndicatorReceipt` (our convention; the standard's value list was NOT FOUND)."""

    ACCEPTED = "1"  # 已接收
    REJECTED = "2"  # 已退回


class TransferIndicator(CanonicalModel):
    """转移支付指标: one ``BA_BGT_INFO`` row (or one ``BA_BGT_ADJSUB`` row for ADJUST / RECALL)."""

    message_type: Literal["transfer_indicator"] = "transfer_indicator"
    event: IndicatorEvent = IndicatorEvent.ISSUE

    bgt_id: Id38
    mof_div_code: MofDivCode
    mof_div_name: Annotated[str, _text(60)] | None = None
    rec_div_code: MofDivCode | None = None
    rec_div_name: Annotated[str, _text(60)] | None = None
    fiscal_year: FiscalYear
    cor_bgt_doc_no: Annotated[str, _text(100)]
    sup_bgt_doc_no: Annotated[str, _text(100)] | None = None
    bgt_doc_title: Annotated[str, _text(360)]
    doc_date: date
    bgt_dec: Annotated[str, _text(360)] | None = None
    pro_code: Annotated[str, _text(21)] | None = None
    pro_name: Annotated[str, _text(360)] | None = None
    fund_type_code: FundTypeCode
    fund_type_name: Annotated[str, _text(60)] | None = None
    exp_func_code: FuncCode | None = None
    exp_func_name: Annotated[str, _text(120)] | None = None
    tp_func_code: FuncCode | None = None
    tp_func_name: Annotated[str, _text(120)] | None = None
    gov_bgt_eco_code: GovEcoCode | None = None
    gov_bgt_eco_name: Annotated[str, _text(120)] | None = None
    dep_bgt_eco_code: DepEcoCode | None = None
    dep_bgt_eco_name: Annotated[str, _text(120)] | None = None
    bgt_type_code: Annotated[str, _text(50)] | None = None
    bgt_type_name: Annotated[str, _text(60)] | None = None
    # DDL says VARCHAR2(1) but a sample value is 12212 (DOMAIN.md §1.5): allow up to 10.
    source_type_code: Annotated[str, _text(10)] | None = None
    source_type_name: Annotated[str, _text(60)] | None = None
    budget_level_code: BudgetLevelCode | None = None
    distri_type_code: DistriTypeCode | None = None
    is_dir: IsDirCode | None = None
    is_track: YesNo | None = None
    amount: Money
    ori_bgt_id: Id38 | None = None
    adj_batch_no: Annotated[str, _text(6)] | None = None
    is_deleted: YesNo | None = None
    create_time: CreateTime | None = None
    # The other BA_BGT_INFO columns (schemas.indicator_columns names the source of each).
    bgt_exe_flag: Annotated[str, _text(1)] | None = None
    track_pro_code: Annotated[str, _text(21)] | None = None
    track_pro_name: Annotated[str, _text(360)] | None = None
    agency_code: Annotated[str, _text(21)] | None = None
    agency_name: Annotated[str, _text(360)] | None = None
    manage_mof_dep_code: Annotated[str, _text(20)] | None = None
    manage_mof_dep_name: Annotated[str, _text(120)] | None = None
    bgt_mof_dep_code: Annotated[str, _text(20)] | None = None
    bgt_mof_dep_name: Annotated[str, _text(120)] | None = None
    is_gov_pur: Annotated[str, _text(1)] | None = None
    update_time: CreateTime | None = None
    dis_amt: Money | None = None
    cur_amt: Money | None = None
    bgt_pman_id: Id38 | None = None
    count_fund_pro_code: Annotated[str, _text(21)] | None = None
    pay_app_amt: Money | None = None
    task_no: Annotated[str, _text(60)] | None = None
    task_name: Annotated[str, _text(360)] | None = None
    spe_pro_code: Annotated[str, _text(21)] | None = None
    spe_pro_name: Annotated[str, _text(360)] | None = None
    # 支付方式: the DDL says VARCHAR2(2), but finance commonly uses 6-digit codes (001001; issue 12).
    pay_type_code: Annotated[str, _text(10)] | None = None
    pay_type_name: Annotated[str, _text(60)] | None = None
    exp_level_code: Annotated[str, _text(2)] | None = None
    exp_level_name: Annotated[str, _text(60)] | None = None
    param_1: Annotated[str, _text(360)] | None = None
    param_2: Annotated[str, _text(360)] | None = None
    param_3: Annotated[str, _text(360)] | None = None
    param_4: Annotated[str, _text(360)] | None = None
    param_5: Annotated[str, _text(360)] | None = None
    param_6: DecimalText | None = None
    param_7: DecimalText | None = None
    param_8: DecimalText | None = None
    param_9: DecimalText | None = None
    param_10: DecimalText | None = None
    # BA_BGT_ADJSUB only: its BGT_ID (调入指标主键, the indicator receiving ADD_AMOUNT) and ADJ_DATE 调整日期.
    in_bgt_id: Id38 | None = None
    adj_date: date | None = None

    @property
    def changed_bgt_id(self) -> str | None:
        """The indicator an ADJUST / RECALL changes: the 调入指标 (``in_bgt_id``) when the row names it, else
        the 源指标 ``ori_bgt_id``; None on an ISSUE."""
        if self.event is IndicatorEvent.ISSUE:
            return None
        return self.in_bgt_id or self.ori_bgt_id

    @model_validator(mode="after")
    def _cross_field_rules(self) -> TransferIndicator:
        problems = indicator_problems(self)
        if problems:
            raise ValidationFailed(problems)
        return self


class IndicatorReceipt(CanonicalModel):
    """接收回执: the lower level (``rec_div_code``) answers an indicator the upper (``mof_div_code``) issued.

    Wire table ``BA_BGT_RECEIPT`` is our convention (the standard's receipt table was NOT FOUND)."""

    message_type: Literal["indicator_receipt"] = "indicator_receipt"
    bgt_id: Id38
    """The upper level's indicator key (its ``BA_BGT_INFO.BGT_ID``)."""
    mof_div_code: MofDivCode
    rec_div_code: MofDivCode
    fiscal_year: FiscalYear
    cor_bgt_doc_no: Annotated[str, _text(100)] | None = None
    """The upper level's 指标文号, for people reading the receipt."""
    rec_status: ReceiptStatus
    rec_bgt_id: Id38 | None = None
    """The lower level's own key for the booked indicator (required when accepted)."""
    reject_reason: Annotated[str, _text(200)] | None = None
    rec_time: CreateTime

    @model_validator(mode="after")
    def _cross_field_rules(self) -> IndicatorReceipt:
        problems = receipt_problems(self)
        if problems:
            raise ValidationFailed(problems)
        return self


MODELS: tuple[type[CanonicalModel], ...] = (TransferIndicator, IndicatorReceipt)
"""The canonical models of this module (collected by :mod:`schemas.messages`)."""


@lru_cache(maxsize=4096)
def _below(upper: str, lower: str) -> bool:
    """Is ``lower`` strictly below ``upper`` and within its territory?"""
    upper_level, lower_level = division_level(upper), division_level(lower)
    order = ["central", "province", "city", "county", "sub_county"]
    if order.index(lower_level) <= order.index(upper_level):
        return False
    if upper_level == "central":
        return True
    significant = {"province": 2, "city": 4, "county": 6}[upper_level]
    return lower[:significant] == upper[:significant]


def _problem(path: str, rule: str, value: object, message: str) -> Problem:
    return Problem(path, rule, short_value(value if not isinstance(value, Decimal) else str(value)), message)


def indicator_problems(m: TransferIndicator) -> list[Problem]:
    """The cross-field rules of a :class:`TransferIndicator` (documented in the module docstring)."""
    out: list[Problem] = []
    if m.rec_div_code is not None:
        if not _below(m.mof_div_code, m.rec_div_code):
            out.append(
                _problem(
                    "rec_div_code",
                    "rec_div_not_below",
                    m.rec_div_code,
                    f"receiving division must be a lower level inside {m.mof_div_code}",
                )
            )
        if m.tp_func_code is None and m.event is IndicatorEvent.ISSUE:  # BA_BGT_ADJSUB has no TP_FUNC_CODE
            out.append(
                _problem(
                    "tp_func_code", "tp_func_required", None, "a transfer to a lower level needs TP_FUNC_CODE"
                )
            )
    if not m.fiscal_year - 1 <= m.doc_date.year <= m.fiscal_year + 1:
        out.append(
            _problem(
                "doc_date",
                "doc_date_out_of_year",
                m.doc_date.isoformat(),
                f"document date must fall within {m.fiscal_year - 1}…{m.fiscal_year + 1}",
            )
        )
    if m.ori_bgt_id is not None and m.ori_bgt_id == m.bgt_id:
        out.append(
            _problem("ori_bgt_id", "self_reference", m.ori_bgt_id, "ORI_BGT_ID must differ from BGT_ID")
        )
    if m.in_bgt_id is not None and m.in_bgt_id == m.bgt_id:
        out.append(_problem("in_bgt_id", "self_reference", m.in_bgt_id, "BGT_ID must differ from ADJ_SUB_ID"))
    if m.event is IndicatorEvent.ISSUE:
        if m.amount < 0:
            out.append(
                _problem("amount", "negative_amount", m.amount, "an issued indicator cannot be negative")
            )
        for name in ("in_bgt_id", "adj_date"):
            if getattr(m, name) is not None:
                out.append(
                    _problem(
                        name, "adjustment_only", getattr(m, name), f"{name} belongs to BA_BGT_ADJSUB rows"
                    )
                )
    else:
        if m.ori_bgt_id is None and m.in_bgt_id is None:
            out.append(
                _problem(
                    "ori_bgt_id",
                    "ori_bgt_id_required",
                    None,
                    f"{m.event} must name the indicator it changes (BGT_ID 调入指标主键 or ORI_BGT_ID)",
                )
            )
        if m.event is IndicatorEvent.ADJUST:
            if m.amount == 0:
                out.append(
                    _problem("amount", "zero_adjustment", m.amount, "an adjustment delta cannot be zero")
                )
            if m.adj_batch_no is None:
                out.append(
                    _problem(
                        "adj_batch_no", "adj_batch_no_required", None, "an adjustment needs ADJ_BATCH_NO"
                    )
                )
        elif m.amount <= 0:
            out.append(
                _problem(
                    "amount",
                    "recall_not_positive",
                    m.amount,
                    "a recall carries the positive amount taken back",
                )
            )
    return out


def receipt_problems(m: IndicatorReceipt) -> list[Problem]:
    """The cross-field rules of an :class:`IndicatorReceipt`."""
    out: list[Problem] = []
    if not _below(m.mof_div_code, m.rec_div_code):
        out.append(
            _problem(
                "rec_div_code",
                "rec_div_not_below",
                m.rec_div_code,
                f"the answering division must be a lower level inside {m.mof_div_code}",
            )
        )
    if m.rec_status is ReceiptStatus.ACCEPTED:
        if m.rec_bgt_id is None:
            out.append(
                _problem("rec_bgt_id", "rec_bgt_id_required", None, "an accepted receipt names REC_BGT_ID")
            )
        if m.reject_reason is not None:
            out.append(
                _problem(
                    "reject_reason", "reason_on_accept", m.reject_reason, "only a rejection carries a reason"
                )
            )
    elif m.reject_reason is None or not m.reject_reason.strip():
        out.append(
            _problem("reject_reason", "reason_required", m.reject_reason, "a rejection must give a reason")
        )
    return out


__all__ = [
    "MODELS",
    "IndicatorEvent",
    "IndicatorReceipt",
    "ReceiptStatus",
    "TransferIndicator",
    "indicator_problems",
    "receipt_problems",
]
