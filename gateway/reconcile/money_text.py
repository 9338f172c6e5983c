"""Money as report text: two-decimal strings, never floats.

:func:`money_or_empty` answers an :class:`AmountText` — still a ``str`` — so the spreadsheet writers know
an amount cell from a text cell: an amount (``-10.00``) is a number for the reader and is written as is,
while a text cell that starts like a formula is neutralised (:mod:`gateway.reconcile.report.cells`).
"""

from __future__ import annotations

from decimal import Decimal

from schemas.money import format_money


class AmountText(str):
    """The canonical text of an amount (``-1234.50``), made only by :func:`money_or_empty`."""

    __slots__ = ()


def money_or_none(value: Decimal | None) -> str | None:
    return None if value is None else format_money(value)


def money_or_empty(value: Decimal | None) -> str:
    return AmountText("" if value is None else format_money(value))
