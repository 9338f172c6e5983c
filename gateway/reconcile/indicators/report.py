"""The result of one indicator reconciliation run: pair summaries, breaks and in-transit items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break, BreakType

STATUS_AGREE = "一致"
STATUS_DISAGREE = "不一致"


@dataclass(frozen=True)
class PairSummary:
    """Totals of one (upper, lower, fiscal year) pair over the rows that are not IS_DELETED = 1."""

    upper: str
    lower: str
    fiscal_year: int
    upper_count: int
    lower_count: int
    upper_amount: Decimal
    lower_amount: Decimal
    break_counts: Mapping[BreakType, int]

    @property
    def status(self) -> str:
        """一致 when the pair has no break (IN_TRANSIT is not a break), else 不一致."""
        broken = any(n for t, n in self.break_counts.items() if t is not BreakType.IN_TRANSIT)
        return STATUS_DISAGREE if broken else STATUS_AGREE


@dataclass(frozen=True)
class IndicatorReport:
    """``breaks`` and ``in_transit`` are in deterministic order (pair, year, key)."""

    as_of: datetime
    in_transit_window: timedelta
    pairs: tuple[PairSummary, ...]
    breaks: tuple[Break, ...]
    in_transit: tuple[Break, ...]

    @property
    def consistent(self) -> bool:
        """True when every pair is 一致."""
        return all(p.status == STATUS_AGREE for p in self.pairs)


def empty_counts() -> dict[BreakType, int]:
    """A zero count for every indicator break type, in report order."""
    return dict.fromkeys(INDICATOR_BREAK_TYPES, 0)
