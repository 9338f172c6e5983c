"""The records that can close a break (issue 15): a run closes a break it no longer finds only when the
counterpart is in the store — the lower level's booking of an upper indicator, the upper's indicator a lower
booking names, the bank's 回单, the PBOC clearing line — and says which record (and the message that carried
it) closed it. A few set-based reads per run, over the vanished breaks only."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from gateway.rows import LedgerRecord, PaymentRecord
from gateway.store.tables import ledger_indicators, messages, payment_lines


def _chunks(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CounterpartRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _ledger(self, *conditions: object) -> list[LedgerRecord]:
        t = ledger_indicators
        query = (
            select(
                t.c.bgt_id,
                t.c.ori_bgt_id,
                t.c.cor_bgt_doc_no,
                t.c.sup_bgt_doc_no,
                t.c.amount_fen,
                messages.c.message_id,
            )
            .select_from(t.outerjoin(messages, messages.c.id == t.c.message_pk))
            .where(t.c.is_deleted.is_(False), *conditions)  # type: ignore[arg-type]
            .order_by(t.c.id)
        )
        return [LedgerRecord(str(r[0]), r[1], r[2], r[3], int(r[4]), r[5]) for r in self._c.execute(query)]

    def received(
        self,
        lower: str,
        fiscal_year: int,
        *,
        ori_bgt_ids: Iterable[str] = (),
        bgt_ids: Iterable[str] = (),
        sup_doc_nos: Iterable[str] = (),
    ) -> list[LedgerRecord]:
        """``lower``'s live received rows that year naming one of the upper ids / documents, or with one of
        its own ids."""
        t = ledger_indicators
        base = (t.c.side == "received", t.c.division == lower, t.c.fiscal_year == fiscal_year)
        out: list[LedgerRecord] = []
        for column, values in (
            (t.c.ori_bgt_id, ori_bgt_ids),
            (t.c.bgt_id, bgt_ids),
            (t.c.sup_bgt_doc_no, sup_doc_nos),
        ):
            for chunk in _chunks(values):
                out.extend(self._ledger(*base, column.in_(chunk)))
        return out

    def issued(
        self,
        upper: str,
        lower: str,
        fiscal_year: int,
        *,
        bgt_ids: Iterable[str] = (),
        cor_doc_nos: Iterable[str] = (),
    ) -> list[LedgerRecord]:
        """``upper``'s live rows issued to ``lower`` that year with one of the ids / documents."""
        t = ledger_indicators
        base = (
            t.c.side == "issued",
            t.c.division == upper,
            t.c.counterparty == lower,
            t.c.fiscal_year == fiscal_year,
        )
        out: list[LedgerRecord] = []
        for column, values in ((t.c.bgt_id, bgt_ids), (t.c.cor_bgt_doc_no, cor_doc_nos)):
            for chunk in _chunks(values):
                out.extend(self._ledger(*base, column.in_(chunk)))
        return out

    def payment_records(self, adm_div_code: str, voucher_nos: Iterable[str]) -> list[PaymentRecord]:
        """Every active line of the division about these vouchers: the vouchers themselves, their 回单,
        clearing lines and refunds (by the refunded voucher)."""
        p = payment_lines
        out: list[PaymentRecord] = []
        columns = (
            p.c.role,
            p.c.vt_code,
            p.c.voucher_no,
            p.c.clearing_no,
            p.c.original_voucher_no,
            p.c.amount_fen,
            p.c.x_pay_amt_fen,
            messages.c.message_id,
        )
        joined = p.join(messages, messages.c.id == p.c.message_pk)
        for chunk in _chunks(voucher_nos):
            for column in (p.c.voucher_no, p.c.original_voucher_no):
                query = (
                    select(*columns)
                    .select_from(joined)
                    .where(p.c.adm_div_code == adm_div_code, p.c.active.is_(True), column.in_(chunk))
                    .order_by(p.c.id)
                )
                if column is p.c.original_voucher_no:
                    query = query.where(p.c.role == "refund")
                out.extend(PaymentRecord(*r) for r in self._c.execute(query))
        return out
