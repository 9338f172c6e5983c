"""The result of one payment reconciliation run: group summaries and breaks.

A group is (AdmDivCode, agency bank, day). Every input row belongs to one group: a voucher to its own
(``PayBankCode``, ``VouDate``); a receipt, refund or clearing line to the group of the payment voucher it
names when finance sent that voucher, else to its own; a 3510 line to its own (``EndDate``).

Breaks carry a stable ``key`` — ``TYPE|adm|bank|day|ident`` with ident ``voucher:<VoucherNo>``
(UNPAID, PAY_AMOUNT_MISMATCH, NOT_CLEARED, DOUBLE_CLEARED, CLEARED_UNKNOWN), ``receipt:<VoucherNo>`` (a
回单 for a voucher finance never sent), ``refund:<refund VoucherNo>|<OriginalVoucherNo>`` and
``quota:<statement VoucherNo>#<line>`` (line 1 = the first balance line of that statement in input order).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from gateway.reconcile.breaks import BreakType
from gateway.reconcile.indicators.ledger_columns import CHINA_TZ
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE
from schemas.money import format_money, from_fen

PAYMENT_BREAK_TYPES: tuple[BreakType, ...] = (
    BreakType.UNPAID,
    BreakType.PAY_AMOUNT_MISMATCH,
    BreakType.NOT_CLEARED,
    BreakType.CLEARED_UNKNOWN,
    BreakType.DOUBLE_CLEARED,
    BreakType.REFUND_UNMATCHED,
    BreakType.QUOTA_IDENTITY,
)
"""Payment break types in report order."""

DEFAULT_UNPAID_WINDOW = timedelta(hours=24)
DEFAULT_UNCLEARED_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class BreakField:
    """A named detail of a break shown to ops (e.g. the clearing voucher numbers of a DOUBLE_CLEARED)."""

    field: str
    value: str


@dataclass(frozen=True)
class PaymentBreak:
    """One payment-chain break. Amounts are two-place ``Decimal`` or ``None`` when the side is absent:
    ``voucher_amount`` (finance ``PayAmt``), ``paid_amount`` (sum of ``XPayAmt``), ``refund_amount`` (2252
    refunds, positive), ``cleared_amount`` (2301 lines minus 2302 lines). ``difference`` is what is
    expected minus what happened, per type (see ADR 0003 §Payments)."""

    type: BreakType
    key: str
    adm_div_code: str
    bank: str
    day: date
    voucher_no: str
    voucher_amount: Decimal | None
    paid_amount: Decimal | None
    refund_amount: Decimal | None
    cleared_amount: Decimal | None
    difference: Decimal | None
    fields: tuple[BreakField, ...] = ()

    def sort_key(self) -> tuple[str, str, date, str]:
        return (self.adm_div_code, self.bank, self.day, self.key)


@dataclass(frozen=True)
class GroupSummary:
    """Counts and amounts per side for one (AdmDivCode, bank, day)."""

    adm_div_code: str
    bank: str
    day: date
    voucher_count: int
    voucher_amount: Decimal
    receipt_count: int
    paid_amount: Decimal
    refund_count: int
    refund_amount: Decimal
    clearing_count: int
    cleared_amount: Decimal
    quota_count: int
    awaiting_payment: int
    awaiting_clearing: int
    break_counts: Mapping[BreakType, int]

    @property
    def status(self) -> str:
        """一致 when the group has no break (vouchers still inside their windows are not breaks)."""
        return STATUS_DISAGREE if any(self.break_counts.values()) else STATUS_AGREE


@dataclass(frozen=True)
class PaymentReport:
    as_of: datetime
    unpaid_window: timedelta
    uncleared_window: timedelta
    groups: tuple[GroupSummary, ...]
    breaks: tuple[PaymentBreak, ...]

    @property
    def consistent(self) -> bool:
        return all(g.status == STATUS_AGREE for g in self.groups)


def empty_payment_counts() -> dict[BreakType, int]:
    return dict.fromkeys(PAYMENT_BREAK_TYPES, 0)


# ---- shared assembly: both engines hand over the same plain tuples, amounts in integer fen -------------

FoundRow = tuple[
    str,  # type
    str,  # adm_div_code
    str,  # bank
    date,  # day
    str,  # ident
    str,  # voucher_no
    int | None,  # voucher amount
    int | None,  # paid
    int | None,  # refunded
    int | None,  # cleared
    int | None,  # difference
    list[str] | None,  # 2301 clearing numbers (DOUBLE_CLEARED)
    str | None,  # refund voucher number (REFUND_UNMATCHED)
    tuple[int, int, int, int] | None,  # PreDateMoney, ClearAmt, CurReckMoney, CurDateMoney (QUOTA_IDENTITY)
]
"""One break as an engine finds it."""

GroupRow = tuple[str, str, date, int, int, int, int, int, int, int, int, int, int, int]
"""(adm, bank, day, vouchers, voucher fen, receipts, paid fen, refunds, refund fen, clearing lines,
cleared fen, quota lines, awaiting payment, awaiting clearing)."""

_QUOTA_FIELDS = ("PRE_DATE_MONEY", "CLEAR_AMT", "CUR_RECK_MONEY", "CUR_DATE_MONEY")


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else from_fen(fen)


def build_break(row: FoundRow) -> PaymentBreak:
    kind, adm, bank, day, ident, voucher_no, va, pa, fa, ca, diff, nos, refund_no, quota = row
    fields: tuple[BreakField, ...] = ()
    if nos is not None:
        fields = (BreakField("CLEARING_NO", ", ".join(nos)),)
    elif refund_no is not None:
        fields = (BreakField("REFUND_NO", refund_no),)
    elif quota is not None:
        fields = tuple(
            BreakField(n, format_money(from_fen(v))) for n, v in zip(_QUOTA_FIELDS, quota, strict=True)
        )
    return PaymentBreak(
        BreakType(kind),
        f"{kind}|{adm}|{bank}|{day.isoformat()}|{ident}",
        adm,
        bank,
        day,
        voucher_no,
        _yuan(va),
        _yuan(pa),
        _yuan(fa),
        _yuan(ca),
        _yuan(diff),
        fields,
    )


def assemble_report(
    as_of: datetime,
    unpaid_window: timedelta,
    uncleared_window: timedelta,
    groups: list[GroupRow],
    found: list[FoundRow],
) -> PaymentReport:
    """Sort groups and breaks into the report's deterministic order and count breaks per group."""
    breaks = sorted((build_break(r) for r in found), key=PaymentBreak.sort_key)
    counts: dict[tuple[str, str, date], dict[BreakType, int]] = {}
    for item in breaks:
        counts.setdefault((item.adm_div_code, item.bank, item.day), empty_payment_counts())[item.type] += 1
    summaries = tuple(
        GroupSummary(
            adm,
            bank,
            day,
            voucher_count=nv,
            voucher_amount=from_fen(av),
            receipt_count=nr,
            paid_amount=from_fen(ar),
            refund_count=nf,
            refund_amount=from_fen(af),
            clearing_count=nc,
            cleared_amount=from_fen(ac),
            quota_count=nq,
            awaiting_payment=wp,
            awaiting_clearing=wc,
            break_counts=counts.get((adm, bank, day), empty_payment_counts()),
        )
        for adm, bank, day, nv, av, nr, ar, nf, af, nc, ac, nq, wp, wc in sorted(
            groups, key=lambda g: (g[0], g[1], g[2])
        )
    )
    return PaymentReport(as_of, unpaid_window, uncleared_window, summaries, tuple(breaks))


def china_cutoff(as_of: datetime, window: timedelta) -> datetime:
    """The naive China-time instant: a clock day D is past its window when D + 1 day 00:00 ≤ this."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return as_of.astimezone(CHINA_TZ).replace(tzinfo=None) - window
