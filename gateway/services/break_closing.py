"""Whether a run may close a break it no longer finds (issue 15).

A break key can vanish from a run for reasons that are not "the counterpart arrived": the run's as-of is
earlier than the as-of of the run that found it (the item is back inside its in-transit window, or the data
the later run saw is judged as of a moment before it), or a longer window moved it into IN_TRANSIT. So a
vanished break closes only when the store shows its counterpart, and the reason names the record and the
message that carried it; otherwise it stays open and the run counts it:

* ``not_rechecked`` — the run's as-of is earlier than the break's seen as-of: the run does not judge it;
* ``in_transit`` — the item is now inside its in-transit window (indicators: the run lists it as IN_TRANSIT;
  payments: no 回单 / no clearing covering it yet): not arrived, not closed;
* ``unconfirmed`` — no break any more but no counterpart found either (e.g. the issuing side deleted it):
  left for ops to resolve, with an event saying so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from gateway.reconcile.breaks import BreakType
from gateway.rows import BreakRow, LedgerRecord, PaymentRecord
from gateway.services.ports import Counterparts
from schemas.money import format_fen

CLOSE = "close"
NOT_RECHECKED = "not_rechecked"
IN_TRANSIT = "in_transit"
UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class Verdict:
    outcome: str
    """``close`` | ``not_rechecked`` | ``in_transit`` | ``unconfirmed``"""
    reason: str
    """简体中文, shown on the break page (the close reason or why it stays open)."""


def entity(ident: str) -> str:
    """What a break is about, without its type: ``MISSING_IN_LOWER|u|l|y|id:B`` → ``u|l|y|id:B``."""
    return ident.split("|", 1)[1] if "|" in ident else ident


def _message(record: LedgerRecord | PaymentRecord) -> str:
    return f"（报文 {record.message_id}）" if record.message_id else ""


Recheck = Callable[[Counterparts, Sequence[BreakRow]], dict[int, Verdict]]
"""A kind's look in the store for the counterparts of its vanished breaks (``Kind.recheck``):
:func:`judge_indicators`, :func:`judge_payments`, the statement kind's own."""


def judge(
    repo: Counterparts,
    recheck: Recheck,
    vanished: Sequence[BreakRow],
    *,
    as_of: datetime,
    found_entities: Mapping[str, str],
    in_transit_entities: Iterable[str] = (),
) -> dict[int, Verdict]:
    """A verdict per vanished break id. ``recheck`` is the kind's look for counterparts (of the breaks the
    general rules leave); ``found_entities`` maps the entity of every break this run found to its type;
    ``in_transit_entities`` are the entities the run lists as in transit."""
    transit = set(in_transit_entities)
    out: dict[int, Verdict] = {}
    pending: list[BreakRow] = []
    for row in vanished:
        if row.seen_as_of is not None and as_of < row.seen_as_of:
            out[row.id] = Verdict(
                NOT_RECHECKED,
                f"本次对账截至时间早于发现该差异的对账（{row.seen_as_of.isoformat()}），未重新判断，保持未关闭",
            )
            continue
        now_type = found_entities.get(entity(row.ident))
        if now_type is not None:
            label = _label(now_type)
            out[row.id] = Verdict(CLOSE, f"已由新的差异取代：{label}（本次对账同一笔发现 {now_type}）")
            continue
        if entity(row.ident) in transit:
            out[row.id] = Verdict(
                IN_TRANSIT, "已回到在途期（本次对账截至时间仍在在途窗口内），不视为对方数据到达，保持未关闭"
            )
            continue
        pending.append(row)
    out.update(recheck(repo, pending))
    return out


def _label(kind: str) -> str:
    try:
        return BreakType(kind).label_zh
    except ValueError:
        return kind


# ---- indicators ----------------------------------------------------------------------------------------


def judge_indicators(repo: Counterparts, rows: Sequence[BreakRow]) -> dict[int, Verdict]:
    out: dict[int, Verdict] = {}
    for row in rows:
        d = row.detail
        upper, lower, year = str(d.get("upper")), str(d.get("lower")), int(d.get("fiscal_year") or 0)
        bgt_id, lower_id, doc = d.get("bgt_id"), d.get("lower_bgt_id"), d.get("doc_no")
        lowers: list[LedgerRecord] = []
        uppers: list[LedgerRecord] = []
        if bgt_id:
            lowers = repo.received(lower, year, ori_bgt_ids=[bgt_id])
            uppers = repo.issued(upper, lower, year, bgt_ids=[bgt_id])
        elif doc:
            lowers = repo.received(lower, year, sup_doc_nos=[doc])
            uppers = repo.issued(upper, lower, year, cor_doc_nos=[doc])
        if lower_id:
            own = repo.received(lower, year, bgt_ids=[lower_id])
            lowers = lowers or own
            if not uppers:
                refs = [r.ori_bgt_id for r in own if r.ori_bgt_id]
                docs = [r.sup_bgt_doc_no for r in own if r.sup_bgt_doc_no]
                uppers = repo.issued(upper, lower, year, bgt_ids=refs, cor_doc_nos=docs)
        out[row.id] = _indicator_verdict(row.type, lowers, uppers)
    return out


def _indicator_verdict(kind: str, lowers: list[LedgerRecord], uppers: list[LedgerRecord]) -> Verdict:
    if kind == BreakType.MISSING_IN_LOWER:
        if lowers:
            r = lowers[-1]
            return Verdict(
                CLOSE,
                f"对方数据已到达：下级指标 {r.bgt_id}"
                f"（接收上级指标 {r.ori_bgt_id or r.sup_bgt_doc_no}）{_message(r)}",
            )
        return Verdict(
            UNCONFIRMED,
            "本次对账未再发现该差异，但下级仍无对应指标（上级可能已撤销），保持未关闭，请人工核实",
        )
    if kind == BreakType.MISSING_IN_UPPER:
        if uppers:
            r = uppers[-1]
            return Verdict(
                CLOSE, f"对方数据已到达：上级指标 {r.bgt_id}（文号 {r.cor_bgt_doc_no or '—'}）{_message(r)}"
            )
        return Verdict(
            UNCONFIRMED,
            "本次对账未再发现该差异，但上级仍无对应指标（下级可能已删除），保持未关闭，请人工核实",
        )
    if lowers and uppers:
        u_fen = sum(r.amount_fen for r in uppers)
        l_fen = sum(r.amount_fen for r in lowers)
        what = "金额已一致" if kind == BreakType.AMOUNT_MISMATCH else "差异已消除"
        latest = lowers[-1]
        return Verdict(
            CLOSE,
            f"{what}：上级 {format_fen(u_fen)} / 下级 {format_fen(l_fen)}，"
            f"下级指标 {latest.bgt_id}{_message(latest)}",
        )
    return Verdict(UNCONFIRMED, "本次对账未再发现该差异，但未找到双方对应记录，保持未关闭，请人工核实")


# ---- payments ------------------------------------------------------------------------------------------


def judge_payments(repo: Counterparts, rows: Sequence[BreakRow]) -> dict[int, Verdict]:
    by_adm: dict[str, list[BreakRow]] = defaultdict(list)
    for row in rows:
        by_adm[str(row.detail.get("adm_div_code"))].append(row)
    out: dict[int, Verdict] = {}
    for adm, group in by_adm.items():
        records: dict[str, list[PaymentRecord]] = defaultdict(list)
        for r in repo.payment_records(adm, {str(b.detail.get("voucher_no")) for b in group}):
            records[
                r.original_voucher_no if r.role == "refund" and r.original_voucher_no else r.voucher_no
            ].append(r)
        for row in group:
            out[row.id] = _payment_verdict(row, records.get(str(row.detail.get("voucher_no")), []))
    return out


def _payment_verdict(row: BreakRow, records: list[PaymentRecord]) -> Verdict:
    voucher_no = str(row.detail.get("voucher_no"))
    vouchers = [r for r in records if r.role == "voucher"]
    receipts = [r for r in records if r.role == "receipt"]
    refunds = [r for r in records if r.role == "refund"]
    clearing = [r for r in records if r.role == "clearing"]
    ident = row.ident.rsplit("|", 1)[-1]
    if row.type == BreakType.UNPAID:
        if receipts:
            r = receipts[-1]
            return Verdict(CLOSE, f"对方数据已到达：凭证 {voucher_no} 的银行回单{_message(r)}")
        return Verdict(IN_TRANSIT, f"凭证 {voucher_no} 仍在等待银行回单（在途），不视为已支付，保持未关闭")
    if row.type == BreakType.PAY_AMOUNT_MISMATCH and ident.startswith("voucher:"):
        paid = sum(r.x_pay_amt_fen or 0 for r in receipts)
        due = sum(r.amount_fen or 0 for r in vouchers)
        if receipts and vouchers and paid == due:
            return Verdict(CLOSE, f"支付金额已一致：回单支付 {format_fen(paid)}{_message(receipts[-1])}")
        return Verdict(UNCONFIRMED, "本次对账未再发现该差异，但回单金额仍与凭证不符，保持未关闭，请人工核实")
    if row.type == BreakType.NOT_CLEARED:
        paid = sum(r.x_pay_amt_fen or 0 for r in receipts) + sum(r.amount_fen or 0 for r in refunds)
        cleared = sum(
            (r.amount_fen or 0) if r.vt_code == "2301" else -abs(r.amount_fen or 0) for r in clearing
        )
        if clearing and cleared == paid:
            r = clearing[-1]
            return Verdict(
                CLOSE, f"对方数据已到达：清算 {r.clearing_no or '—'} 已清算凭证 {voucher_no}{_message(r)}"
            )
        return Verdict(IN_TRANSIT, f"凭证 {voucher_no} 仍在等待清算（在途），不视为已清算，保持未关闭")
    if row.type in (BreakType.CLEARED_UNKNOWN, BreakType.REFUND_UNMATCHED) or ident.startswith("receipt:"):
        if vouchers:
            r = vouchers[-1]
            return Verdict(CLOSE, f"对方数据已到达：财政支付凭证 {voucher_no}{_message(r)}")
        return Verdict(
            UNCONFIRMED, "本次对账未再发现该差异，但仍无对应的财政支付凭证，保持未关闭，请人工核实"
        )
    if records:
        r = records[-1]
        return Verdict(CLOSE, f"差异已消除：凭证 {voucher_no} 的最新记录{_message(r)}")
    return Verdict(UNCONFIRMED, "本次对账未再发现该差异，但未找到对应记录，保持未关闭，请人工核实")
