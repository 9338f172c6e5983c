"""The business chain as the pages show it (报文追踪): each step's amount — 指标金额, 凭证金额, 回单 XPayAmt,
清算金额 — and, on each payment voucher, whether the PBOC has cleared it (未清算 when no clearing request or
receipt in the chain lists it); and the 报文追踪 query of a break (its voucher or indicator)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.services.breaks import BreakView
from schemas.money import format_grouped, format_money, parse_sum

AMOUNTS: dict[str, tuple[str, str]] = {
    "indicator": ("amount", "指标金额"),
    "voucher": ("pay_amt", "凭证金额"),
    "receipt": ("x_pay_amt", "实付金额 (XPayAmt)"),
    "refund": ("pay_amt", "退款金额"),
    "clearing": ("pay_amt", "申请清算金额"),
    "clearing_receipt": ("x_pay_amt", "清算金额"),
}
"""Chain stage → (the record field holding its amount, what the amount is)."""

NOT_CLEARED = "未清算"
CLEARING_REQUESTED = "已申请清算"
CLEARED = "已清算"
_TRACE_VALUE_LIMIT = 64


@dataclass(frozen=True)
class ChainStep:
    link: Mapping[str, Any]
    """The trace entry (``gateway.services.trace``)."""
    amount: str | None
    """The step's amount as canonical text (``None``: the step carries none, e.g. 接收回执)."""
    amount_label: str
    clearing: str | None
    """Payment vouchers only: :data:`CLEARED`, :data:`CLEARING_REQUESTED` or :data:`NOT_CLEARED`."""


def _record(link: Mapping[str, Any]) -> Mapping[str, Any]:
    record = link.get("record")
    return record if isinstance(record, Mapping) else {}


def _listed(links: Sequence[Mapping[str, Any]], stage: str) -> set[str]:
    found: set[str] = set()
    for link in links:
        if link.get("stage") != stage:
            continue
        record = _record(link)
        found.update(str(v) for v in record.get("cleared_vouchers") or ())
    return found


def _share(record: Mapping[str, Any], vouchers: set[str]) -> str | None:
    """What a clearing request / receipt clears for the chain's own vouchers (``None``: not listed)."""
    amounts = record.get("cleared_amounts")
    if not isinstance(amounts, Mapping):
        return None
    mine = [parse_sum(str(amount)) for number, amount in amounts.items() if number in vouchers]
    return format_money(sum(mine, Decimal("0.00"))) if mine else None


def chain_rows(chain: Mapping[str, Any]) -> list[ChainStep]:
    """One row per step of a trace (``{"bgt_id" | "voucher_no": …, "chain": [...]}``), oldest first."""
    links: list[Mapping[str, Any]] = list(chain.get("chain") or ())
    requested = _listed(links, "clearing")
    cleared = _listed(links, "clearing_receipt")
    vouchers = {str(_record(link).get("voucher_no")) for link in links if link.get("stage") == "voucher"}
    if chain.get("voucher_no"):
        vouchers.add(str(chain["voucher_no"]))
    rows: list[ChainStep] = []
    for link in links:
        stage = str(link.get("stage"))
        record = _record(link)
        field, label = AMOUNTS.get(stage, ("", "金额"))
        amount = record.get(field) if field else None
        if amount is None and stage not in AMOUNTS:
            amount = record.get("x_pay_amt") or record.get("pay_amt") or record.get("amount")
        if stage in ("clearing", "clearing_receipt") and amount is not None:
            share = _share(record, vouchers)
            if share is not None and share != str(amount):
                whole = format_grouped(parse_sum(str(amount)))
                label = f"{label}：本链路凭证 {format_grouped(parse_sum(share))}，合计 {whole}"
                amount = share
        clearing = None
        if stage == "voucher":
            number = str(record.get("voucher_no") or "")
            clearing = (
                CLEARED if number in cleared else CLEARING_REQUESTED if number in requested else NOT_CLEARED
            )
        rows.append(ChainStep(link, None if amount is None else str(amount), label, clearing))
    return rows


def trace_query(b: BreakView) -> dict[str, str] | None:
    """The 报文追踪 search of a break's chain: its payment voucher, or its indicator (the upper ``BGT_ID``,
    else the lower's own); ``None`` for a break about neither (a quota-balance identity)."""
    detail = b.detail
    if b.kind in ("payments", "statements"):
        key, value = "voucher_no", detail.get("voucher_no")
    else:
        key, value = "bgt_id", detail.get("bgt_id") or detail.get("lower_bgt_id")
    if not value:
        return None
    return {key: str(value)[:_TRACE_VALUE_LIMIT]}
