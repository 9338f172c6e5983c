"""Flat, Chinese-labelled rows of an indicator report, shared by the CSV, XLSX and HTML renderers."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break
from gateway.reconcile.indicator_report import IndicatorReport, PairSummary
from gateway.reconcile.money_text import money_or_empty

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
