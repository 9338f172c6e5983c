"""The vouchers that spend an indicator (控制, issue 17) — the one rule both the control at intake and the
资金追踪 report read.

A 5201 / 8202 voucher (finance → agency bank) spends the indicator on its paying division's own ledger
(``AdmDivCode``; side ``own`` or ``received``, never ``issued``) whose 本级指标文号 ``COR_BGT_DOC_NO`` is the
voucher's ``FileNoCode`` in the voucher's ``StYear``. The link is one ``indicator_spends`` row per accepted
voucher (resends of a voucher still live are not linked twice); ``indicator_id`` is NULL when no indicator
was found (control off, or a held voucher whose indicator is unknown).

What a spend counts, in integer fen:

=============  ==================================================  ===============  =============
state          when                                                ``in_flight``    ``paid``
=============  ==================================================  ===============  =============
``in_flight``  accepted and routed to the agency bank               PayAmt           0
``held``       accepted, held for ops review (not routed)           0                0
``paid``       the bank's 回单 with XPayAmt > 0 (less 2252 refunds)  0                XPayAmt − refunds
``failed``     the bank's 回单 with XPayAmt 0.00 (not paid)          0                0
``refused``    ops refused the held voucher (退回)                   0                0
=============  ==================================================  ===============  =============

"In flight" therefore ends with the voucher's 回单 (whatever was not paid is released), or with an ops
refusal; a 2252 refund gives back what it returns. ``ledger_indicators.spent_fen`` is the sum of
``in_flight + paid`` of the indicator's spends, kept by the same statements, so the control's check is one
conditional UPDATE on the indicator row (:meth:`IndicatorSpending.reserve`): atomic on PostgreSQL (the row
lock, then the condition re-read) and on SQLite (writers are serialised).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from gateway.rows import Candidate, NewSpend, Spend
from gateway.store.tables import indicator_spends, ledger_indicators

LIVE_STATES = ("in_flight", "held", "paid")
"""A voucher in one of these states is not linked again when it is sent again."""

SPENDING_SIDES = ("own", "received")
"""The ledger sides a division pays from (an ``issued`` row is money handed down to another level)."""


@dataclass(frozen=True)
class Totals:
    """What the vouchers linked to one indicator have paid and still have in flight (fen)."""

    paid_fen: int = 0
    in_flight_fen: int = 0
    held_fen: int = 0
    vouchers: int = 0


_T = ledger_indicators.c
_S = indicator_spends.c
_CANDIDATE = (
    _T.id,
    _T.fiscal_year,
    _T.bgt_id,
    _T.side,
    _T.cor_bgt_doc_no,
    _T.pro_code,
    _T.fund_type_code,
    _T.tp_func_code,
    _T.gov_bgt_eco_code,
    _T.amount_fen,
    _T.spent_fen,
    _T.is_deleted,
)
_SPEND = tuple(indicator_spends.c)


def _candidate(row: Any) -> Candidate:
    return Candidate(*row)


def _spend(row: Any) -> Spend:
    return Spend(*row)


class IndicatorSpending:
    """Reads and writes the voucher ↔ indicator link on one connection (a unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # ---- finding the indicator a voucher spends -------------------------------------------------------

    def candidates(self, division: str, doc_no: str) -> list[Candidate]:
        """Every row (any year, deleted too) on ``division``'s spending sides with 指标文号 ``doc_no``."""
        rows = self._c.execute(
            select(*_CANDIDATE)
            .where(_T.division == division, _T.cor_bgt_doc_no == doc_no, _T.side.in_(SPENDING_SIDES))
            .order_by(_T.id)
        )
        return [_candidate(r) for r in rows]

    def candidates_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Candidate]]:
        """(division, 指标文号) → its candidates, for every key at once (one query per division and 500
        numbers); keys without any row map to ``[]``."""
        by_division: dict[str, set[str]] = {}
        for division, doc_no in keys:
            by_division.setdefault(division, set()).add(doc_no)
        out: dict[tuple[str, str], list[Candidate]] = {}
        for division, numbers in sorted(by_division.items()):
            wanted = sorted(numbers)
            for doc_no in wanted:
                out[(division, doc_no)] = []
            for start in range(0, len(wanted), 500):
                rows = self._c.execute(
                    select(*_CANDIDATE)
                    .where(
                        _T.division == division,
                        _T.cor_bgt_doc_no.in_(wanted[start : start + 500]),
                        _T.side.in_(SPENDING_SIDES),
                    )
                    .order_by(_T.id)
                )
                for row in rows:
                    found = _candidate(row)
                    out[(division, str(found.cor_bgt_doc_no))].append(found)
        return out

    def candidate(self, indicator_id: int) -> Candidate | None:
        row = self._c.execute(select(*_CANDIDATE).where(_T.id == indicator_id)).one_or_none()
        return None if row is None else _candidate(row)

    # ---- the balance: one conditional UPDATE per reservation ------------------------------------------

    def reserve(self, indicator_id: int, fen: int) -> bool:
        """Add ``fen`` to the indicator's spent amount if it stays within its live net amount; False (and
        nothing changed) otherwise. Two transactions reserving the last balance cannot both succeed."""
        result = self._c.execute(
            update(ledger_indicators)
            .where(
                _T.id == indicator_id,
                _T.is_deleted.is_(False),
                _T.spent_fen + fen <= _T.amount_fen,
            )
            .values(spent_fen=_T.spent_fen + fen)
        )
        return result.rowcount == 1

    def force(self, indicator_id: int, fen: int) -> None:
        """Move the spent amount by ``fen`` (signed) unconditionally: control off, an ops release, a 回单 or
        a refund settling what was reserved."""
        if fen:
            self._c.execute(
                update(ledger_indicators).where(_T.id == indicator_id).values(spent_fen=_T.spent_fen + fen)
            )

    # ---- the link -------------------------------------------------------------------------------------

    def add(self, spends: Sequence[NewSpend]) -> None:
        if spends:
            self._c.execute(insert(indicator_spends), [s.__dict__ | {"paid_fen": 0} for s in spends])

    def live(self, adm_div_code: str, voucher_no: str) -> Spend | None:
        """The voucher's live spend (in flight, held or paid), if any; the latest when several."""
        row = self._c.execute(
            select(*_SPEND)
            .where(
                _S.adm_div_code == adm_div_code,
                _S.voucher_no == voucher_no,
                _S.state.in_(LIVE_STATES),
            )
            .order_by(_S.id.desc())
            .limit(1)
        ).one_or_none()
        return None if row is None else _spend(row)

    def live_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (AdmDivCode, VoucherNo) of ``keys`` that already have a live spend (resends)."""
        by_division: dict[str, set[str]] = {}
        for division, number in keys:
            by_division.setdefault(division, set()).add(number)
        found: set[tuple[str, str]] = set()
        for division, numbers in sorted(by_division.items()):
            wanted = sorted(numbers)
            for start in range(0, len(wanted), 500):
                rows = self._c.execute(
                    select(_S.voucher_no)
                    .where(
                        _S.adm_div_code == division,
                        _S.voucher_no.in_(wanted[start : start + 500]),
                        _S.state.in_(LIVE_STATES),
                    )
                    .distinct()
                )
                found.update((division, str(number)) for (number,) in rows)
        return found

    def get(self, spend_id: int, *, for_update: bool = False) -> Spend | None:
        query = select(*_SPEND).where(_S.id == spend_id)
        if for_update and self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).one_or_none()
        return None if row is None else _spend(row)

    def set_state(
        self, spend_id: int, state: str, *, in_flight_fen: int, paid_fen: int, **review: Any
    ) -> None:
        self._c.execute(
            update(indicator_spends)
            .where(_S.id == spend_id)
            .values(state=state, in_flight_fen=in_flight_fen, paid_fen=paid_fen, **review)
        )

    # ---- the voucher's answers: a 回单 ends "in flight", a refund gives back --------------------------

    def settle(self, adm_div_code: str, voucher_no: str, paid_fen: int) -> Spend | None:
        """The bank's 回单: the voucher's in-flight spend becomes ``paid`` (``failed`` when nothing was paid)
        and the indicator is released of whatever was not paid. Returns the spend settled, if any."""
        spend = self.live(adm_div_code, voucher_no)
        return None if spend is None else self.settle_spend(spend, paid_fen)

    def settle_spend(self, spend: Spend, paid_fen: int) -> Spend | None:
        if spend.state != "in_flight":
            return None  # held (never sent), or already answered: a second 回单 settles nothing
        paid = min(paid_fen, spend.in_flight_fen)
        self.set_state(spend.id, "paid" if paid > 0 else "failed", in_flight_fen=0, paid_fen=paid)
        if spend.indicator_id is not None:
            self.force(spend.indicator_id, paid - spend.in_flight_fen)
        return spend

    def refund(self, adm_div_code: str, voucher_no: str, refund_fen: int) -> Spend | None:
        """A 2252 退款通知 for ``voucher_no`` (``refund_fen`` > 0): the paid amount goes down by it (never
        below zero) and the indicator gets it back."""
        spend = self.live(adm_div_code, voucher_no)
        return None if spend is None else self.refund_spend(spend, refund_fen)

    def refund_spend(self, spend: Spend, refund_fen: int) -> Spend | None:
        if spend.state != "paid":
            return None
        back = min(refund_fen, spend.paid_fen)
        self.set_state(spend.id, "paid", in_flight_fen=0, paid_fen=spend.paid_fen - back)
        if spend.indicator_id is not None:
            self.force(spend.indicator_id, -back)
        return spend

    # ---- reading (the 资金追踪 report, the ops queue) -------------------------------------------------

    def indicator_of(self, adm_div_code: str, voucher_no: str) -> int | None:
        """The indicator the voucher's latest spend is linked to (any state), if any."""
        row = self._c.execute(
            select(_S.indicator_id)
            .where(_S.adm_div_code == adm_div_code, _S.voucher_no == voucher_no)
            .order_by(_S.id.desc())
            .limit(1)
        ).one_or_none()
        return None if row is None or row[0] is None else int(row[0])

    def spends_of(self, indicator_id: int) -> list[Spend]:
        """Every voucher linked to the indicator, in arrival order (all states)."""
        rows = self._c.execute(select(*_SPEND).where(_S.indicator_id == indicator_id).order_by(_S.id))
        return [_spend(r) for r in rows]

    def totals(self, indicator_ids: Iterable[int]) -> dict[int, Totals]:
        """Indicator id → paid / in flight / held of its vouchers (ids without vouchers are left out)."""
        wanted = sorted(set(indicator_ids))
        out: dict[int, Totals] = {}
        for start in range(0, len(wanted), 500):  # bounded IN lists (SQLite's parameter limit)
            rows = self._c.execute(
                select(
                    _S.indicator_id,
                    func.sum(_S.paid_fen),
                    func.sum(_S.in_flight_fen),
                    func.sum(case((_S.state == "held", _S.amount_fen), else_=0)),
                    func.count(),
                )
                .where(_S.indicator_id.in_(wanted[start : start + 500]))
                .group_by(_S.indicator_id)
            )
            for ident, paid, flight, held, count in rows:
                out[int(ident)] = Totals(int(paid), int(flight), int(held), int(count))
        return out

    def held(self, limit: int = 200) -> list[Spend]:
        """Vouchers held for ops review, oldest first."""
        rows = self._c.execute(select(*_SPEND).where(_S.state == "held").order_by(_S.id).limit(limit))
        return [_spend(r) for r in rows]

    def of_message(self, message_pk: int) -> list[Spend]:
        rows = self._c.execute(select(*_SPEND).where(_S.message_pk == message_pk).order_by(_S.position))
        return [_spend(r) for r in rows]
