"""Read queries behind 资金追踪 (issue 17, 报告): a page of one level's indicators, the indicators downstream
of a set of indicators (re-allocations province → city → county), the journal amounts by kind, and the
spending — vouchers, 回单, refunds, 清算 — linked to them.

Every method is one set-based statement per call (per 1 000 keys at most, the bound of an ``IN`` list), never
one query per indicator or voucher; amounts come back as integer fen summed by the database. The rules that
decide *which* indicator a voucher spends are 控制's (:mod:`gateway.services.control`), stored once.

Links (the 一体化 data standard, DOMAIN.md §1):

* an issued row (upper → lower, ``counterparty`` = REC_DIV_CODE) is booked by the lower as a received row
  whose ``ORI_BGT_ID`` is the upper's ``BGT_ID`` — or, where the id was not preserved, whose
  ``SUP_BGT_DOC_NO`` is the upper's ``COR_BGT_DOC_NO`` — in the same fiscal year;
* a received (or own) row is re-allocated by rows of the same division whose ``ORI_BGT_ID`` is its
  ``BGT_ID``: issued rows to the next level, or own splits;
* a voucher (5201 / 8202) spends the indicator 控制 linked it to at intake — its ``indicator_spends`` row
  (:mod:`gateway.store.indicator_spending`), read here by ``indicator_id``; a live spend without one is an
  unlinked voucher (未关联指标的凭证), reported per division. Its 回单 and clearing lines share its
  (AdmDivCode, VoucherNo), a 2252 refund names it by ``OriginalVoucherNo``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Connection, case, func, select

from gateway.rows import IndicatorRow, Spending, Unlinked, VoucherLine
from gateway.store.indicator_spending import LIVE_STATES
from gateway.store.ledger import ROW_COLUMNS, indicator_row
from gateway.store.tables import (
    indicator_spends,
    ledger_entries,
    ledger_indicators,
    ledger_postings,
    payment_lines,
)

CHUNK = 1000
"""Keys per ``IN`` list (SQLite's bound on parameters is far above; PostgreSQL plans short lists well)."""

_S = indicator_spends.c

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

    def spending(self, indicator_ids: Collection[int]) -> dict[int, Spending]:
        """Indicator id → the spending of the vouchers linked to it (ids without any are left out): one
        statement per batch of ids — the live spends by ``indicator_id``, each with its 回单, refund and
        clearing sums as correlated look-ups by (AdmDivCode, role, VoucherNo), summed per indicator."""
        out: dict[int, Spending] = {}
        for batch in chunks(sorted(set(indicator_ids))):
            per = self._per_spend(_S.indicator_id.in_(batch)).subquery()
            c = per.c
            statement = select(
                c.indicator_id,
                func.count(),
                func.sum(c.amount_fen),
                func.sum(c.paid_fen),
                func.sum(c.in_flight_fen),
                func.sum(case((c.state == "held", c.amount_fen), else_=0)),
                func.sum(c.receipt_fen),
                func.sum(c.refund_fen),
                func.sum(c.cleared_fen),
            ).group_by(c.indicator_id)
            for ident, n, amount, paid, flight, held, receipt, refund, cleared in self._c.execute(statement):
                out[int(ident)] = Spending(
                    vouchers=int(n),
                    voucher_fen=int(amount or 0),
                    paid_fen=int(paid or 0),
                    in_flight_fen=int(flight or 0),
                    held_fen=int(held or 0),
                    refund_fen=int(refund or 0),
                    receipt_fen=int(receipt or 0),
                    cleared_fen=int(cleared or 0),
                )
        return out

    def _per_spend(self, *where: Any, listed: bool = False) -> Any:
        """One row per live spend matching ``where``: the link and its amounts, and the sums of its 回单
        (XPayAmt), refunds (negative) and clearing 回单 (2302 subtracted) — ``NULL`` when there are none;
        ``listed``: also the voucher line's VouDate and bank and the latest XPayDate (three more look-ups
        per voucher, for the listing only)."""
        o = payment_lines.alias("o").c

        def look(role: str, reference: Any, value: Any, *extra: Any) -> Any:
            return (
                select(value)
                .where(
                    o.role == role,
                    o.active.is_(True),
                    o.adm_div_code == _S.adm_div_code,
                    reference == _S.voucher_no,
                    *extra,
                )
                .scalar_subquery()
            )

        cleared = case((o.vt_code == "2302", -o.amount_fen), else_=o.amount_fen)
        listing = (
            [
                look("voucher", o.voucher_no, func.max(o.vou_date)).label("vou_date"),
                look("voucher", o.voucher_no, func.max(o.pay_bank_code)).label("pay_bank_code"),
                look("receipt", o.voucher_no, func.max(o.x_pay_date)).label("x_pay_date"),
            ]
            if listed
            else []
        )
        return select(
            _S.id,
            _S.indicator_id,
            _S.adm_div_code,
            _S.file_no_code,
            _S.fiscal_year,
            _S.voucher_no,
            _S.vt_code,
            _S.state,
            _S.codes,
            _S.amount_fen,
            _S.paid_fen,
            _S.in_flight_fen,
            look("receipt", o.voucher_no, func.sum(o.x_pay_amt_fen)).label("receipt_fen"),
            look("refund", o.original_voucher_no, func.sum(o.amount_fen)).label("refund_fen"),
            look("clearing", o.voucher_no, func.sum(cleared), o.is_receipt.is_(True)).label("cleared_fen"),
            *listing,
        ).where(_S.state.in_(LIVE_STATES), *where)

    def _lines(self, query: Any) -> list[VoucherLine]:
        return [
            VoucherLine(
                indicator_id=None if r.indicator_id is None else int(r.indicator_id),
                adm_div_code=r.adm_div_code,
                file_no_code=r.file_no_code,
                st_year=int(r.fiscal_year),
                voucher_no=r.voucher_no,
                vt_code=r.vt_code,
                state=r.state,
                codes=r.codes,
                vou_date=r.vou_date,
                pay_bank_code=r.pay_bank_code,
                amount_fen=int(r.amount_fen),
                paid_fen=int(r.paid_fen),
                in_flight_fen=int(r.in_flight_fen),
                receipt_fen=None if r.receipt_fen is None else int(r.receipt_fen),
                x_pay_date=r.x_pay_date,
                refund_fen=int(r.refund_fen or 0),
                cleared_fen=None if r.cleared_fen is None else int(r.cleared_fen),
            )
            for r in self._c.execute(query)
        ]

    def vouchers(self, indicator_ids: Collection[int], limit: int) -> tuple[list[VoucherLine], int]:
        """The live vouchers linked to ``indicator_ids`` with their 回单, refund and clearing amounts, at
        most ``limit`` (oldest first); and how many there are in all."""
        lines: list[VoucherLine] = []
        count = 0
        for batch in chunks(sorted(set(indicator_ids))):
            linked = [_S.indicator_id.in_(batch), _S.state.in_(LIVE_STATES)]
            count += int(self._c.execute(select(func.count()).where(*linked)).scalar_one())
            if len(lines) < limit:
                query = self._per_spend(*linked, listed=True).order_by(_S.id).limit(limit - len(lines))
                lines.extend(self._lines(query))
        return lines, count

    def unlinked(
        self, adm_div_codes: Collection[str] | None, limit: int, *, file_nos: Collection[str] | None = None
    ) -> Unlinked:
        """The live vouchers of ``adm_div_codes`` (``None``: every division) that 控制 recorded without an
        indicator — optionally only those citing one of ``file_nos`` — counted per AdmDivCode, and the first
        ``limit`` of them. Two statements (per 1 000 codes and 1 000 numbers); none for an empty list."""
        counts: dict[str, tuple[int, int]] = {}
        lines: list[VoucherLine] = []
        base = [_S.indicator_id.is_(None), _S.state.in_(LIVE_STATES)]
        by_adm: list[Any] = [None] if adm_div_codes is None else list(chunks(sorted(adm_div_codes)))
        by_doc: list[Any] = [None] if file_nos is None else list(chunks(sorted(file_nos)))
        for adms in by_adm:
            for docs in by_doc:
                where = list(base)
                if adms is not None:
                    where.append(_S.adm_div_code.in_(adms))
                if docs is not None:
                    where.append(_S.file_no_code.in_(docs))
                rows = self._c.execute(
                    select(_S.adm_div_code, func.count(), func.sum(_S.amount_fen))
                    .where(*where)
                    .group_by(_S.adm_div_code)
                )
                for adm, n, fen in rows:
                    before = counts.get(str(adm), (0, 0))
                    counts[str(adm)] = (before[0] + int(n), before[1] + int(fen or 0))
                if len(lines) < limit:
                    query = self._per_spend(*where, listed=True).order_by(_S.id).limit(limit - len(lines))
                    lines.extend(self._lines(query))
        return Unlinked(counts, lines)
