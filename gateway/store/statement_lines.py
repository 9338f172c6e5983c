"""3501 / 3502 凭证对账 statements as lines (``statement_lines``, migration 0012), and the reads of one
statement-reconciliation scope.

Written at intake (:func:`gateway.statement_lines.statement_lines_of`): line 0 the header, 1… the details.
Per (division, VtCode, statement VoucherNo) the latest statement received counts (``active``): a corrected
statement sent again under the same number replaces the earlier one, and a resend changes nothing.

:meth:`StatementLineRepository.scope_inputs` reads one scope (division, CheckDate, optionally one VtCode)
for :func:`gateway.reconcile.statements.duckdb_engine.reconcile_statement_columns`, in plain indexed column
fetches: the active statements of the day and their details (``statement_lines``), and from
``payment_lines`` the day's 回单 and clearing lines, the clearing documents the statements name, the
vouchers any of them name, and the day's 3510 / 5510 balance lines (their period's ``BeginDate`` read from
the stored record, which ``payment_lines`` does not keep).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from gateway.reconcile.statements.columns import (
    QUOTA_STATEMENT_TYPES,
    VOUCHER_STATEMENT_TYPES,
    StatementInputs,
)
from gateway.statement_lines import StatementLine
from gateway.store.tables import payment_lines, records, statement_lines

PAY_LAG = timedelta(days=92)
"""A 回单 is read for its pay day (``XPayDate``) when its own VouDate is at most this long before it (the
bound keeps the read on the (division, role, day) index)."""
_CHUNK = 500  # bounded IN lists (SQLite's parameter limit)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(values))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]


class StatementLineRepository:
    """Writes a message's statement lines, keeps ``active``, and reads a scope."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, message_pk: int, lines: Sequence[StatementLine]) -> int:
        """Store the lines of one message (records in position order); returns how many are active."""
        if not lines:
            return 0
        t = statement_lines.c
        latest: dict[tuple[str, str, str], int] = {}
        for line in lines:
            latest[(line.adm_div_code, line.vt_code, line.statement_no)] = line.position
        for adm, vt, number in latest:
            self._c.execute(
                update(statement_lines)
                .where(t.adm_div_code == adm, t.vt_code == vt, t.statement_no == number, t.active.is_(True))
                .values(active=False)
            )
        rows: list[dict[str, object]] = []
        for line in lines:
            row = asdict(line)
            key = (line.adm_div_code, line.vt_code, line.statement_no)
            row.update(message_pk=message_pk, active=latest[key] == line.position)
            rows.append(row)
        self._c.execute(insert(statement_lines), rows)
        return sum(1 for r in rows if r["active"])

    def scope_inputs(self, adm_div_code: str, day: date, vt_code: str | None = None) -> StatementInputs:
        """The engine inputs of one division and CheckDate (3510: EndDate), optionally one VtCode (3501,
        3502 or 3510 — which takes its 5510 replies along)."""
        inputs = StatementInputs()
        voucher_types = [v for v in VOUCHER_STATEMENT_TYPES if vt_code in (None, v)]
        run = self._c.execute
        s = statement_lines.c
        if voucher_types:
            rows = run(
                select(
                    s.line,
                    s.vt_code,
                    s.statement_no,
                    s.check_date,
                    s.bank,
                    s.e_voucher_type,
                    s.voucher_no,
                    s.amount_fen,
                    s.all_num,
                    s.pro_state,
                )
                .where(
                    s.adm_div_code == adm_div_code,
                    s.vt_code.in_(voucher_types),
                    s.check_date == day,
                    s.active.is_(True),
                )
                .order_by(s.id)
            ).all()
            for line, vt, number, check_date, bank, etype, voucher_no, fen, all_num, state in rows:
                if line == 0:
                    inputs.statements.append(
                        adm_div_code, vt, number, check_date, bank, etype, int(all_num or 0), int(fen or 0)
                    )
                else:
                    inputs.details.append(
                        adm_div_code, vt, number, voucher_no or "", int(fen or 0), state or ""
                    )
        t = payment_lines.c
        base = [t.adm_div_code == adm_div_code, t.active.is_(True)]
        if voucher_types:
            paid_on = or_(t.x_pay_date == day, and_(t.x_pay_date.is_(None), t.vou_date == day))
            for number, bank, vou_date, paid_day, fen in run(
                select(t.voucher_no, t.pay_bank_code, t.vou_date, t.x_pay_date, t.x_pay_amt_fen)
                .where(*base, t.role == "receipt", t.vou_date <= day, t.vou_date >= day - PAY_LAG, paid_on)
                .order_by(t.id)
            ):
                inputs.receipts.append(adm_div_code, number, bank, paid_day or vou_date, int(fen or 0))
        clearing = (t.id, t.vt_code, t.clearing_no, t.voucher_no, t.vou_date, t.pay_bank_code, t.amount_fen)
        seen: set[int] = set()

        def add_clearing(rows: Iterable[Any]) -> None:
            for pk, vt, clearing_no, number, vou_date, bank, fen in rows:
                if pk not in seen:
                    seen.add(pk)
                    inputs.clearing.append(
                        adm_div_code, vt, clearing_no or "", number, vou_date, bank, int(fen or 0)
                    )

        add_clearing(
            run(select(*clearing).where(*base, t.role == "clearing", t.vou_date == day).order_by(t.id))
        )
        named = set(inputs.details.voucher_no)
        h, d = inputs.statements, inputs.details
        by_document = {
            (v, n)
            for v, n, e in zip(h.vt_code, h.statement_no, h.e_voucher_type, strict=True)
            if e in ("2301", "2302")
        }
        documents = {
            number
            for v, n, number in zip(d.vt_code, d.statement_no, d.voucher_no, strict=True)
            if (v, n) in by_document
        }
        for chunk in _chunks(documents):
            add_clearing(
                run(
                    select(*clearing)
                    .where(*base, t.role == "clearing", t.clearing_no.in_(chunk))
                    .order_by(t.id)
                )
            )
        named |= set(inputs.receipts.voucher_no) | set(inputs.clearing.voucher_no)
        for chunk in _chunks(named):
            for (number,) in run(
                select(t.voucher_no)
                .where(*base, t.role == "voucher", t.voucher_no.in_(chunk))
                .distinct()
                .order_by(t.voucher_no)
            ):
                inputs.vouchers.append(adm_div_code, number)
        if vt_code in (None, "3510"):
            self._quota(inputs, adm_div_code, day)
        return inputs

    def _quota(self, inputs: StatementInputs, adm_div_code: str, day: date) -> None:
        t, r = payment_lines.c, records.c
        rows = self._c.execute(
            select(
                t.vt_code,
                t.voucher_no,
                t.line,
                t.vou_date,
                t.pay_bank_code,
                t.pre_date_money_fen,
                t.clear_amt_fen,
                t.cur_reck_money_fen,
                t.cur_date_money_fen,
                r.canonical,
            )
            .join_from(payment_lines, records, and_(r.message_pk == t.message_pk, r.position == t.position))
            .where(
                t.adm_div_code == adm_div_code,
                t.role == "quota",
                t.vt_code.in_(QUOTA_STATEMENT_TYPES),
                t.vou_date == day,
                t.active.is_(True),
            )
            .order_by(t.id)
        ).all()
        begins: dict[str, date] = {}
        for vt, number, line, end, bank, pre, clr, reck, cur, canonical in rows:
            if number not in begins:
                begins[number] = date.fromisoformat(str(json.loads(canonical).get("begin_date") or end))
            inputs.quota.append(
                adm_div_code,
                vt,
                number,
                int(line),
                begins[number],
                end,
                bank,
                int(pre or 0),
                int(clr or 0),
                int(reck or 0),
                int(cur or 0),
            )
