"""The result of one statement reconciliation: one summary per statement and the breaks.

Breaks carry a stable ``key`` — ``TYPE|adm|vt|bank|day|ident``: ``bank`` is the 3502's ``PayBankCode``
(``""`` for a 3501, which covers the whole division; a 3510 line: its bank), ``day`` the ``CheckDate``
(3510: ``EndDate``), ident ``<source>:<VoucherNo>`` for a listed or held voucher (source ``R`` = paid
vouchers, ``V`` = cleared payment vouchers, ``C2301`` / ``C2302`` = clearing documents), ``statement:<no>``
(control totals), ``quota:<no>#<line>`` (balance identity) and ``quota:<no>`` (cleared total).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from gateway.reconcile.breaks import BreakType
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE
from gateway.reconcile.payments.report import BreakField
from schemas.money import format_money, from_fen

STATEMENT_BREAK_TYPES: tuple[BreakType, ...] = (
    BreakType.STATEMENT_UNKNOWN,
    BreakType.STATEMENT_AMOUNT_MISMATCH,
    BreakType.STATEMENT_OMITTED,
    BreakType.STATEMENT_TOTALS,
    BreakType.QUOTA_IDENTITY,
    BreakType.QUOTA_CLEARED_MISMATCH,
)
"""Statement break types in report order."""

SOURCE_LABELS_ZH: dict[str, str] = {
    "R": "代理银行支付（回单）",
    "V": "人行清算（按支付凭证）",
    "C2301": "申请划款凭证 2301",
    "C2302": "申请退款凭证 2302",
}
"""What a 3501 / 3502 is compared with (see :mod:`gateway.reconcile.statements.reference`)."""


@dataclass(frozen=True)
class StatementBreak:
    """One break. Amounts are two-place ``Decimal`` or ``None`` when the side is absent:
    ``statement_amount`` (what the statement says: the details' ``Amt``; totals: ``AllAmt``; 3510:
    ``CurReckMoney``), ``held_amount`` (what the gateway holds: paid / cleared that day; totals: the sum of
    the details; 3510: the day's net clearing); ``difference`` = statement − held (identity: PreDateMoney +
    ClearAmt − CurReckMoney − CurDateMoney)."""

    type: BreakType
    key: str
    adm_div_code: str
    vt_code: str
    bank: str
    day: date
    statement_no: str
    voucher_no: str
    statement_amount: Decimal | None
    held_amount: Decimal | None
    difference: Decimal | None
    fields: tuple[BreakField, ...] = ()

    def sort_key(self) -> tuple[str, str, date, str, str]:
        return (self.adm_div_code, self.vt_code, self.day, self.bank, self.key)


@dataclass(frozen=True)
class StatementSummary:
    """One statement: what it declares and what its details / lines add up to.

    3501 / 3502: ``declared_count`` / ``declared_amount`` = ``AllNum`` / ``AllAmt``, ``line_count`` /
    ``line_amount`` = the details' count and ``Amt`` sum. 3510 / 5510: ``declared_count`` = ``line_count``
    = its detail lines, ``declared_amount`` None, ``line_amount`` = the header's ``CurReckMoney``."""

    adm_div_code: str
    vt_code: str
    statement_no: str
    day: date
    bank: str
    e_voucher_type: str
    declared_count: int
    declared_amount: Decimal | None
    line_count: int
    line_amount: Decimal
    break_counts: Mapping[BreakType, int]

    @property
    def status(self) -> str:
        return STATUS_DISAGREE if any(self.break_counts.values()) else STATUS_AGREE

    def sort_key(self) -> tuple[str, str, date, str]:
        return (self.adm_div_code, self.vt_code, self.day, self.statement_no)


@dataclass(frozen=True)
class StatementReport:
    as_of: datetime
    statements: tuple[StatementSummary, ...]
    breaks: tuple[StatementBreak, ...]

    @property
    def consistent(self) -> bool:
        return not self.breaks


def empty_statement_counts() -> dict[BreakType, int]:
    return dict.fromkeys(STATEMENT_BREAK_TYPES, 0)


# ---- shared assembly: both engines hand over the same plain tuples, amounts in integer fen -------------

FoundRow = tuple[
    str,  # type
    str,  # adm_div_code
    str,  # vt_code
    str,  # bank
    date,  # day
    str,  # statement_no (the first listing it; OMITTED: the first of the group)
    str,  # ident
    str,  # voucher_no
    int | None,  # statement amount
    int | None,  # held amount
    int | None,  # difference
    list[str] | None,  # the statements listing it (sorted)
    list[str] | None,  # its ProState values (sorted, distinct, "" = none)
    tuple[int, int] | None,  # AllNum, number of details (STATEMENT_TOTALS)
    tuple[int, int, int, int] | None,  # PreDateMoney, ClearAmt, CurReckMoney, CurDateMoney (QUOTA_*)
]
"""One break as an engine finds it."""

SummaryRow = tuple[str, str, str, date, str, str, int, int | None, int, int]
"""(adm, vt, statement no, day, bank, EVoucherType, declared count, declared fen, line count, line fen)."""

_QUOTA_FIELDS = ("PRE_DATE_MONEY", "CLEAR_AMT", "CUR_RECK_MONEY", "CUR_DATE_MONEY")


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else from_fen(fen)


def build_break(row: FoundRow) -> StatementBreak:
    kind, adm, vt, bank, day, statement_no, ident, voucher_no, sa, ha, diff, nos, states, counts, quota = row
    fields: list[BreakField] = []
    if nos is not None:
        fields.append(BreakField("STATEMENT_NO", ", ".join(nos)))
    if states is not None and any(states):
        fields.append(BreakField("PRO_STATE", ", ".join(s for s in states if s)))
    if counts is not None:
        fields.append(BreakField("ALL_NUM", str(counts[0])))
        fields.append(BreakField("DETAIL_NUM", str(counts[1])))
    if quota is not None:
        fields.extend(
            BreakField(n, format_money(from_fen(v))) for n, v in zip(_QUOTA_FIELDS, quota, strict=True)
        )
    source = ident.split(":", 1)[0]
    if source in SOURCE_LABELS_ZH:
        fields.append(BreakField("SOURCE", source))
    return StatementBreak(
        BreakType(kind),
        f"{kind}|{adm}|{vt}|{bank}|{day.isoformat()}|{ident}",
        adm,
        vt,
        bank,
        day,
        statement_no,
        voucher_no,
        _yuan(sa),
        _yuan(ha),
        _yuan(diff),
        tuple(fields),
    )


def assemble_report(as_of: datetime, summaries: list[SummaryRow], found: list[FoundRow]) -> StatementReport:
    """Sort statements and breaks into the report's deterministic order and count breaks per statement."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    breaks = sorted((build_break(r) for r in found), key=StatementBreak.sort_key)
    counts: dict[tuple[str, str, str], dict[BreakType, int]] = {}
    for item in breaks:
        key = (item.adm_div_code, item.vt_code, item.statement_no)
        counts.setdefault(key, empty_statement_counts())[item.type] += 1
    statements = tuple(
        sorted(
            (
                StatementSummary(
                    adm,
                    vt,
                    no,
                    day,
                    bank,
                    etype,
                    declared_count,
                    _yuan(declared_fen),
                    lines,
                    from_fen(line_fen),
                    counts.get((adm, vt, no), empty_statement_counts()),
                )
                for adm, vt, no, day, bank, etype, declared_count, declared_fen, lines, line_fen in summaries
            ),
            key=StatementSummary.sort_key,
        )
    )
    return StatementReport(as_of, statements, tuple(breaks))
