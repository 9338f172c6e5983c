"""预算指标核算: each accepted indicator record posts balanced double entries to its level ledger (ADR 0005).

Called once from intake inside the intake transaction (:func:`post_records`), so a record is posted exactly
when its message is committed, and a repeated message (idempotent intake answers it from the store) is never
posted twice; the UNIQUE constraint on ``ledger_entries (message_pk, position, indicator_id, kind)`` backs
that up.

Sides and accounts (debit-normal principal account / its credit contra account):

============  ===============================================  =========================================
side          when                                             accounts (principal / contra)
============  ===============================================  =========================================
``issued``    a TransferIndicator with REC_DIV_CODE (下达)      5301 转移支付指标下达 / 4301 转移支付指标来源
``received``  the lower books it (SUP_BGT_DOC_NO / ORI_BGT_ID   1301 上级转移支付指标 / 4401 上级补助指标来源
              and no REC_DIV_CODE), or 签收 (IndicatorReceipt)
``own``       any other indicator (本级)                         1101 本级预算指标 / 4101 本级指标来源
============  ===============================================  =========================================

A positive change debits the principal account and credits the contra; a negative one (a reducing ADJUST,
a RECALL, IS_DELETED = 1, a superseded receipt) is the reversing entry: debit the contra, credit the
principal. The principal account's balance per indicator always equals the row's current net amount —
:func:`check_ledger` verifies that, that every entry balances, and that nothing was posted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone

from adapters.base import Record
from gateway.rows import IndicatorRow, Line, NewEntry, NewIndicator
from gateway.services.ports import Ledger, UnitOfWork
from schemas.errors import Problem, ValidationFailed
from schemas.indicators import IndicatorEvent, IndicatorReceipt, ReceiptStatus, TransferIndicator
from schemas.money import MoneyFormatError, check_fen, format_fen, to_fen

CHINA = timezone(timedelta(hours=8))

ACCOUNTS: dict[str, tuple[str, str]] = {
    "issued": ("5301", "4301"),
    "received": ("1301", "4401"),
    "own": ("1101", "4101"),
}
"""Side → (principal, contra) account codes."""

ACCOUNT_NAMES: dict[str, str] = {
    "5301": "转移支付指标下达",
    "4301": "转移支付指标来源",
    "1301": "上级转移支付指标",
    "4401": "上级补助指标来源",
    "1101": "本级预算指标",
    "4101": "本级指标来源",
}

PRINCIPAL: dict[str, str] = {side: accounts[0] for side, accounts in ACCOUNTS.items()}


def _aware(local: datetime | None, fallback: datetime) -> datetime:
    """A BA_BGT_INFO time (naive Beijing time) as an aware instant; ``fallback`` when absent."""
    return fallback if local is None else local.replace(tzinfo=CHINA).astimezone(UTC)


@dataclass
class _Poster:
    repo: Ledger
    message_pk: int | None
    at: datetime
    posted: int = 0

    def _post(
        self, row_id: int, side: str, division: str, year: int, position: int, kind: str, delta: int
    ) -> None:
        principal, contra = ACCOUNTS[side]
        size = abs(delta)
        if delta >= 0:
            lines = (Line(principal, "D", size), Line(contra, "C", size))
        else:
            lines = (Line(contra, "D", size), Line(principal, "C", size))
        self.repo.post(NewEntry(self.message_pk, position, row_id, kind, self.at, division, year, lines))
        self.posted += 1

    def change(
        self, row: IndicatorRow, position: int, kind: str, delta: int, *, delete: bool = False
    ) -> None:
        """Post ``delta`` (fen, signed) on ``row`` and move its amount; ``delete`` also marks it deleted."""
        amount = _bounded(row.amount_fen + delta, position)
        self._post(row.id, row.side, row.division, row.fiscal_year, position, kind, delta)
        self.repo.set_amount(row.id, amount, self.at, deleted=delete)

    def open(self, new: NewIndicator, position: int, kind: str, amount_fen: int) -> None:
        """Open a row at ``amount_fen`` with its first entry (two inserts, no read-back)."""
        pk = self.repo.open(replace(new, amount_fen=amount_fen), self.at)
        self._post(pk, new.side, new.division, new.fiscal_year, position, kind, amount_fen)


def _bounded(amount_fen: int, position: int) -> int:
    """An indicator's net amount after a change stays within the one amount bound (schemas.money), so the
    ledger, its snapshot export and the reconciliation read it like any amount; else the message is
    refused (422), rolled back with the rest of its intake transaction."""
    try:
        return check_fen(amount_fen)
    except MoneyFormatError as exc:
        problem = Problem(
            f"[{position}].amount",
            exc.code,
            format_fen(amount_fen),
            f"the indicator's net amount: {exc.message}",
        )
        raise ValidationFailed([problem]) from None


def post_records(uow: UnitOfWork, message_pk: int, records: Sequence[Record], received_at: datetime) -> int:
    """Post every indicator record (and 签收 receipt) of one accepted message; returns entries posted."""
    poster = _Poster(uow.ledger, message_pk, received_at)
    for record in records:
        message = record.message
        if isinstance(message, TransferIndicator):
            _indicator(poster, record.position, message)
        elif isinstance(message, IndicatorReceipt):
            _receipt(poster, record.position, message)
    return poster.posted


def _side(m: TransferIndicator) -> str:
    if m.rec_div_code is not None:
        return "issued"
    if m.sup_bgt_doc_no is not None or m.ori_bgt_id is not None:
        return "received"
    return "own"


def _new(m: TransferIndicator, side: str, bgt_id: str, at: datetime, message_pk: int | None) -> NewIndicator:
    return NewIndicator(
        division=m.mof_div_code,
        side=side,
        counterparty=m.rec_div_code if side == "issued" else None,
        fiscal_year=m.fiscal_year,
        bgt_id=bgt_id,
        ori_bgt_id=m.ori_bgt_id if bgt_id == m.bgt_id else None,
        cor_bgt_doc_no=m.cor_bgt_doc_no,
        sup_bgt_doc_no=m.sup_bgt_doc_no,
        bgt_doc_title=m.bgt_doc_title,
        doc_date=m.doc_date.isoformat(),
        pro_code=m.pro_code,
        fund_type_code=m.fund_type_code,
        tp_func_code=m.tp_func_code,
        gov_bgt_eco_code=m.gov_bgt_eco_code,
        distri_type_code=m.distri_type_code,
        is_track=m.is_track,
        amount_fen=0,
        create_time=_aware(m.create_time, at),
        message_pk=message_pk,
    )


def _indicator(p: _Poster, position: int, m: TransferIndicator) -> None:
    deleted = m.is_deleted == "1"
    if m.event is IndicatorEvent.ISSUE:
        if deleted:  # 删除: reverse whatever is live under this id on the issuer's ledger
            for row in p.repo.live(m.mof_div_code, m.fiscal_year, m.bgt_id):
                p.change(row, position, "delete", -row.amount_fen, delete=True)
            return
        side = _side(m)
        if side == "received" and m.ori_bgt_id is not None:
            # The lower's own booking replaces a row opened by its earlier 签收 of the same indicator.
            for row in p.repo.live_received_for(m.mof_div_code, m.fiscal_year, m.ori_bgt_id):
                if row.origin == "receipt":
                    p.change(row, position, "supersede", -row.amount_fen, delete=True)
        p.open(_new(m, side, m.bgt_id, p.at, p.message_pk), position, "issue", to_fen(m.amount))
        return
    # ADJUST (signed delta) or RECALL (positive amount taken back) of the indicator the row changes: the
    # BA_BGT_ADJSUB BGT_ID (调入指标主键) when given, else ORI_BGT_ID; IS_DELETED = 1 withdraws that change.
    target = m.changed_bgt_id
    assert target is not None  # the schema requires one of them for ADJUST / RECALL
    delta = to_fen(m.amount) if m.event is IndicatorEvent.ADJUST else -to_fen(m.amount)
    if deleted:
        delta = -delta
    kind = "adjust" if m.event is IndicatorEvent.ADJUST else "recall"
    targets = p.repo.live(m.mof_div_code, m.fiscal_year, target)
    if targets:
        p.change(targets[0], position, kind, delta)
    else:  # a change to an indicator the gateway never saw opens it at the change (ADR 0005)
        p.open(_new(m, _side(m), target, p.at, p.message_pk), position, kind, delta)


def _receipt(p: _Poster, position: int, m: IndicatorReceipt) -> None:
    """签收 by the lower: book the upper's indicator as received unless the lower already booked it."""
    if m.rec_status is not ReceiptStatus.ACCEPTED:
        return
    issued = p.repo.issued_to(m.mof_div_code, m.rec_div_code, m.fiscal_year, m.bgt_id)
    if not issued:
        return  # the gateway never saw that indicator: nothing to book (the upper's ledger is elsewhere)
    if p.repo.live_received_for(m.rec_div_code, m.fiscal_year, m.bgt_id):
        return  # already booked (its own booking, or an earlier receipt): never a second entry
    up = issued[0]
    new = NewIndicator(
        division=m.rec_div_code,
        side="received",
        counterparty=None,
        fiscal_year=m.fiscal_year,
        bgt_id=m.rec_bgt_id or m.bgt_id,
        ori_bgt_id=m.bgt_id,
        cor_bgt_doc_no=None,
        sup_bgt_doc_no=up.cor_bgt_doc_no,
        bgt_doc_title=up.bgt_doc_title,
        doc_date=up.doc_date,
        pro_code=up.pro_code,
        fund_type_code=up.fund_type_code,
        tp_func_code=up.tp_func_code,
        gov_bgt_eco_code=up.gov_bgt_eco_code,
        distri_type_code=up.distri_type_code,
        is_track=up.is_track,
        amount_fen=0,
        create_time=_aware(m.rec_time, p.at),
        origin="receipt",
        message_pk=p.message_pk,
    )
    p.open(new, position, "receive", up.amount_fen)


@dataclass(frozen=True)
class LedgerCheck:
    """The invariant "ledger balanced, no double posting": every list empty when it holds."""

    unbalanced: tuple[tuple[int, int], ...]
    amount_mismatches: tuple[tuple[int, int, int], ...]
    double_postings: tuple[tuple[int | None, int, int, str, int], ...]

    @property
    def ok(self) -> bool:
        return not (self.unbalanced or self.amount_mismatches or self.double_postings)

    def problems(self) -> list[str]:
        out = [f"entry {e}: debit − credit = {d} fen" for e, d in self.unbalanced]
        out += [
            f"indicator row {i}: amount {a} fen, principal balance {b} fen"
            for i, a, b in self.amount_mismatches
        ]
        out += [
            f"message {m} record {p}: {k} posted {n}× on row {i}" for m, p, i, k, n in self.double_postings
        ]
        return out


def check_ledger(repo: Ledger) -> LedgerCheck:
    """Check the ledger: entries balance, row amounts equal their principal balances, no double posts."""
    return LedgerCheck(
        tuple(repo.unbalanced_entries()),
        tuple(repo.principal_mismatches(PRINCIPAL)),
        tuple(repo.double_postings()),
    )
