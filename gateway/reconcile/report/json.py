"""The JSON reports (issue #5 shape): amounts as 2-decimal strings, fiscal_year an integer, days ISO.

Each break also carries its stable ``key``. ``as_of`` is RFC 3339. Indicators: ``{"kind": "indicators",
"as_of", "pairs", "breaks", "in_transit"}``; payments: ``{"kind": "payments", "as_of", "unpaid_hours",
"uncleared_hours", "groups", "breaks"}``. :func:`indicator_report_from_dict` and
:func:`payment_report_from_dict` rebuild a report from its stored JSON (so a stored run renders to
CSV / XLSX / HTML later).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break, BreakType, FieldDifference
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary
from gateway.reconcile.money_text import money_or_none
from gateway.reconcile.payments.report import (
    PAYMENT_BREAK_TYPES,
    BreakField,
    GroupSummary,
    PaymentBreak,
    PaymentReport,
)
from schemas.money import parse_sum


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


def group_dict(group: GroupSummary) -> dict[str, Any]:
    return {
        "adm_div_code": group.adm_div_code,
        "bank": group.bank,
        "day": group.day.isoformat(),
        "voucher_count": group.voucher_count,
        "voucher_amount": money_or_none(group.voucher_amount),
        "receipt_count": group.receipt_count,
        "paid_amount": money_or_none(group.paid_amount),
        "refund_count": group.refund_count,
        "refund_amount": money_or_none(group.refund_amount),
        "clearing_count": group.clearing_count,
        "cleared_amount": money_or_none(group.cleared_amount),
        "quota_count": group.quota_count,
        "awaiting_payment": group.awaiting_payment,
        "awaiting_clearing": group.awaiting_clearing,
        "status": group.status,
        "break_counts": {t.value: group.break_counts.get(t, 0) for t in PAYMENT_BREAK_TYPES},
    }


def payment_break_dict(item: PaymentBreak) -> dict[str, Any]:
    return {
        "type": item.type.value,
        "key": item.key,
        "adm_div_code": item.adm_div_code,
        "bank": item.bank,
        "day": item.day.isoformat(),
        "voucher_no": item.voucher_no,
        "voucher_amount": money_or_none(item.voucher_amount),
        "paid_amount": money_or_none(item.paid_amount),
        "refund_amount": money_or_none(item.refund_amount),
        "cleared_amount": money_or_none(item.cleared_amount),
        "difference": money_or_none(item.difference),
        "fields": [{"field": f.field, "value": f.value} for f in item.fields],
    }


def payment_report_dict(report: PaymentReport) -> dict[str, Any]:
    return {
        "kind": "payments",
        "as_of": report.as_of.isoformat(),
        "unpaid_hours": int(report.unpaid_window.total_seconds() // 3600),
        "uncleared_hours": int(report.uncleared_window.total_seconds() // 3600),
        "groups": [group_dict(g) for g in report.groups],
        "breaks": [payment_break_dict(b) for b in report.breaks],
    }


def render_json(report: IndicatorReport | PaymentReport) -> bytes:
    """UTF-8 JSON, Chinese kept readable (no ``\\u`` escapes)."""
    data = payment_report_dict(report) if isinstance(report, PaymentReport) else report_dict(report)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _money(value: Any) -> Decimal | None:
    return None if value is None else parse_sum(value)


def _break_from(item: Mapping[str, Any]) -> Break:
    return Break(
        BreakType(item["type"]),
        item["key"],
        item["upper"],
        item["lower"],
        int(item["fiscal_year"]),
        item["bgt_id"],
        item["lower_bgt_id"],
        item["doc_no"],
        _money(item["upper_amount"]),
        _money(item["lower_amount"]),
        _money(item["difference"]),
        tuple(FieldDifference(f["field"], f["upper"], f["lower"]) for f in item["fields"]),
    )


def indicator_report_from_dict(body: Mapping[str, Any], window: timedelta) -> IndicatorReport:
    """The inverse of :func:`report_dict`; ``window`` (the in-transit window) is kept in the run summary."""
    pairs = tuple(
        PairSummary(
            p["upper"],
            p["lower"],
            int(p["fiscal_year"]),
            int(p["upper_count"]),
            int(p["lower_count"]),
            parse_sum(p["upper_amount"]),
            parse_sum(p["lower_amount"]),
            {BreakType(t): int(n) for t, n in p["break_counts"].items()},
        )
        for p in body["pairs"]
    )
    return IndicatorReport(
        datetime.fromisoformat(body["as_of"]),
        window,
        pairs,
        tuple(_break_from(b) for b in body["breaks"]),
        tuple(_break_from(b) for b in body["in_transit"]),
    )


def _group_from(g: Mapping[str, Any]) -> GroupSummary:
    return GroupSummary(
        g["adm_div_code"],
        g["bank"],
        date.fromisoformat(g["day"]),
        voucher_count=int(g["voucher_count"]),
        voucher_amount=parse_sum(g["voucher_amount"]),
        receipt_count=int(g["receipt_count"]),
        paid_amount=parse_sum(g["paid_amount"]),
        refund_count=int(g["refund_count"]),
        refund_amount=parse_sum(g["refund_amount"]),
        clearing_count=int(g["clearing_count"]),
        cleared_amount=parse_sum(g["cleared_amount"]),
        quota_count=int(g["quota_count"]),
        awaiting_payment=int(g["awaiting_payment"]),
        awaiting_clearing=int(g["awaiting_clearing"]),
        break_counts={BreakType(t): int(n) for t, n in g["break_counts"].items()},
    )


def _payment_break_from(b: Mapping[str, Any]) -> PaymentBreak:
    return PaymentBreak(
        BreakType(b["type"]),
        b["key"],
        b["adm_div_code"],
        b["bank"],
        date.fromisoformat(b["day"]),
        b["voucher_no"],
        _money(b["voucher_amount"]),
        _money(b["paid_amount"]),
        _money(b["refund_amount"]),
        _money(b["cleared_amount"]),
        _money(b["difference"]),
        tuple(BreakField(f["field"], f["value"]) for f in b["fields"]),
    )


def payment_report_from_dict(body: Mapping[str, Any]) -> PaymentReport:
    """The inverse of :func:`payment_report_dict`."""
    return PaymentReport(
        datetime.fromisoformat(body["as_of"]),
        timedelta(hours=int(body["unpaid_hours"])),
        timedelta(hours=int(body["uncleared_hours"])),
        tuple(_group_from(g) for g in body["groups"]),
        tuple(_payment_break_from(b) for b in body["breaks"]),
    )
