"""控制 at intake (issue 17, ADR 0008): every 5201 / 8202 voucher is linked to the indicator it spends and
checked against the paying division's rules, inside the intake transaction.

available = the indicator's live net amount (issued + adjustments − recalled: the ledger row, ADR 0005)
− what its vouchers have paid − what they have in flight (:mod:`gateway.store.indicator_spending`). The
balance check is the conditional UPDATE of the spends port's ``reserve``
(:meth:`gateway.store.indicator_spending.IndicatorSpending.reserve`), so two concurrent vouchers against the
last balance cannot both pass.

Finding the indicator: the rows on the paying division's ``own`` / ``received`` ledger whose
``COR_BGT_DOC_NO`` is the voucher's ``FileNoCode`` (the 5201 / 8202 field set carries no BGT_ID). None →
``indicator_unknown``; only other years → ``indicator_year_mismatch``; all deleted or taken back to zero →
``indicator_recalled``; several live rows → narrowed by 功能科目 (ExpFuncCode under TP_FUNC_CODE), then by
预算项目 (DepProCode = PRO_CODE), else ``indicator_ambiguous``.

A voucher that fails is refused or held per the failed rule's action (:mod:`gateway.services.control_rules`).
One refusal refuses the whole document (422, every voucher listed as passed or failed); held vouchers are
accepted but not routed until ops release them (:mod:`gateway.services.control_review`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.base import Record
from gateway.rows import Candidate, NewSpend, Spend
from gateway.services.control_rules import CODES, NO_RULES, DivisionRules, RuleSet, rule_set
from gateway.services.errors import ServiceError
from gateway.services.ports import Spends, UnitOfWork
from schemas.money import format_fen, to_fen
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice


@dataclass(frozen=True)
class Verdict:
    """The control's decision on one voucher (``action``: pass | hold | refuse)."""

    position: int
    voucher: PaymentVoucher
    indicator: Candidate | None
    codes: tuple[str, ...]
    action: str
    available_fen: int | None
    """The indicator's available balance before this voucher (None: no indicator)."""
    unlinked: tuple[str, ...] = ()
    """Why no indicator was found (``indicator_unknown``, …) when the voucher passed without one (control
    off): not a failed check, but stored with its link so 资金追踪 can say why it is unlinked."""

    @property
    def amount_fen(self) -> int:
        return to_fen(self.voucher.pay_amt)

    def as_detail(self, *, refused: bool = False) -> dict[str, Any]:
        """The voucher's part of an answer or audit entry; ``refused``: in a refused document, where a
        voucher that would have been held is ``needs_review`` (nothing of the document is kept)."""
        v = self.voucher
        held = "needs_review" if refused else "held"
        return {
            "position": self.position,
            "voucher_no": v.voucher_no,
            "adm_div_code": v.adm_div_code,
            "file_no_code": v.file_no_code,
            "amount": format_fen(self.amount_fen),
            "result": {"pass": "passed", "hold": held, "refuse": "failed"}[self.action],
            "codes": list(self.codes),
            "reasons": [CODES[c] for c in self.codes],
            "bgt_id": None if self.indicator is None else self.indicator.bgt_id,
            "available": None if self.available_fen is None else format_fen(self.available_fen),
        }


class ControlRefused(ServiceError):
    """A voucher of the document failed a control rule whose action is ``refuse``. ``rule_code`` is the
    first failed voucher's first code (``indicator_exhausted``, …; the API answers with it as the error
    code); the detail lists every voucher."""

    def __init__(self, verdicts: Sequence[Verdict], version: int | None) -> None:
        failed = [v for v in verdicts if v.action == "refuse"]
        self.rule_code = failed[0].codes[0]
        self.verdicts = tuple(verdicts)
        self.version = version
        summary = ", ".join(f"{v.voucher.voucher_no}: {'/'.join(v.codes)}" for v in failed)
        super().__init__(f"refused by indicator control (rules v{version}): {summary}")

    def as_detail(self) -> dict[str, Any]:
        return {
            "message": "凭证未通过指标控制，整份报文未接收",
            "rule_version": self.version,
            "vouchers": [v.as_detail(refused=True) for v in self.verdicts],
        }


_CACHE: dict[tuple[int, str], RuleSet] = {}


def current_rules(uow: UnitOfWork) -> RuleSet:
    """The newest loaded rule set (built once per version and file digest in a process)."""
    latest = uow.control_rules.latest()
    if latest is None:
        return NO_RULES
    version, digest, stored = latest
    key = (version, digest)
    if key not in _CACHE:
        _CACHE[key] = rule_set(version, stored)
    return _CACHE[key]


def vouchers_of(records: Iterable[Record]) -> list[tuple[int, PaymentVoucher]]:
    return [(r.position, r.message) for r in records if isinstance(r.message, PaymentVoucher)]


def decide(
    uow: UnitOfWork,
    rules: RuleSet,
    vouchers: Sequence[tuple[int, PaymentVoucher]],
    division_of: Callable[[str], str],
) -> list[Verdict]:
    """Link and check every voucher (resends of a voucher still live are left out); reserves the amount of
    every voucher that passes. ``division_of`` maps a voucher's AdmDivCode to the MOF_DIV_CODE of its
    finance (the party registry), whose ledger it spends from and whose rules apply. The caller raises
    :class:`ControlRefused` or records the verdicts (in document order).

    The indicator rows are updated in ascending id order (the vouchers of one indicator in document order),
    so two transactions never lock two indicators in opposite orders (no deadlock on PostgreSQL); the
    ``available`` of each verdict counts the document's earlier reservations on the same indicator."""
    spending = uow.spending
    keys = [(v.adm_div_code, v.voucher_no) for _, v in vouchers]
    live = spending.live_many(keys)
    divisions = {v.adm_div_code: division_of(v.adm_div_code) for _, v in vouchers}
    wanted = {(divisions[v.adm_div_code], v.file_no_code) for _, v in vouchers if v.file_no_code}
    candidates = spending.candidates_many((d, n) for d, n in wanted if n is not None)
    items: list[_Item] = []
    seen: set[tuple[str, str]] = set()
    for position, voucher in vouchers:
        key = (voucher.adm_div_code, voucher.voucher_no)
        if key in live or key in seen:
            continue  # the same voucher again: linked once
        seen.add(key)
        division = divisions[voucher.adm_div_code]
        indicator, identity = _identify(voucher, candidates.get((division, voucher.file_no_code or ""), []))
        items.append(_Item(position, voucher, rules.of(division), indicator, tuple(identity)))
    verdicts: dict[int, Verdict] = {}
    used: dict[int, int] = {}
    forced = _Forced(spending)
    for item in sorted(items, key=lambda i: -1 if i.indicator is None else i.indicator.id):
        verdicts[item.position] = _verdict(spending, item, used, forced)
    forced.flush()
    return [verdicts[item.position] for item in items]


def check(
    spending: Spends,
    division: DivisionRules,
    position: int,
    voucher: PaymentVoucher,
    found: Sequence[Candidate],
    *,
    reviewed: bool = False,
) -> Verdict:
    """One voucher's verdict (``reviewed``: an ops release, which is the review the 大额支付 rule asks for).
    A passing voucher's amount is reserved on its indicator."""
    indicator, identity = _identify(voucher, found)
    forced = _Forced(spending)
    verdict = _verdict(
        spending,
        _Item(position, voucher, division, indicator, tuple(identity)),
        {},
        forced,
        reviewed=reviewed,
    )
    forced.flush()
    return verdict


@dataclass(frozen=True)
class _Item:
    position: int
    voucher: PaymentVoucher
    division: DivisionRules
    indicator: Candidate | None
    identity: tuple[str, ...]


@dataclass
class _Forced:
    """Unconditional additions (control off, no balance rule), one UPDATE per run of one indicator."""

    spending: Spends
    indicator_id: int | None = None
    fen: int = 0

    def add(self, indicator_id: int, fen: int) -> None:
        if indicator_id != self.indicator_id:
            self.flush()
            self.indicator_id = indicator_id
        self.fen += fen

    def flush(self) -> None:
        if self.indicator_id is not None and self.fen:
            self.spending.force(self.indicator_id, self.fen)
        self.indicator_id, self.fen = None, 0


def _verdict(
    spending: Spends, item: _Item, used: dict[int, int], forced: _Forced, *, reviewed: bool = False
) -> Verdict:
    voucher, division, indicator = item.voucher, item.division, item.indicator
    amount = to_fen(voucher.pay_amt)
    available = None if indicator is None else indicator.available_fen - used.get(indicator.id, 0)
    if division.policy == "off":
        if indicator is not None:
            forced.add(indicator.id, amount)
            used[indicator.id] = used.get(indicator.id, 0) + amount
        return Verdict(item.position, voucher, indicator, (), "pass", available, item.identity)
    codes = list(item.identity)
    if indicator is not None:
        codes.extend(_element_codes(division, voucher, indicator))
    if not reviewed and division.large_payment is not None and amount >= division.large_payment.threshold_fen:
        codes.append("large_payment")
    if not codes and indicator is not None:
        if not division.indicator_balance:
            forced.add(indicator.id, amount)
        else:
            forced.flush()  # keep the row order: nothing of an earlier indicator is left to write
            if not spending.reserve(indicator.id, amount):
                fresh = spending.candidate(indicator.id)  # the balance as the winning transaction left it
                available = None if fresh is None else fresh.available_fen
                codes.append("indicator_exhausted")
        if not codes:
            used[indicator.id] = used.get(indicator.id, 0) + amount
    if not codes:
        return Verdict(item.position, voucher, indicator, (), "pass", available)
    action = "refuse" if any(division.action(c) == "refuse" for c in codes) else "hold"
    return Verdict(item.position, voucher, indicator, tuple(codes), action, available)


def _identify(voucher: PaymentVoucher, found: Sequence[Candidate]) -> tuple[Candidate | None, list[str]]:
    """The indicator the voucher spends, or the identity code that says why there is none."""
    if not voucher.file_no_code or not found:
        return None, ["indicator_unknown"]
    same_year = [c for c in found if c.fiscal_year == voucher.st_year]
    if not same_year:
        return None, ["indicator_year_mismatch"]
    live = [c for c in same_year if not c.is_deleted and c.amount_fen > 0]
    if not live:
        return None, ["indicator_recalled"]
    if len(live) > 1:
        by_func = [c for c in live if _within(_func_codes(voucher), c.tp_func_code)]
        live = by_func or live
    if len(live) > 1:
        projects = _project_codes(voucher)
        by_project = [c for c in live if c.pro_code is not None and projects == {c.pro_code}]
        live = by_project or live
    if len(live) > 1:
        return None, ["indicator_ambiguous"]
    return live[0], []


def _func_codes(voucher: PaymentVoucher) -> set[str]:
    codes = {voucher.exp_func_code} | {d.exp_func_code for d in voucher.details}
    return {c for c in codes if c}


def _project_codes(voucher: PaymentVoucher) -> set[str]:
    codes = {voucher.dep_pro_code} | {d.dep_pro_code for d in voucher.details}
    return {c for c in codes if c}


def _eco_codes(voucher: PaymentVoucher) -> set[str]:
    codes = {voucher.exp_eco_code} | {d.exp_eco_code for d in voucher.details}
    return {c for c in codes if c}


def _within(codes: set[str], subject: str | None) -> bool:
    """Every 功能科目 of the voucher is the indicator's or under it (类 3 / 款 5 / 项 7 digits)."""
    return bool(codes) and subject is not None and all(c.startswith(subject) for c in codes)


def _element_codes(division: DivisionRules, voucher: PaymentVoucher, indicator: Candidate) -> list[str]:
    codes: list[str] = []
    if (
        division.func_subject
        and indicator.tp_func_code
        and not _within(_func_codes(voucher), indicator.tp_func_code)
    ):
        codes.append("func_subject_mismatch")
    if division.project and indicator.pro_code and _project_codes(voucher) != {indicator.pro_code}:
        codes.append("project_mismatch")
    if division.sangong:
        wanted = {division.sangong[c] for c in _eco_codes(voucher) if c in division.sangong}
        if wanted and wanted != {indicator.gov_bgt_eco_code}:
            codes.append("sangong_mismatch")
    if voucher.fund_type_code in division.revenue_fund_types and (
        indicator.fund_type_code != voucher.fund_type_code
    ):
        codes.append("revenue_fund_mismatch")
    return codes


def record(
    uow: UnitOfWork, message_pk: int, verdicts: Sequence[Verdict], version: int | None, at: datetime
) -> None:
    """Store the link of every accepted voucher (in flight, or held without a reservation). A voucher that
    passed without an indicator (control off or no balance rule, and none found) is stored too, with
    ``indicator_id`` NULL: 资金追踪 lists it as 未关联指标的凭证 rather than losing it; nothing is reserved
    for it, and its 回单 and refunds settle it like any other."""
    uow.spending.add(
        [
            NewSpend(
                message_pk=message_pk,
                position=v.position,
                adm_div_code=v.voucher.adm_div_code,
                vt_code=v.voucher.vt_code,
                voucher_no=v.voucher.voucher_no,
                fiscal_year=v.voucher.st_year,
                file_no_code=v.voucher.file_no_code,
                indicator_id=None if v.indicator is None else v.indicator.id,
                amount_fen=fen,
                in_flight_fen=fen if v.action == "pass" else 0,
                state="in_flight" if v.action == "pass" else "held",
                codes=",".join(v.codes or v.unlinked),
                rule_version=version,
                decided_at=at,
            )
            for v in verdicts
            for fen in (v.amount_fen,)  # converted once per voucher
        ]
    )


def settle_answers(uow: UnitOfWork, records: Iterable[Record]) -> None:
    """A bank's 回单 ends its voucher's "in flight" (paid = XPayAmt); a 2252 refund gives back what it
    returns (its PayAmt is negative). Applied in ascending indicator order, like :func:`decide`."""
    answers: list[tuple[int, int, str, Spend, int]] = []
    for r in records:
        m = r.message
        if isinstance(m, PaymentReceipt):
            spend = uow.spending.live(m.adm_div_code, m.voucher_no)
            kind, fen = "settle", to_fen(m.x_pay_amt)
        elif isinstance(m, RefundNotice):
            spend = uow.spending.live(m.adm_div_code, m.original_voucher_no)
            kind, fen = "refund", -to_fen(m.pay_amt)
        else:
            continue
        if spend is not None:
            answers.append((spend.indicator_id or 0, r.position, kind, spend, fen))
    for _, _, kind, spend, fen in sorted(answers, key=lambda a: (a[0], a[1])):
        current = uow.spending.get(spend.id)  # an earlier answer of this document may have moved it
        if current is None:  # pragma: no cover - read in this transaction
            continue
        if kind == "settle":
            uow.spending.settle_spend(current, fen)
        else:
            uow.spending.refund_spend(current, fen)
