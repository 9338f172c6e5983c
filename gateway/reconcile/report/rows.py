"""Flat, Chinese-labelled rows of an indicator or payment report, shared by the CSV, XLSX and HTML
renderers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary
from gateway.reconcile.money_text import money_or_empty
from gateway.reconcile.payments.report import PAYMENT_BREAK_TYPES, GroupSummary, PaymentBreak

FIELD_LABELS_ZH: dict[str, str] = {
    "BGT_DOC_TITLE": "指标标题",
    "COR_BGT_DOC_NO": "指标文号",
    "DOC_DATE": "发文时间",
    "PRO_CODE": "项目",
    "FUND_TYPE_CODE": "资金性质",
    "TP_FUNC_CODE": "转移支付功能科目",
    "GOV_BGT_ECO_CODE": "政府经济分类",
    "DISTRI_TYPE_CODE": "分配方式",
    "IS_TRACK": "是否追踪",
}

BREAK_HEADERS_ZH: tuple[str, ...] = (
    "上级",
    "下级",
    "年度",
    "差异类型",
    "差异类型代码",
    "指标主键",
    "下级指标主键",
    "指标文号",
    "上级金额",
    "下级金额",
    "差额",
    "差异字段",
    "差异键",
)

ID_HEADERS_ZH: frozenset[str] = frozenset(
    {"上级", "下级", "指标主键", "下级指标主键", "指标文号", "区划", "代理银行", "凭证号"}
)
"""Columns that hold codes and ids (region and bank codes, BGT_IDs, 指标文号, 20-digit voucher numbers):
text that a spreadsheet must not read as a number or a date (see :func:`report_cells.csv_id_cell`)."""


def id_columns(headers: tuple[str, ...]) -> frozenset[int]:
    """The indexes of the id columns among ``headers``."""
    return frozenset(i for i, name in enumerate(headers) if name in ID_HEADERS_ZH)


SUMMARY_HEADERS_ZH: tuple[str, ...] = (
    "上级",
    "下级",
    "年度",
    "结果",
    "上级笔数",
    "下级笔数",
    "上级金额",
    "下级金额",
    *(t.label_zh for t in INDICATOR_BREAK_TYPES),
)


def describe_fields(item: Break) -> str:
    """``指标标题(BGT_DOC_TITLE): 上级=… / 下级=…; …`` — empty when no attribute differs."""
    parts = [
        f"{FIELD_LABELS_ZH.get(f.field, f.field)}({f.field}): 上级={f.upper or ''} / 下级={f.lower or ''}"
        for f in item.fields
    ]
    return "; ".join(parts)


def break_row(item: Break) -> list[str | int]:
    return [
        item.upper,
        item.lower,
        item.fiscal_year,
        item.type.label_zh,
        item.type.value,
        item.bgt_id or "",
        item.lower_bgt_id or "",
        item.doc_no or "",
        money_or_empty(item.upper_amount),
        money_or_empty(item.lower_amount),
        money_or_empty(item.difference),
        describe_fields(item),
        item.key,
    ]


def summary_row(pair: PairSummary) -> list[str | int]:
    return [
        pair.upper,
        pair.lower,
        pair.fiscal_year,
        pair.status,
        pair.upper_count,
        pair.lower_count,
        money_or_empty(pair.upper_amount),
        money_or_empty(pair.lower_amount),
        *(pair.break_counts.get(t, 0) for t in INDICATOR_BREAK_TYPES),
    ]


def all_items(report: IndicatorReport) -> Iterator[Break]:
    """Breaks first, then in-transit items, each in report order."""
    yield from report.breaks
    yield from report.in_transit


# ---- payment reports ------------------------------------------------------------------------------------

PAYMENT_FIELD_LABELS_ZH: dict[str, str] = {
    "CLEARING_NO": "划款凭证号",
    "REFUND_NO": "退款通知单号",
    "PRE_DATE_MONEY": "上期额度余额",
    "CLEAR_AMT": "本期新增清算额度",
    "CUR_RECK_MONEY": "本期已清算额度",
    "CUR_DATE_MONEY": "本期额度余额",
}

PAYMENT_BREAK_HEADERS_ZH: tuple[str, ...] = (
    "区划",
    "代理银行",
    "日期",
    "差异类型",
    "差异类型代码",
    "凭证号",
    "凭证金额",
    "实际支付金额",
    "退款金额",
    "清算金额",
    "差额",
    "说明",
    "差异键",
)

PAYMENT_SUMMARY_HEADERS_ZH: tuple[str, ...] = (
    "区划",
    "代理银行",
    "日期",
    "结果",
    "凭证笔数",
    "凭证金额",
    "回单笔数",
    "实际支付金额",
    "退款笔数",
    "退款金额",
    "清算笔数",
    "清算金额",
    "额度对账行数",
    "待支付",
    "待清算",
    *(t.label_zh for t in PAYMENT_BREAK_TYPES),
)


def describe_payment_fields(item: PaymentBreak) -> str:
    """``划款凭证号(CLEARING_NO): C1, C2; …`` — empty when the break has no details."""
    return "; ".join(
        f"{PAYMENT_FIELD_LABELS_ZH.get(f.field, f.field)}({f.field}): {f.value}" for f in item.fields
    )


def payment_break_row(item: PaymentBreak) -> list[str | int | date]:
    return [
        item.adm_div_code,
        item.bank,
        item.day,
        item.type.label_zh,
        item.type.value,
        item.voucher_no,
        money_or_empty(item.voucher_amount),
        money_or_empty(item.paid_amount),
        money_or_empty(item.refund_amount),
        money_or_empty(item.cleared_amount),
        money_or_empty(item.difference),
        describe_payment_fields(item),
        item.key,
    ]


def payment_summary_row(group: GroupSummary) -> list[str | int | date]:
    return [
        group.adm_div_code,
        group.bank,
        group.day,
        group.status,
        group.voucher_count,
        money_or_empty(group.voucher_amount),
        group.receipt_count,
        money_or_empty(group.paid_amount),
        group.refund_count,
        money_or_empty(group.refund_amount),
        group.clearing_count,
        money_or_empty(group.cleared_amount),
        group.quota_count,
        group.awaiting_payment,
        group.awaiting_clearing,
        *(group.break_counts.get(t, 0) for t in PAYMENT_BREAK_TYPES),
    ]
