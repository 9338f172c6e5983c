"""Break types and the break record: the data the engines produce (SPEC §8; names are part of the interface).

Every break carries a stable ``key`` built from its type, pair, year and what identifies it (the upper
BGT_ID, the lower BGT_ID, the duplicated key or the document group), so a later run that finds the same
break produces the same key. Keys are plain text, fields joined with ``|``::

    AMOUNT_MISMATCH|330000000|330300000|2026|id:B-1
    AMOUNT_MISMATCH|330000000|330300000|2026|doc:浙财预〔2026〕1号|2300409|111
    MISSING_IN_UPPER|330000000|330300000|2026|lower-id:L-9        (a repeated lower BGT_ID gets #2, #3 …)
    DUPLICATE|330000000|330300000|2026|upper-id:B-7 / lower-ori:B-8
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class BreakType(enum.StrEnum):
    """Indicator, payment and statement break types; the values are the wire names."""

    MISSING_IN_LOWER = "MISSING_IN_LOWER"
    MISSING_IN_UPPER = "MISSING_IN_UPPER"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    ATTRIBUTE_MISMATCH = "ATTRIBUTE_MISMATCH"
    DUPLICATE = "DUPLICATE"
    IN_TRANSIT = "IN_TRANSIT"
    UNPAID = "UNPAID"
    PAY_AMOUNT_MISMATCH = "PAY_AMOUNT_MISMATCH"
    NOT_CLEARED = "NOT_CLEARED"
    CLEARED_UNKNOWN = "CLEARED_UNKNOWN"
    DOUBLE_CLEARED = "DOUBLE_CLEARED"
    REFUND_UNMATCHED = "REFUND_UNMATCHED"
    QUOTA_IDENTITY = "QUOTA_IDENTITY"
    STATEMENT_UNKNOWN = "STATEMENT_UNKNOWN"
    STATEMENT_AMOUNT_MISMATCH = "STATEMENT_AMOUNT_MISMATCH"
    STATEMENT_OMITTED = "STATEMENT_OMITTED"
    STATEMENT_TOTALS = "STATEMENT_TOTALS"
    QUOTA_CLEARED_MISMATCH = "QUOTA_CLEARED_MISMATCH"

    @property
    def label_zh(self) -> str:
        """The Chinese name ops read in the reports."""
        return BREAK_LABELS_ZH[self]


BREAK_LABELS_ZH: dict[BreakType, str] = {
    BreakType.MISSING_IN_LOWER: "下级未接收",
    BreakType.MISSING_IN_UPPER: "上级未下达",
    BreakType.AMOUNT_MISMATCH: "金额不一致",
    BreakType.ATTRIBUTE_MISMATCH: "要素不一致",
    BreakType.DUPLICATE: "重复记录",
    BreakType.IN_TRANSIT: "在途",
    BreakType.UNPAID: "未支付",
    BreakType.PAY_AMOUNT_MISMATCH: "支付金额不一致",
    BreakType.NOT_CLEARED: "未清算",
    BreakType.CLEARED_UNKNOWN: "清算无对应凭证",
    BreakType.DOUBLE_CLEARED: "重复清算",
    BreakType.REFUND_UNMATCHED: "退款无对应支付",
    BreakType.QUOTA_IDENTITY: "额度余额不平",
    BreakType.STATEMENT_UNKNOWN: "对账单凭证我方无记录",
    BreakType.STATEMENT_AMOUNT_MISMATCH: "对账单金额不一致",
    BreakType.STATEMENT_OMITTED: "对账单遗漏凭证",
    BreakType.STATEMENT_TOTALS: "对账单合计不符",
    BreakType.QUOTA_CLEARED_MISMATCH: "已清算额度与清算不符",
}

INDICATOR_BREAK_TYPES: tuple[BreakType, ...] = (
    BreakType.DUPLICATE,
    BreakType.AMOUNT_MISMATCH,
    BreakType.ATTRIBUTE_MISMATCH,
    BreakType.MISSING_IN_LOWER,
    BreakType.MISSING_IN_UPPER,
    BreakType.IN_TRANSIT,
)
"""Indicator break types in report order (IN_TRANSIT is reported but is not a break)."""


@dataclass(frozen=True)
class FieldDifference:
    """One compared attribute whose upper and lower values differ (``None`` = empty)."""

    field: str
    upper: str | None
    lower: str | None


@dataclass(frozen=True)
class Break:
    """One indicator break (or in-transit item). Amounts are two-place ``Decimal``; ``difference`` is
    upper − lower and is ``None`` unless both amounts are present."""

    type: BreakType
    key: str
    upper: str
    lower: str
    fiscal_year: int
    bgt_id: str | None
    lower_bgt_id: str | None
    doc_no: str | None
    upper_amount: Decimal | None
    lower_amount: Decimal | None
    difference: Decimal | None
    fields: tuple[FieldDifference, ...] = ()

    def sort_key(self) -> tuple[str, str, int, str]:
        """The deterministic report order: pair, year, then key."""
        return (self.upper, self.lower, self.fiscal_year, self.key)
