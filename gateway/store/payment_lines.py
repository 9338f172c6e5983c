"""The payment chain as reconciliation lines (``payment_lines``), written at intake (issue #5, payments).

Every accepted payment-chain record becomes one line per thing the payment engine reads, with the columns
of :mod:`gateway.reconcile.payments.columns` already typed (integer fen, dates), so a scheduled run selects
one division-day with a few indexed SQL queries and hands plain column lists to
:func:`gateway.reconcile.payments.duckdb_engine.reconcile_payment_columns`. The mapping follows
:mod:`gateway.reconcile.payments.documents` (the file CLI's rules):

==============================  ========  ==============================================================
record                          role      line
==============================  ========  ==============================================================
5201 / 8202 voucher             voucher   ``PayAmt``, own ``PayBankCode`` / ``VouDate``
5201 / 8202 回单                  receipt   ``XPayAmt``, ``XPayDate``; bank = the ``PayBankCode`` of the
                                          stored voucher it answers (bound at intake)
2252 退款通知                     refund    ``PayAmt`` (negative), ``OriginalVoucherNo``, bank ``""``
2301 / 2302 and their 回单        clearing  one line per detail: ``ClearingNo`` = the 2301's VoucherNo,
                                          ``VoucherNo`` = the detail's; bank = ``PayBankNo``
3510 / 5510 清算额度对账          quota     line 0 = the header, 1… = the details (bank defaults to the
                                          header's ``ClearBankCode``)
==============================  ========  ==============================================================

A line is ``active`` when a run should read it; the flag carries the documents' "which one counts" rules
into the store so a run needs no per-row resolution:

* voucher / receipt / refund: a record identical to an active one (same SM3 of its canonical JSON — the same
  record sent again under a new message id) is stored inactive, so a resend is never counted twice;
* clearing, per (division, VtCode, ClearingNo): the first request counts until a 回单 arrives; the latest
  回单 replaces it (a 回单 with ``XPayAmt`` 0.00 for a non-zero request cleared nothing: all lines
  inactive). A different ClearingNo naming the same voucher is a second clearing (DOUBLE_CLEARED);
* quota, per (division, statement VoucherNo): the latest 3510 counts; a 5510 (the 回执 repeating the
  balances) counts only while no 3510 of that statement is stored.

A CFX 3143 / 3144 arrives already normalised into the 2301 / 2302 回单 (``gateway.services.profiles``); a
refused one has ``XPayAmt`` 0.00. 3501 / 3502 凭证对账 statements are not payment lines: the payment kind
does not read them (the file CLI takes them as an explicit input); they are ``statement_lines``, read by the
statement kind (:mod:`gateway.store.statement_lines`), which reads the quota lines here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from gateway.model import RoutedVoucher
from gateway.payment_lines import PaymentLine
from gateway.reconcile.payments.columns import PaymentInputs
from gateway.store.tables import payment_lines, routes

_PLAIN_ROLES = ("voucher", "receipt", "refund")
_LINE_COLUMNS = tuple(f.name for f in fields(PaymentLine) if f.name != "void")
"""The :class:`PaymentLine` fields that are columns (``void`` is not stored: it decides ``active``)."""


class PaymentLineRepository:
    """Writes a message's lines and keeps the ``active`` flags (see the module docstring)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, message_pk: int, lines: Sequence[PaymentLine]) -> int:
        """Store the lines of one message (records in position order); returns how many are active."""
        if not lines:
            return 0
        rows: list[dict[str, object]] = []
        plain = [line for line in lines if line.role in _PLAIN_ROLES]
        known = self._active_digests({line.record_sm3 for line in plain})
        documents: dict[int, bool] = {}  # clearing / quota: decided once per record (position)
        for line in lines:
            if line.role in _PLAIN_ROLES:
                active = line.record_sm3 not in known
                known.add(line.record_sm3)
            else:
                if line.position not in documents:
                    decide = self._clearing_active if line.role == "clearing" else self._quota_active
                    documents[line.position] = decide(line, rows)
                active = documents[line.position]
            row = {name: getattr(line, name) for name in _LINE_COLUMNS}  # flat values: no asdict deep copy
            row.update(message_pk=message_pk, active=active)
            rows.append(row)
        self._c.execute(insert(payment_lines), rows)
        return sum(1 for r in rows if r["active"])

    def _active_digests(self, digests: set[str]) -> set[str]:
        wanted, known = sorted(digests), set[str]()
        for start in range(0, len(wanted), 500):  # bounded IN lists (SQLite's parameter limit)
            found = self._c.execute(
                select(payment_lines.c.record_sm3)
                .where(
                    payment_lines.c.record_sm3.in_(wanted[start : start + 500]),
                    payment_lines.c.active.is_(True),
                )
                .distinct()
            )
            known.update(d for (d,) in found)
        return known

    def _clearing_active(self, line: PaymentLine, pending: list[dict[str, object]]) -> bool:
        t = payment_lines.c
        key = and_(
            t.role == "clearing",
            t.adm_div_code == line.adm_div_code,
            t.vt_code == line.vt_code,
            t.clearing_no == line.clearing_no,
        )

        def same(row: dict[str, object]) -> bool:
            return (
                row["role"] == "clearing"
                and row["adm_div_code"] == line.adm_div_code
                and row["vt_code"] == line.vt_code
                and row["clearing_no"] == line.clearing_no
                and row["position"] != line.position
            )

        if line.is_receipt:  # the latest 回单 replaces its request and any earlier 回单
            self._c.execute(update(payment_lines).where(key, t.active.is_(True)).values(active=False))
            for row in pending:
                if same(row):
                    row["active"] = False
            return not line.void
        if any(same(r) for r in pending):
            return False
        earlier = self._c.execute(select(t.id).where(key).limit(1)).first()
        return earlier is None

    def _quota_active(self, line: PaymentLine, pending: list[dict[str, object]]) -> bool:
        t = payment_lines.c
        key = and_(t.role == "quota", t.adm_div_code == line.adm_div_code, t.voucher_no == line.voucher_no)

        def same(row: dict[str, object], vt_codes: tuple[str, ...]) -> bool:
            return (
                row["role"] == "quota"
                and row["adm_div_code"] == line.adm_div_code
                and row["voucher_no"] == line.voucher_no
                and row["vt_code"] in vt_codes
                and row["position"] != line.position
            )

        if line.vt_code == "3510":
            replaced: tuple[str, ...] = ("3510", "5510")
        else:
            if any(same(r, ("3510",)) for r in pending):
                return False
            if self._c.execute(select(t.id).where(key, t.vt_code == "3510").limit(1)).first() is not None:
                return False
            replaced = ("5510",)
        self._c.execute(
            update(payment_lines).where(key, t.vt_code.in_(replaced), t.active.is_(True)).values(active=False)
        )
        for row in pending:
            if same(row, replaced):
                row["active"] = False
        return True

    # ---- the vouchers a bank's answer names (authorization, gateway/routing.py) ------------------------

    def routed_vouchers(
        self, keys: Iterable[tuple[str, str]], rule: str
    ) -> dict[tuple[str, str], list[RoutedVoucher]]:
        """Every stored voucher with one of these (AdmDivCode, VoucherNo) and the receiver of its route
        named ``rule`` (the bank it was routed to). One indexed query per division and 500 numbers — one
        for a document in practice; resends are included (they went to the same bank)."""
        by_adm: dict[str, set[str]] = {}
        for adm, number in keys:
            by_adm.setdefault(adm, set()).add(number)
        t, r = payment_lines.c, routes.c
        found: dict[tuple[str, str], list[RoutedVoucher]] = {}
        for adm, numbers in sorted(by_adm.items()):
            wanted = sorted(numbers)
            for start in range(0, len(wanted), 500):  # bounded IN lists (SQLite's parameter limit)
                rows = self._c.execute(
                    select(t.voucher_no, r.receiver, t.pay_bank_code)
                    .join_from(
                        payment_lines, routes, and_(r.message_pk == t.message_pk, r.position == t.position)
                    )
                    .where(
                        t.adm_div_code == adm,
                        t.role == "voucher",
                        t.voucher_no.in_(wanted[start : start + 500]),
                        r.rule == rule,
                    )
                    .distinct()
                )
                for number, bank, code in rows:
                    found.setdefault((adm, number), []).append(RoutedVoucher(adm, number, bank, code))
        return found

    # ---- reading one scope ---------------------------------------------------------------------------

    def scope_inputs(self, adm_div_code: str, day: date, pay_bank_code: str | None = None) -> PaymentInputs:
        """The engine inputs of one division-day (optionally one agency bank), in five queries.

        Vouchers: the division's active vouchers of ``day`` (of that bank). Receipts, refunds and clearing
        lines: those naming one of these vouchers, whatever their own date, plus the day's (that bank's)
        lines naming a voucher finance never sent (they belong to their own day's group); a receipt names
        a voucher only with the voucher's bank (or no bank), else it is one of the day's strays. Quota: the
        day's (that bank's) balance lines. Plain column fetches, in storage order."""
        t = payment_lines.c
        own_bank: list[ColumnElement[bool]] = (
            [] if pay_bank_code is None else [t.pay_bank_code == pay_bank_code]
        )
        base = [t.active.is_(True), t.adm_div_code == adm_div_code]
        vouchers = select(t.voucher_no).where(*base, t.role == "voucher", t.vou_date == day, *own_bank)
        known = aliased(payment_lines)

        def unknown(reference: ColumnElement[str]) -> ColumnElement[bool]:
            return ~exists().where(
                known.c.role == "voucher",
                known.c.active.is_(True),
                known.c.adm_div_code == adm_div_code,
                known.c.voucher_no == reference,
            )

        def chained(
            role: str, reference: ColumnElement[str], *columns: ColumnElement[object]
        ) -> Select[tuple[object, ...]]:
            mine = select(t.id, *columns).where(*base, t.role == role, reference.in_(vouchers))
            orphans = select(t.id, *columns).where(
                *base, t.role == role, t.vou_date == day, *own_bank, unknown(reference)
            )
            both = union_all(mine, orphans).subquery()
            return select(*both.c).order_by(both.c.id)

        def same_bank(voucher: Any) -> ColumnElement[bool]:
            """A receipt answers a voucher of its own bank, or when either names none (payments_reference)."""
            bank = voucher.c.pay_bank_code
            return or_(t.pay_bank_code == "", bank == "", t.pay_bank_code == bank)

        def receipts_of(*columns: ColumnElement[object]) -> Select[tuple[object, ...]]:
            """Receipts matched (division, voucher number, bank) to the scope's vouchers, whatever their own
            date, plus the day's (that bank's) stray receipts: for a voucher finance never sent, or sent to
            another bank. Both kinds are grouped as the engines group them."""
            scoped = aliased(payment_lines)
            scoped_bank = [] if pay_bank_code is None else [scoped.c.pay_bank_code == pay_bank_code]
            paid_here = exists().where(
                scoped.c.role == "voucher",
                scoped.c.active.is_(True),
                scoped.c.adm_div_code == adm_div_code,
                scoped.c.voucher_no == t.voucher_no,
                scoped.c.vou_date == day,
                *scoped_bank,
                same_bank(scoped),
            )
            paid_anywhere = exists().where(
                known.c.role == "voucher",
                known.c.active.is_(True),
                known.c.adm_div_code == adm_div_code,
                known.c.voucher_no == t.voucher_no,
                same_bank(known),
            )
            mine = select(t.id, *columns).where(
                *base, t.role == "receipt", t.voucher_no.in_(vouchers), paid_here
            )
            strays = select(t.id, *columns).where(
                *base, t.role == "receipt", t.vou_date == day, *own_bank, ~paid_anywhere
            )
            both = union_all(mine, strays).subquery()
            return select(*both.c).order_by(both.c.id)

        inputs = PaymentInputs()
        run = self._c.execute
        _fill(
            inputs.vouchers,
            run(
                select(t.adm_div_code, t.voucher_no, t.vou_date, t.pay_bank_code, t.amount_fen)
                .where(*base, t.role == "voucher", t.vou_date == day, *own_bank)
                .order_by(t.id)
            ).all(),
        )
        receipts = (t.adm_div_code, t.voucher_no, t.vou_date, t.pay_bank_code, t.x_pay_amt_fen, t.x_pay_date)
        _fill(inputs.receipts, run(receipts_of(*receipts)).all(), skip=1)
        refunds = (
            t.adm_div_code,
            t.voucher_no,
            t.original_voucher_no,
            t.vou_date,
            t.pay_bank_code,
            t.amount_fen,
        )
        _fill(inputs.refunds, run(chained("refund", t.original_voucher_no, *refunds)).all(), skip=1)
        clearing = (
            t.adm_div_code,
            t.vt_code,
            t.clearing_no,
            t.voucher_no,
            t.vou_date,
            t.pay_bank_code,
            t.amount_fen,
        )
        _fill(inputs.clearing, run(chained("clearing", t.voucher_no, *clearing)).all(), skip=1)
        quota = (
            t.adm_div_code,
            t.voucher_no,
            t.vou_date,
            t.pay_bank_code,
            t.pre_date_money_fen,
            t.clear_amt_fen,
            t.cur_reck_money_fen,
            t.cur_date_money_fen,
        )
        _fill(
            inputs.quota,
            run(
                select(*quota).where(*base, t.role == "quota", t.vou_date == day, *own_bank).order_by(t.id)
            ).all(),
        )
        return inputs


def _fill(target: Any, rows: Sequence[Sequence[Any]], skip: int = 0) -> None:
    """Transpose fetched rows into ``target``'s column lists (dropping the first ``skip`` columns)."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))[skip:]
    for spec, column in zip(fields(target), columns, strict=True):
        getattr(target, spec.name).extend(column)
