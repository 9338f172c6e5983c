"""Money as report text: two-decimal strings, never floats."""

from __future__ import annotations

from decimal import Decimal

from schemas.money import format_money


def money_or_none(value: Decimal | None) -> str | None:
    return None if value is None else format_money(value)


def money_or_empty(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)
