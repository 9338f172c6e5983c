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
* a voucher (5201 / 8202) is grouped by (AdmDivCode, 指标文号 ``FileNoCode``, ``StYear``); which row a
  group spends is the service's rule (the 本级指标文号 of a booked or own row, as 控制 links it); its 回单
  and clearing lines share its (AdmDivCode, VoucherNo), a 2252 refund names it by ``OriginalVoucherNo``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Connection, case, func, select

from gateway.store.ledger import ROW_COLUMNS, IndicatorRow, indicator_row
from gateway.store.tables import ledger_entries, ledger_indicators, ledger_postings, payment_lines

CHUNK = 1000
"""Keys per ``IN`` list (SQLite's bound on parameters is far above; PostgreSQL plans short lists well)."""

PRINCIPAL_ACCOUNTS = ("5301", "1301", "1101")
"""The principal account of each side (ADR 0005): every journal entry has exactly one line on it."""


def voucher_role(column: Any) -> Any:
    """``role = 'voucher'`` written so that no index can serve it (``role || '' = 'voucher'``): with a long
    指标文号 list SQLite's planner otherwise skip-scans a (division, role, …) index over every voucher of
    the divisions instead of probing the (FileNoCode, StYear) index — measured 10-30× slower at 800
    numbers. PostgreSQL plans either form the same way."""
    return (column + "") == "voucher"


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
        ``SUP_BGT_DOC_NO`` is one of ``docs``: a superset of the next level's children,
        which the caller matches exactly (division, year and key). Looked up by the key (indexed with the
        year); the division is checked on the few rows found."""
        t = ledger_indicators
        found: dict[int, IndicatorRow] = {}
        wanted = set(divisions)
        base = [t.c.is_deleted.is_(False), t.c.fiscal_year.in_(sorted(years))]
        for batch in chunks(sorted(ids)):
            for r in self._c.execute(select(*ROW_COLUMNS).where(t.c.ori_bgt_id.in_(batch), *base)):
                found[int(r[0])] = indicator_row(r)
        for batch in chunks(sorted(docs)):
            # ORI_BGT_ID must be NULL too: checked by the caller (a term on it here made SQLite scan the
            # ORI_BGT_ID index's NULLs — every root — instead of probing SUP_BGT_DOC_NO)
            query = select(*ROW_COLUMNS).where(t.c.sup_bgt_doc_no.in_(batch), *base)
            for r in self._c.execute(query):
                found[int(r[0])] = indicator_row(r)
        return [found[k] for k in sorted(found) if found[k].division in wanted]

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
        """The spending of every key that has any: one statement per batch of 指标文号 — the vouchers found
        by (FileNoCode, StYear), each with its 回单, refund and clearing sums as correlated look-ups by
        (AdmDivCode, role, VoucherNo), summed per (AdmDivCode, FileNoCode, StYear) — kept for the keys
        asked only."""
        out: dict[SpendKey, Spending] = {}
        wanted = set(keys)
        years = sorted({k.st_year for k in wanted})
        for batch in chunks(sorted({k.file_no_code for k in wanted})):
            per_voucher = self._per_voucher(batch, years).subquery()
            c = per_voucher.c
            statement = select(
                c.adm_div_code,
                c.file_no_code,
                c.st_year,
                func.count(),
                func.sum(c.amount_fen),
                func.sum(c.receipt_fen),
                func.sum(c.refund_fen),
                func.sum(c.cleared_fen),
            ).group_by(c.adm_div_code, c.file_no_code, c.st_year)
            for a, f, y, n, amount, receipt, refund, cleared in self._c.execute(statement):
                key = SpendKey(str(a), str(f), int(y))
                if key in wanted:
                    s = out.setdefault(key, Spending())
                    s.vouchers += int(n)
                    s.voucher_fen += int(amount or 0)
                    s.receipt_fen += int(receipt or 0)
                    s.refund_fen += int(refund or 0)
                    s.cleared_fen += int(cleared or 0)
        return out

    def _per_voucher(
        self, numbers: Sequence[str], years: Sequence[int], adms: Sequence[str] = (), *, dated: bool = False
    ) -> Any:
        """One row per active voucher citing ``numbers`` in ``years`` (and, if given, at ``adms``): its key,
        number, date, bank, amount and the sums of its 回单 (XPayAmt), refunds (negative) and clearing 回单
        (2302 subtracted) — ``NULL`` when there are none; ``dated``: also the latest XPayDate (one more
        look-up per voucher, for the listing only)."""
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

        where = [
            t.c.file_no_code.in_(numbers),
            t.c.st_year.in_(years),
            voucher_role(t.c.role),
            t.c.active.is_(True),
        ]
        if adms:
            where.append(t.c.adm_div_code.in_(adms))  # checked on the rows found by 文号
        paid_on = (
            select(func.max(o.x_pay_date))
            .where(
                o.role == "receipt",
                o.active.is_(True),
                o.adm_div_code == t.c.adm_div_code,
                o.voucher_no == t.c.voucher_no,
            )
            .scalar_subquery()
        )
        cleared = case((o.vt_code == "2302", -o.amount_fen), else_=o.amount_fen)
        return select(
            t.c.id,
            t.c.adm_div_code,
            t.c.file_no_code,
            t.c.st_year,
            t.c.voucher_no,
            t.c.vt_code,
            t.c.vou_date,
            t.c.pay_bank_code,
            t.c.amount_fen,
            total("receipt", o.voucher_no, o.x_pay_amt_fen).label("receipt_fen"),
            *([paid_on.label("x_pay_date")] if dated else []),
            total("refund", o.original_voucher_no, o.amount_fen).label("refund_fen"),
            total("clearing", o.voucher_no, cleared, o.is_receipt.is_(True)).label("cleared_fen"),
        ).where(*where)

    def vouchers(self, keys: Collection[SpendKey], limit: int) -> tuple[list[VoucherLine], int]:
        """The vouchers of ``keys`` with their 回单, refund and clearing amounts, at most ``limit`` (oldest
        first); and how many there are in all."""
        t = payment_lines
        wanted = set(keys)
        years = sorted({k.st_year for k in wanted})
        adms = sorted({k.adm_div_code for k in wanted})
        lines: list[VoucherLine] = []
        count = 0
        for batch in chunks(sorted({k.file_no_code for k in wanted})):
            counted = self._c.execute(
                select(t.c.adm_div_code, t.c.file_no_code, t.c.st_year, func.count())
                .where(
                    t.c.file_no_code.in_(batch),
                    t.c.st_year.in_(years),
                    voucher_role(t.c.role),
                    t.c.active.is_(True),
                    t.c.adm_div_code.in_(adms),
                )
                .group_by(t.c.adm_div_code, t.c.file_no_code, t.c.st_year)
            )
            count += sum(int(n) for a, f, y, n in counted if SpendKey(a, f, int(y)) in wanted)
            if len(lines) >= limit:
                continue
            per_voucher = (
                self._per_voucher(batch, years, adms, dated=True).order_by(t.c.id).limit(limit - len(lines))
            )
            for r in self._c.execute(per_voucher):
                if SpendKey(r.adm_div_code, r.file_no_code, int(r.st_year)) not in wanted:
                    continue
                lines.append(
                    VoucherLine(
                        adm_div_code=r.adm_div_code,
                        file_no_code=r.file_no_code,
                        st_year=int(r.st_year),
                        voucher_no=r.voucher_no,
                        vt_code=r.vt_code,
                        vou_date=r.vou_date,
                        pay_bank_code=r.pay_bank_code,
                        amount_fen=int(r.amount_fen or 0),
                        receipt_fen=None if r.receipt_fen is None else int(r.receipt_fen),
                        x_pay_date=r.x_pay_date,
                        refund_fen=int(r.refund_fen or 0),
                        cleared_fen=None if r.cleared_fen is None else int(r.cleared_fen),
                    )
                )
        return lines, count
