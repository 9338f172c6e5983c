"""Read queries behind 资金追踪 (issue 17, 报告): a page of one level's indicators, the indicators downstream
of a set of indicators (re-allocations province → city → county), the journal amounts by kind, and the
spending — vouchers, 回单, refunds, 清算 — cited against them.

Every method is one set-based statement per call (per 1 000 keys at most, the bound of an ``IN`` list), never
one query per indicator or voucher; amounts come back as integer fen summed by the database. The rules that
decide *which* indicator a group of vouchers belongs to live in :mod:`gateway.services.tracking`.

Links (the 一体化 data standard, DOMAIN.md §1):

* an issued row (upper → lower, ``counterparty`` = REC_DIV_CODE) is booked by the lower as a received row
  whose ``ORI_BGT_ID`` is the upper's ``BGT_ID`` — or, where the id was not preserved, whose
  ``SUP_BGT_DOC_NO`` is the upper's ``COR_BGT_DOC_NO`` — in the same fiscal year;
* a received (or own) row is re-allocated by rows of the same division whose ``ORI_BGT_ID`` is its
  ``BGT_ID``: issued rows to the next level, or own splits;
* a voucher (5201 / 8202) spends the indicator its 指标文号 ``FileNoCode`` names — the ``BGT_ID`` or the
  ``COR_BGT_DOC_NO`` — at the paying division (``AdmDivCode``) in its ``StYear``; its 回单 and clearing lines
  share its (AdmDivCode, VoucherNo), a 2252 refund names it by ``OriginalVoucherNo``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, case, func, select

from gateway.store.ledger import ROW_COLUMNS, IndicatorRow, indicator_row
from gateway.store.tables import ledger_entries, ledger_indicators, ledger_postings, payment_lines

CHUNK = 1000
"""Keys per ``IN`` list (SQLite's bound on parameters is far above; PostgreSQL plans short lists well)."""

PRINCIPAL_ACCOUNTS = ("5301", "1301", "1101")
"""The principal account of each side (ADR 0005): every journal entry has exactly one line on it."""

T = TypeVar("T")


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class SpendKey:
    """Where vouchers are grouped: (AdmDivCode, FileNoCode, StYear)."""

    adm_div_code: str
    file_no_code: str
    st_year: int


@dataclass
class Spending:
    """The spending of one :class:`SpendKey`, in fen."""

    vouchers: int = 0
    voucher_fen: int = 0
    refund_fen: int = 0
    """Σ 2252 PayAmt (negative or zero)."""
    receipt_fen: int = 0
    """Σ XPayAmt of the 回单."""
    cleared_fen: int = 0
    """Σ of the active clearing 回单 lines (2301 added, 2302 subtracted)."""


@dataclass(frozen=True)
class VoucherLine:
    """One voucher with its chain's amounts (the per-indicator tree lists them)."""

    adm_div_code: str
    file_no_code: str
    st_year: int
    voucher_no: str
    vt_code: str
    vou_date: date
    pay_bank_code: str
    amount_fen: int
    receipt_fen: int | None
    """Σ XPayAmt of its 回单 (``None``: no 回单 yet)."""
    x_pay_date: date | None
    refund_fen: int
    cleared_fen: int | None
    """Σ of its clearing 回单 lines (``None``: not cleared)."""


class TrackingQueries:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # ---- indicators -----------------------------------------------------------------------------------

    def page(
        self,
        divisions: Collection[str] | None,
        fiscal_year: int | None,
        *,
        is_track: str | None = None,
        side: str | None = None,
        limit: int,
        offset: int,
    ) -> list[IndicatorRow]:
        """Live rows on the ledgers of ``divisions`` (``None``: every division), in id order, one page
        (``limit + 1`` rows are read so the caller knows whether there is a next page)."""
        t = ledger_indicators
        query = select(*ROW_COLUMNS).where(t.c.is_deleted.is_(False))
        if divisions is not None:
            query = query.where(t.c.division.in_(sorted(divisions)))
        if fiscal_year is not None:
            query = query.where(t.c.fiscal_year == fiscal_year)
        if is_track is not None:
            query = query.where(t.c.is_track == is_track)
        if side is not None:
            query = query.where(t.c.side == side)
        rows = self._c.execute(query.order_by(t.c.id).limit(limit + 1).offset(offset))
        return [indicator_row(r) for r in rows]

    def count(
        self,
        divisions: Collection[str] | None,
        fiscal_year: int | None,
        *,
        is_track: str | None = None,
        side: str | None = None,
    ) -> int:
        t = ledger_indicators
        query = select(func.count()).select_from(t).where(t.c.is_deleted.is_(False))
        if divisions is not None:
            query = query.where(t.c.division.in_(sorted(divisions)))
        if fiscal_year is not None:
            query = query.where(t.c.fiscal_year == fiscal_year)
        if is_track is not None:
            query = query.where(t.c.is_track == is_track)
        if side is not None:
            query = query.where(t.c.side == side)
        return int(self._c.execute(query).scalar_one())

    def by_bgt_id(
        self, bgt_id: str, divisions: Collection[str] | None, fiscal_year: int | None
    ) -> list[IndicatorRow]:
        """Live rows with ``bgt_id`` on the ledgers of ``divisions`` (``None``: any), oldest first."""
        t = ledger_indicators
        query = select(*ROW_COLUMNS).where(t.c.bgt_id == bgt_id, t.c.is_deleted.is_(False))
        if divisions is not None:
            query = query.where(t.c.division.in_(sorted(divisions)))
        if fiscal_year is not None:
            query = query.where(t.c.fiscal_year == fiscal_year)
        return [indicator_row(r) for r in self._c.execute(query.order_by(t.c.id))]

    def candidates(
        self, divisions: Collection[str], years: Collection[int], ids: Collection[str], docs: Collection[str]
    ) -> list[IndicatorRow]:
        """Live rows of ``divisions`` in ``years`` whose ``ORI_BGT_ID`` is one of ``ids`` or whose
        ``SUP_BGT_DOC_NO`` is one of ``docs``: a superset of the next level's children, which the caller
        matches exactly (division, year and key)."""
        t = ledger_indicators
        found: dict[int, IndicatorRow] = {}
        base = [
            t.c.is_deleted.is_(False),
            t.c.division.in_(sorted(divisions)),
            t.c.fiscal_year.in_(sorted(years)),
        ]
        for batch in chunks(sorted(ids)):
            for r in self._c.execute(select(*ROW_COLUMNS).where(*base, t.c.ori_bgt_id.in_(batch))):
                found[int(r[0])] = indicator_row(r)
        for batch in chunks(sorted(docs)):
            query = select(*ROW_COLUMNS).where(*base, t.c.ori_bgt_id.is_(None), t.c.sup_bgt_doc_no.in_(batch))
            for r in self._c.execute(query):
                found[int(r[0])] = indicator_row(r)
        return [found[k] for k in sorted(found)]

    def amounts_by_kind(self, indicator_ids: Collection[int]) -> dict[int, dict[str, int]]:
        """Indicator id → journal kind (issue | receive | adjust | recall | …) → Σ signed principal amount
        (debit +, credit −), in fen."""
        e, p = ledger_entries, ledger_postings
        signed = case((p.c.dr_cr == "D", p.c.amount_fen), else_=-p.c.amount_fen)
        out: dict[int, dict[str, int]] = {}
        for batch in chunks(sorted(indicator_ids)):
            rows = self._c.execute(
                select(e.c.indicator_id, e.c.kind, func.sum(signed))
                .select_from(e.join(p, p.c.entry_id == e.c.id))
                .where(e.c.indicator_id.in_(batch), p.c.account.in_(PRINCIPAL_ACCOUNTS))
                .group_by(e.c.indicator_id, e.c.kind)
            )
            for indicator_id, kind, total in rows:
                out.setdefault(int(indicator_id), {})[str(kind)] = int(total or 0)
        return out

    # ---- spending -------------------------------------------------------------------------------------

    def spending(self, keys: Collection[SpendKey]) -> dict[SpendKey, Spending]:
        """The spending of every key that has any: four grouped statements per batch of keys (vouchers,
        their 回单, their refunds, their clearing 回单), each an indexed look-up of the batch's divisions and
        指标文号 filtered exactly afterwards."""
        out: dict[SpendKey, Spending] = {}
        wanted = set(keys)
        by_adm: dict[str, set[str]] = {}
        for key in wanted:
            by_adm.setdefault(key.adm_div_code, set()).add(key.file_no_code)
        years = sorted({k.st_year for k in wanted})
        for adm, numbers in sorted(by_adm.items()):
            for batch in chunks(sorted(numbers)):
                for statement, apply in self._spending_statements(adm, batch, years):
                    for a, f, y, *values in self._c.execute(statement):
                        key = SpendKey(str(a), str(f), int(y))
                        if key in wanted:
                            apply(out.setdefault(key, Spending()), values)
        return out

    def _spending_statements(
        self, adm: str, numbers: Sequence[str], years: Sequence[int]
    ) -> list[tuple[Any, Any]]:
        v = payment_lines.alias("v")
        joined = payment_lines.alias("o")
        other = joined.c
        voucher = and_(
            v.c.role == "voucher",
            v.c.active.is_(True),
            v.c.adm_div_code == adm,
            v.c.file_no_code.in_(numbers),
            v.c.st_year.in_(years),
        )
        group = (v.c.adm_div_code, v.c.file_no_code, v.c.st_year)

        def chained(role: str, reference: Any, amount: Any, *extra: Any) -> Any:
            return (
                select(*group, func.sum(amount))
                .select_from(
                    v.join(
                        joined,
                        and_(
                            other.role == role,
                            other.active.is_(True),
                            other.adm_div_code == v.c.adm_div_code,
                            reference == v.c.voucher_no,
                            *extra,
                        ),
                    )
                )
                .where(voucher)
                .group_by(*group)
            )

        vouchers = select(*group, func.count(), func.sum(v.c.amount_fen)).where(voucher).group_by(*group)
        receipts = chained("receipt", other.voucher_no, func.coalesce(other.x_pay_amt_fen, 0))
        refunds = chained("refund", other.original_voucher_no, func.coalesce(other.amount_fen, 0))
        cleared = chained(
            "clearing",
            other.voucher_no,
            case((other.vt_code == "2302", -other.amount_fen), else_=other.amount_fen),
            other.is_receipt.is_(True),
        )

        def set_vouchers(s: Spending, values: list[Any]) -> None:
            s.vouchers += int(values[0])
            s.voucher_fen += int(values[1] or 0)

        def set_receipts(s: Spending, values: list[Any]) -> None:
            s.receipt_fen += int(values[0] or 0)

        def set_refunds(s: Spending, values: list[Any]) -> None:
            s.refund_fen += int(values[0] or 0)

        def set_cleared(s: Spending, values: list[Any]) -> None:
            s.cleared_fen += int(values[0] or 0)

        return [
            (vouchers, set_vouchers),
            (receipts, set_receipts),
            (refunds, set_refunds),
            (cleared, set_cleared),
        ]

    def vouchers(self, keys: Collection[SpendKey], limit: int) -> tuple[list[VoucherLine], int]:
        """The vouchers of ``keys`` with their 回单, refund and clearing amounts (one statement with
        correlated sums per batch), at most ``limit``; and how many there are in all."""
        t = payment_lines
        o = payment_lines.alias("o").c

        def total(role: str, reference: Any, amount: Any, *extra: Any) -> Any:
            return (
                select(func.sum(amount))
                .where(
                    o.role == role,
                    o.active.is_(True),
                    o.adm_div_code == t.c.adm_div_code,
                    reference == t.c.voucher_no,
                    *extra,
                )
                .scalar_subquery()
            )

        wanted = set(keys)
        by_adm: dict[str, set[str]] = {}
        for key in wanted:
            by_adm.setdefault(key.adm_div_code, set()).add(key.file_no_code)
        years = sorted({k.st_year for k in wanted})
        lines: list[VoucherLine] = []
        count = 0
        for adm, numbers in sorted(by_adm.items()):
            for batch in chunks(sorted(numbers)):
                where = [
                    t.c.role == "voucher",
                    t.c.active.is_(True),
                    t.c.adm_div_code == adm,
                    t.c.file_no_code.in_(batch),
                    t.c.st_year.in_(years),
                ]
                count += int(self._c.execute(select(func.count()).select_from(t).where(*where)).scalar_one())
                if len(lines) >= limit:
                    continue
                query = (
                    select(
                        t.c.adm_div_code,
                        t.c.file_no_code,
                        t.c.st_year,
                        t.c.voucher_no,
                        t.c.vt_code,
                        t.c.vou_date,
                        t.c.pay_bank_code,
                        t.c.amount_fen,
                        total("receipt", o.voucher_no, o.x_pay_amt_fen),
                        select(func.max(o.x_pay_date))
                        .where(
                            o.role == "receipt",
                            o.active.is_(True),
                            o.adm_div_code == t.c.adm_div_code,
                            o.voucher_no == t.c.voucher_no,
                        )
                        .scalar_subquery(),
                        total("refund", o.original_voucher_no, o.amount_fen),
                        total(
                            "clearing",
                            o.voucher_no,
                            case((o.vt_code == "2302", -o.amount_fen), else_=o.amount_fen),
                            o.is_receipt.is_(True),
                        ),
                    )
                    .where(*where)
                    .order_by(t.c.id)
                    .limit(limit - len(lines))
                )
                for r in self._c.execute(query):
                    key = SpendKey(r[0], r[1], int(r[2]))
                    if key not in wanted:
                        continue
                    lines.append(
                        VoucherLine(
                            adm_div_code=r[0],
                            file_no_code=r[1],
                            st_year=int(r[2]),
                            voucher_no=r[3],
                            vt_code=r[4],
                            vou_date=r[5],
                            pay_bank_code=r[6],
                            amount_fen=int(r[7] or 0),
                            receipt_fen=None if r[8] is None else int(r[8]),
                            x_pay_date=r[9],
                            refund_fen=int(r[10] or 0),
                            cleared_fen=None if r[11] is None else int(r[11]),
                        )
                    )
        return lines, count
