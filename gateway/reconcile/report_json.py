"""The JSON indicator report (issue #5 shape): amounts as 2-decimal strings, fiscal_year an integer.

Each break also carries its stable ``key``. ``as_of`` is RFC 3339.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break
from gateway.reconcile.indicator_report import IndicatorReport, PairSummary
from gateway.reconcile.money_text import money_or_none


def pair_dict(pair: PairSummary) -> dict[str, Any]:
    return {
        "upper": pair.upper,
        "lower": pair.lower,
        "fiscal_year": pair.fiscal_year,
        "upper_count": pair.upper_count,
        "lower_count": pair.lower_count,
        "upper_amount": money_or_none(pair.upper_amount),
        "lower_amount": money_or_none(pair.lower_amount),
        "status": pair.status,
        "break_counts": {t.value: pair.break_counts.get(t, 0) for t in INDICATOR_BREAK_TYPES},
    }


def break_dict(item: Break) -> dict[str, Any]:
    return {
        "type": item.type.value,
        "key": item.key,
        "upper": item.upper,
        "lower": item.lower,
        "fiscal_year": item.fiscal_year,
        "bgt_id": item.bgt_id,
        "lower_bgt_id": item.lower_bgt_id,
        "doc_no": item.doc_no,
        "upper_amount": money_or_none(item.upper_amount),
        "lower_amount": money_or_none(item.lower_amount),
        "difference": money_or_none(item.difference),
        "fields": [{"field": f.field, "upper": f.upper, "lower": f.lower} for f in item.fields],
    }


def report_dict(report: IndicatorReport) -> dict[str, Any]:
    return {
        "kind": "indicators",
        "as_of": report.as_of.isoformat(),
        "pairs": [pair_dict(p) for p in report.pairs],
        "breaks": [break_dict(b) for b in report.breaks],
        "in_transit": [break_dict(b) for b in report.in_transit],
    }


def render_json(report: IndicatorReport) -> bytes:
    """UTF-8 JSON, Chinese kept readable (no ``\\u`` escapes)."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
