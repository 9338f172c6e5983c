"""The pure-Python REFERENCE payment engine: the three-way chain rules, one readable step at a time.

For tests and small inputs only (one Python object per row); :mod:`gateway.reconcile.payments.duckdb_engine`
must give exactly the same report, which a property test checks. A voucher is identified by
(AdmDivCode, VoucherNo); all amounts are integer fen here.

0. Aggregate. Voucher rows with the same key are one voucher (amount summed; bank and day the smallest).
   A receipt is matched on (AdmDivCode, VoucherNo, bank): it answers the voucher of that key when both
   name the same bank or one of them names none (issue 13 — another bank's 回单 never pays a voucher);
   otherwise it is a *stray* receipt, kept per (AdmDivCode, VoucherNo, bank) in its own bank and day.
   Matched receipts per voucher: paid = sum of ``XPayAmt``, pay day = latest ``XPayDate`` (else ``VouDate``);
   refunds per (AdmDivCode, refund VoucherNo, OriginalVoucherNo), amount = −``PayAmt``; clearing per
   voucher: cleared = 2301 lines − |2302 lines|, plus the 2301 lines' ``ClearingNo`` list.
1. ``UNPAID``: a voucher without any receipt whose day ended at least the unpaid window before as-of
   (day D, window W: from D + 1 00:00 China time + W on). Inside the window it is *awaiting payment*.
2. ``PAY_AMOUNT_MISMATCH``: a voucher with receipts whose paid sum ≠ its amount (a 回单 with ``XPayAmt``
   0.00 — payment failed — is one); and stray receipts (for a voucher finance never sent, or sent to
   another bank), one break per (AdmDivCode, VoucherNo, bank) with ident ``receipt:<VoucherNo>``.
3. ``DOUBLE_CLEARED``: a voucher named by more than one 2301 line.
4. ``NOT_CLEARED``: otherwise, a voucher with receipts whose paid − refunded ≠ cleared, once the latest of
   its pay days and refund days ended the uncleared window before as-of (else *awaiting clearing*). The
   difference is paid − refunded − cleared: positive = still to be cleared, negative = cleared more than
   paid (e.g. a refund not yet returned by a 2302).
5. ``CLEARED_UNKNOWN``: clearing lines for a voucher finance never sent (one break per voucher).
6. ``REFUND_UNMATCHED``: a refund whose original voucher is unknown or has no receipt.
7. ``QUOTA_IDENTITY``: a 3510 / 5510 balance line with PreDateMoney + ClearAmt − CurReckMoney ≠
   CurDateMoney.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from gateway.reconcile.payments.columns import PaymentInputs, Role
from gateway.reconcile.payments.files import load_inputs
from gateway.reconcile.payments.report import (
    DEFAULT_UNCLEARED_WINDOW,
    DEFAULT_UNPAID_WINDOW,
    FoundRow,
    GroupRow,
    PaymentReport,
    assemble_report,
    china_cutoff,
)

Key = tuple[str, str]
Group = tuple[str, str, date]


@dataclass
class _Agg:
    bank: str
    day: date
    amount: int = 0
    count: int = 0
    last: date | None = None
    numbers: list[str] = field(default_factory=list)
    applies: int = 0

    def add(self, bank: str, day: date, amount: int) -> None:
        self.bank = min(self.bank, bank)
        self.day = min(self.day, day)
        self.amount += amount
        self.count += 1


def _aggregate(rows: list[tuple[tuple[str, ...], str, date, int]]) -> dict[tuple[str, ...], _Agg]:
    out: dict[tuple[str, ...], _Agg] = {}
    for key, bank, day, amount in rows:
        if key not in out:
            out[key] = _Agg(bank, day)
        out[key].add(bank, day, amount)
    return out


def same_bank(receipt_bank: str, voucher_bank: str) -> bool:
    """Whether a receipt naming ``receipt_bank`` can answer a voucher of ``voucher_bank`` ("" = none)."""
    return not receipt_bank or not voucher_bank or receipt_bank == voucher_bank


def _overdue(day: date, cutoff: datetime) -> bool:
    return datetime.combine(day + timedelta(days=1), time()) <= cutoff


def reconcile_payments_reference(
    inputs: PaymentInputs,
    *,
    as_of: datetime,
    unpaid_window: timedelta = DEFAULT_UNPAID_WINDOW,
    uncleared_window: timedelta = DEFAULT_UNCLEARED_WINDOW,
) -> PaymentReport:
    """Reconcile in-memory inputs as of ``as_of`` (timezone-aware) with the reference rules."""
    inputs.check()
    unpaid_cutoff = china_cutoff(as_of, unpaid_window)
    uncleared_cutoff = china_cutoff(as_of, uncleared_window)

    vouchers = _aggregate([((a, n), b, d, x) for a, n, d, b, x in inputs.vouchers.rows()])

    def matched(adm: str, number: str, bank: str) -> bool:
        voucher = vouchers.get((adm, number))
        return voucher is not None and same_bank(bank, voucher.bank)

    paid_rows = [row for row in inputs.receipts.rows() if matched(row[0], row[1], row[3])]
    stray_rows = [row for row in inputs.receipts.rows() if not matched(row[0], row[1], row[3])]
    receipts = _aggregate([((a, n), b, d, x) for a, n, d, b, x, _p in paid_rows])
    strays = _aggregate([((a, n, b), b, d, x) for a, n, d, b, x, _p in stray_rows])
    for a, n, d, _b, _x, paid_on in paid_rows:
        agg = receipts[(a, n)]
        pay_day = paid_on or d
        agg.last = pay_day if agg.last is None else max(agg.last, pay_day)
    refunds = _aggregate([((a, n, o), b, d, -x) for a, n, o, d, b, x in inputs.refunds.rows()])
    refund_total: dict[Key, int] = {}
    refund_last: dict[Key, date] = {}
    for a, _n, o, d, _b, x in inputs.refunds.rows():
        refund_total[(a, o)] = refund_total.get((a, o), 0) - x
        refund_last[(a, o)] = max(d, refund_last.get((a, o), d))
    clearing = _aggregate(
        [((a, n), b, d, x if vt == "2301" else -abs(x)) for a, vt, _c, n, d, b, x in inputs.clearing.rows()]
    )
    for a, vt, c, n, _d, _b, _x in inputs.clearing.rows():
        if vt == "2301":
            clearing[(a, n)].applies += 1
            clearing[(a, n)].numbers.append(c)

    found: list[FoundRow] = []
    sums: dict[Group, list[int]] = defaultdict(lambda: [0] * 11)

    def voucher_group(key: tuple[str, ...], own: _Agg) -> Group:
        voucher = vouchers.get((key[0], key[1]))
        chosen = voucher if voucher is not None else own
        return (key[0], chosen.bank, chosen.day)

    for (adm, number), v in vouchers.items():
        group = (adm, v.bank, v.day)
        sums[group][0] += 1
        sums[group][1] += v.amount
        r = receipts.get((adm, number))
        paid = r.amount if r is not None else None
        refund = refund_total.get((adm, number))
        c = clearing.get((adm, number))
        cleared = c.amount if c is not None else None
        ident = f"voucher:{number}"
        chain = (number, v.amount, paid, refund, cleared)
        if paid is None:
            if _overdue(v.day, unpaid_cutoff):
                found.append(("UNPAID", *group, ident, *chain, v.amount, None, None, None))
            else:
                sums[group][9] += 1
        elif paid != v.amount:
            found.append(("PAY_AMOUNT_MISMATCH", *group, ident, *chain, v.amount - paid, None, None, None))
        outstanding = (paid or 0) - (refund or 0) - (cleared or 0)
        if c is not None and c.applies > 1:
            nos = sorted(c.numbers)
            found.append(("DOUBLE_CLEARED", *group, ident, *chain, outstanding, nos, None, None))
        elif r is not None and outstanding != 0:
            assert r.last is not None
            clock = max(r.last, refund_last.get((adm, number), r.last))
            if _overdue(clock, uncleared_cutoff):
                found.append(("NOT_CLEARED", *group, ident, *chain, outstanding, None, None, None))
            else:
                sums[group][10] += 1

    for a, n, _d, _b, x, _p in paid_rows:
        group = voucher_group((a, n), receipts[(a, n)])
        sums[group][2] += 1
        sums[group][3] += x
    for a, n, _d, b, x, _p in stray_rows:
        stray = strays[(a, n, b)]
        sums[(a, stray.bank, stray.day)][2] += 1
        sums[(a, stray.bank, stray.day)][3] += x
    for (adm, number, _bank), r in strays.items():
        group = (adm, r.bank, r.day)
        found.append(
            (
                "PAY_AMOUNT_MISMATCH",
                *group,
                f"receipt:{number}",
                number,
                None,
                r.amount,
                None,
                None,
                -r.amount,
                None,
                None,
                None,
            )
        )
    for a, n, o, _d, _b, x in inputs.refunds.rows():
        group = voucher_group((a, o), refunds[(a, n, o)])
        sums[group][4] += 1
        sums[group][5] -= x
    for (adm, number, original), f in refunds.items():
        voucher = vouchers.get((adm, original))
        if voucher is None or (adm, original) not in receipts:
            group = voucher_group((adm, original), f)
            c = clearing.get((adm, original))
            found.append(
                (
                    "REFUND_UNMATCHED",
                    *group,
                    f"refund:{number}|{original}",
                    original,
                    voucher.amount if voucher is not None else None,
                    None,
                    f.amount,
                    c.amount if c is not None else None,
                    None,
                    None,
                    number,
                    None,
                )
            )
    for a, vt, _c, n, _d, _b, x in inputs.clearing.rows():
        group = voucher_group((a, n), clearing[(a, n)])
        sums[group][6] += 1
        sums[group][7] += x if vt == "2301" else -abs(x)
    for (adm, number), c in clearing.items():
        if (adm, number) not in vouchers:
            group = (adm, c.bank, c.day)
            found.append(
                (
                    "CLEARED_UNKNOWN",
                    *group,
                    f"voucher:{number}",
                    number,
                    None,
                    None,
                    None,
                    c.amount,
                    -c.amount,
                    None,
                    None,
                    None,
                )
            )
    lines: dict[Key, int] = defaultdict(int)
    for adm, statement, day, bank, pre, added, reck, cur in inputs.quota.rows():
        group = (adm, bank, day)
        sums[group][8] += 1
        lines[(adm, statement)] += 1
        diff = pre + added - reck - cur
        if diff != 0:
            ident = f"quota:{statement}#{lines[(adm, statement)]}"
            found.append(
                (
                    "QUOTA_IDENTITY",
                    *group,
                    ident,
                    statement,
                    None,
                    None,
                    None,
                    None,
                    diff,
                    None,
                    None,
                    (pre, added, reck, cur),
                )
            )

    groups: list[GroupRow] = [(*g, *s) for g, s in sums.items()]  # type: ignore[misc]
    return assemble_report(as_of, unpaid_window, uncleared_window, groups, found)


def reconcile_payment_files_reference(
    files: list[tuple[Path, Role]],
    *,
    as_of: datetime,
    unpaid_window: timedelta = DEFAULT_UNPAID_WINDOW,
    uncleared_window: timedelta = DEFAULT_UNCLEARED_WINDOW,
) -> PaymentReport:
    """Load every (file, role) row by row and reconcile with the reference rules (small inputs only)."""
    return reconcile_payments_reference(
        load_inputs(files), as_of=as_of, unpaid_window=unpaid_window, uncleared_window=uncleared_window
    )
