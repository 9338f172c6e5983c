"""Control totals shared by the payment-family models: a header amount must equal the sum of its
details, a count field must equal the number of details. Used from field validators so the problem
carries the field path (``[2].details``) and a specific rule name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sized
from decimal import Decimal
from typing import Any

from pydantic_core import PydanticCustomError

from schemas.money import format_money


def check_sum(total: object, parts: Iterable[Decimal], total_name: str, parts_name: str) -> None:
    """Raise ``detail_sum_mismatch`` unless ``total`` (a ``Decimal``; skipped if it is not one because its
    own validation already failed) equals the sum of ``parts``."""
    if not isinstance(total, Decimal):
        return
    summed = sum(parts, Decimal("0.00"))
    if summed != total:
        raise PydanticCustomError(
            "detail_sum_mismatch",
            "the sum of {parts_name} is {summed} but {total_name} is {total}",
            {
                "parts_name": parts_name,
                "summed": format_money(summed),
                "total_name": total_name,
                "total": format_money(total),
            },
        )


def check_count(count: object, actual: int, count_name: str) -> None:
    """Raise ``detail_count_mismatch`` unless the declared ``count`` (an ``int``) equals ``actual``."""
    if isinstance(count, int) and count != actual:
        raise PydanticCustomError(
            "detail_count_mismatch",
            "{count_name} says {count} but there are {actual} details",
            {"count_name": count_name, "count": count, "actual": actual},
        )


def check_not_empty(details: Sized) -> None:
    """Raise ``no_details`` for an empty detail list (checked only once every detail is valid, so a bad
    detail is not reported twice)."""
    if len(details) == 0:
        raise PydanticCustomError("no_details", "at least one detail is required")


def earlier(data: Mapping[str, Any], name: str) -> Any:
    """A field validated before this one (``ValidationInfo.data``), or None if it failed or is absent."""
    return data.get(name)
