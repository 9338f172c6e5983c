"""资金追踪 (issue 17, 报告): where did the transfer money go.

For an upper indicator — IS_TRACK = 1 直达资金 especially — the tree of its re-allocations down the levels
(province → city → county: the issued row, the lower's booking, the lower's own re-allocations, …), the
vouchers paid against each node (linked by 指标文号 at the paying division and year), their 回单 and 清算,
and per node and per (division, 功能科目) the amounts below. All amounts are integer fen until the answer,
which gives them as two-decimal strings (``Decimal`` exactly; never a float).

Per node (one ledger row):

==============  =======================================================================================
下达 issued      Σ of its opening entries (issue / receive)
调整 adjusted    Σ of its ADJUST entries (signed)
收回 recalled    Σ taken back by RECALL (positive)
净额 net         the row's current amount = 下达 + 调整 − 收回 (ADR 0005 invariant)
转下达 allocated Σ 净额 of its children: for an issued row, the lower's booking(s); for a booked row, its
                re-allocations to the next level (and own splits)
凭证 vouchers    the live vouchers 控制 linked to it (in flight, held or paid); 支付凭证金额: Σ their PayAmt
已支付 paid      Σ what the bank's 回单 paid (XPayAmt) less 2252 refunds — 控制's ``paid_fen``, the same
                figure 控制 counts as paid
在途 in flight   Σ PayAmt of its vouchers accepted and routed to the bank, no 回单 yet (控制 has it reserved)
待审核 held      Σ PayAmt of its vouchers held by 控制 for ops review (not routed, nothing reserved)
回单 receipted   Σ XPayAmt of their 回单;  清算 cleared: Σ of their clearing 回单 (2302 subtracted)
本级余额         净额 − 转下达 − 已支付 (for an issued row: what the lower has not booked nor spent)
累计支付         已支付 + Σ 累计支付 of the children; 余额 = 净额 − 累计支付; 累计在途 likewise
执行进度 %       累计支付 / 净额 × 100, two places (half up); none when 净额 is 0
==============  =======================================================================================

Which node a voucher belongs to is decided once, by 控制 at intake (:mod:`gateway.services.control`:
the ``own`` / ``received`` row of the paying division whose 本级指标文号 is its FileNoCode in its StYear,
narrowed by 功能科目 then 项目, else ``indicator_ambiguous``) and stored in ``indicator_spends``; the report
reads that link by ``indicator_id`` — whatever the division's control policy (``off`` links too). So each
voucher is counted once, on the indicator 控制 reserved it on. A voucher 控制 recorded without an indicator
(unknown 文号, ambiguous, other year, recalled) is listed per division as 未关联指标的凭证: in a listing,
those of the divisions read; in one indicator's tree, those of its divisions citing one of its 文号.

Per (division, 功能科目 = ``TP_FUNC_CODE``) of a forest: 下达金额 (received from the upper: every issued
node's 净额 at its counterparty, and a root's 净额 at its own division), 转下达 (every issued node's 净额 at
its issuer), 已支付 / 在途 / 待审核 / 回单 / 清算 at the paying division,
本级余额 = 下达金额 − 转下达 − 已支付, 本级执行进度 = 已支付 / (下达金额 − 转下达).

Authorization (default deny): a caller reads the rows on the ledgers of its scope — a finance party its own
divisions, a person the ``tracking_divisions`` of the configuration (``*`` for all, none by default) — and
everything downstream of them; never the rows of an upper level above its scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway.config import Person
from gateway.errors import UnknownParty
from gateway.parties import Party, PartyKind, PartyRegistry
from gateway.rows import IndicatorRow, Spending, Unlinked, VoucherLine
from gateway.services.errors import BadRequest, NotFound, TrackingForbidden
from gateway.services.ports import ServiceContext, Tracking
from schemas.money import format_fen

MAX_DEPTH = 6
"""Levels followed below a root (ministry → province → city → county needs 3 hops of two rows each)."""
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
VOUCHER_LIMIT = 500
"""Vouchers listed in one indicator's tree (the totals cover all of them)."""
UNLINKED_LIMIT = 100
"""Unlinked vouchers listed in an answer (the per-division counts cover all of them)."""
STATE_LABELS = {"in_flight": "在途", "held": "待审核", "paid": "已支付"}
SIDES = ("issued", "received", "own")


# ---- who may read what --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The divisions whose ledgers a caller reads (``None``: all of them)."""

    divisions: frozenset[str] | None
    who: str

    def allows(self, division: str) -> bool:
        return self.divisions is None or division in self.divisions

    def narrowed(self, division: str | None) -> frozenset[str] | None:
        """The divisions a listing reads: ``division`` if asked (and allowed), else the whole scope."""
        if division is None:
            return self.divisions
        if not self.allows(division):
            raise TrackingForbidden(f"{self.who} may not read the indicators of division {division}")
        return frozenset({division})


def person_scope(person: Person) -> Scope:
    codes = person.tracking_divisions
    if "*" in codes:
        return Scope(None, person.name)
    return Scope(frozenset(codes), person.name)


def party_scope(party: Party) -> Scope:
    """A finance party reads its own divisions; banks and the treasury read none (they hold no ledger)."""
    if party.kind is not PartyKind.FINANCE:
        return Scope(frozenset(), party.id)
    return Scope(frozenset(party.mof_div_codes), party.id)


# ---- the tree -----------------------------------------------------------------------------------------


@dataclass
class Node:
    row: IndicatorRow
    parent: int | None
    depth: int
    root: int
    children: list[int] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    spending: Spending = field(default_factory=Spending)
    total_paid: int = 0
    total_in_flight: int = 0
    total_held: int = 0

    def id_root_differs(self, root: int) -> bool:
        """Whether this (root) node is another tree than ``root``'s (re-parenting it makes no cycle)."""
        return self.row.id != root

    @property
    def next_division(self) -> str:
        """Where its children are: the receiving division of an issued row, else its own."""
        if self.row.side == "issued" and self.row.counterparty:
            return self.row.counterparty
        return self.row.division

    @property
    def paid(self) -> int:
        return self.spending.paid_fen


@dataclass
class Forest:
    roots: list[int]
    nodes: dict[int, Node]
    vouchers: list[VoucherLine] = field(default_factory=list)
    voucher_count: int = 0

    def allocated(self, node: Node) -> int:
        return sum(self.nodes[c].row.amount_fen for c in node.children)

    def in_order(self) -> list[Node]:
        """Depth first, children in id order: the order the tree is shown in."""
        out: list[Node] = []
        stack = list(reversed(self.roots))
        while stack:
            node = self.nodes[stack.pop()]
            out.append(node)
            stack.extend(sorted(node.children, reverse=True))
        return out


def _expand(q: Tracking, roots: Sequence[IndicatorRow]) -> Forest:
    """Level by level: one candidates query per level for the whole frontier, matched exactly here."""
    nodes: dict[int, Node] = {}
    order: list[int] = []
    for row in roots:
        if row.id not in nodes:
            nodes[row.id] = Node(row, None, 0, row.id)
            order.append(row.id)
    frontier = [nodes[i] for i in order]
    depth = 0
    while frontier and depth < MAX_DEPTH:
        depth += 1
        divisions = {n.next_division for n in frontier}
        years = {n.row.fiscal_year for n in frontier}
        ids = {n.row.bgt_id for n in frontier}
        docs = {n.row.cor_bgt_doc_no for n in frontier if n.row.side == "issued" and n.row.cor_bgt_doc_no}
        by_ori: dict[tuple[str, int, str], list[IndicatorRow]] = {}
        by_doc: dict[tuple[str, int, str], list[IndicatorRow]] = {}
        for c in q.candidates(divisions, years, ids, docs):
            if c.ori_bgt_id is not None:
                by_ori.setdefault((c.division, c.fiscal_year, c.ori_bgt_id), []).append(c)
            elif c.sup_bgt_doc_no is not None:
                by_doc.setdefault((c.division, c.fiscal_year, c.sup_bgt_doc_no), []).append(c)
        next_frontier: list[Node] = []
        for parent in frontier:
            r = parent.row
            found = list(by_ori.get((parent.next_division, r.fiscal_year, r.bgt_id), ()))
            if r.side == "issued":  # the lower's booking of it (by id, else by 上级指标文号)
                found = [c for c in found if c.side == "received"]
                if r.cor_bgt_doc_no:
                    found += [
                        c
                        for c in by_doc.get((parent.next_division, r.fiscal_year, r.cor_bgt_doc_no), ())
                        if c.side == "received"
                    ]
            for child in sorted(found, key=lambda c: c.id):
                known = nodes.get(child.id)
                if known is None:
                    node = Node(child, r.id, depth, parent.root)
                    nodes[child.id] = node
                    parent.children.append(child.id)
                    next_frontier.append(node)
                elif known.parent is None and known.id_root_differs(parent.root):
                    known.parent = r.id  # another root is downstream of this one: it is shown there
                    parent.children.append(child.id)
                # otherwise already placed (claimed by an earlier parent, or a cycle)
        frontier = next_frontier
    forest = Forest([i for i in order if nodes[i].parent is None], nodes)
    for node in forest.in_order():  # depth and root from the final parents
        if node.parent is None:
            node.depth, node.root = 0, node.row.id
        else:
            up = nodes[node.parent]
            node.depth, node.root = up.depth + 1, up.root
    return forest


def _measure(q: Tracking, forest: Forest, *, with_vouchers: bool) -> None:
    nodes = forest.nodes
    for indicator_id, kinds in q.amounts_by_kind(nodes.keys()).items():
        nodes[indicator_id].kinds = kinds
    for indicator_id, spending in q.spending(nodes.keys()).items():
        nodes[indicator_id].spending = spending
    for node in reversed(forest.in_order()):  # children before their parent
        below = [nodes[c] for c in node.children]
        node.total_paid = node.paid + sum(c.total_paid for c in below)
        node.total_in_flight = node.spending.in_flight_fen + sum(c.total_in_flight for c in below)
        node.total_held = node.spending.held_fen + sum(c.total_held for c in below)
    if with_vouchers:
        forest.vouchers, forest.voucher_count = q.vouchers(nodes.keys(), VOUCHER_LIMIT)


def _adm_codes(registry: PartyRegistry, divisions: Iterable[str]) -> dict[str, str]:
    """AdmDivCode → MOF_DIV_CODE of the registered ``divisions`` (a division without one has no vouchers)."""
    out: dict[str, str] = {}
    for division in sorted(set(divisions)):
        try:
            out[registry.adm_div_code(division)] = division
        except UnknownParty:
            continue
    return out


def _division_of(registry: PartyRegistry, adm: str, known: dict[str, str]) -> str:
    if adm in known:
        return known[adm]
    try:
        return registry.mof_div_code(adm)
    except UnknownParty:
        return adm  # not registered (any more): shown by its AdmDivCode


# ---- answers ------------------------------------------------------------------------------------------


def money(fen: int) -> str:
    return format_fen(fen)


def percent(part: int, whole: int) -> str | None:
    """``part / whole`` as a percentage with two places (half up); ``None`` when ``whole`` is not positive."""
    if whole <= 0:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:f}"


def _node_json(forest: Forest, node: Node) -> dict[str, Any]:
    r, k, s = node.row, node.kinds, node.spending
    allocated = forest.allocated(node)
    return {
        "id": r.id,
        "parent_id": node.parent,
        "depth": node.depth,
        "bgt_id": r.bgt_id,
        "division": r.division,
        "side": r.side,
        "counterparty": r.counterparty,
        "fiscal_year": r.fiscal_year,
        "ori_bgt_id": r.ori_bgt_id,
        "cor_bgt_doc_no": r.cor_bgt_doc_no,
        "sup_bgt_doc_no": r.sup_bgt_doc_no,
        "bgt_doc_title": r.bgt_doc_title,
        "pro_code": r.pro_code,
        "fund_type_code": r.fund_type_code,
        "tp_func_code": r.tp_func_code,
        "is_track": r.is_track,
        "create_time": None if r.create_time is None else r.create_time.isoformat(),
        "issued": money(k.get("issue", 0) + k.get("receive", 0)),
        "adjusted": money(k.get("adjust", 0)),
        "recalled": money(-k.get("recall", 0)),
        "net": money(r.amount_fen),
        "allocated": money(allocated),
        "vouchers": s.vouchers,
        "voucher_amount": money(s.voucher_fen),
        "refunded": money(-s.refund_fen),
        "paid": money(node.paid),
        "in_flight": money(s.in_flight_fen),
        "held": money(s.held_fen),
        "receipted": money(s.receipt_fen),
        "cleared": money(s.cleared_fen),
        "local_balance": money(r.amount_fen - allocated - node.paid),
        "total_paid": money(node.total_paid),
        "total_in_flight": money(node.total_in_flight),
        "total_held": money(node.total_held),
        "balance": money(r.amount_fen - node.total_paid),
        "progress": percent(node.total_paid, r.amount_fen),
        "children": len(node.children),
    }


@dataclass
class _Line:
    received: int = 0
    allocated: int = 0
    paid: int = 0
    in_flight: int = 0
    held: int = 0
    receipted: int = 0
    cleared: int = 0
    vouchers: int = 0


def summary(forest: Forest) -> list[dict[str, Any]]:
    """Per (division, 功能科目): see the module docstring."""
    lines: dict[tuple[str, str], _Line] = {}

    def line(division: str, func: str | None) -> _Line:
        return lines.setdefault((division, func or ""), _Line())

    for node in forest.nodes.values():
        r = node.row
        if node.parent is None and r.side != "issued":
            line(r.division, r.tp_func_code).received += r.amount_fen
        if r.side == "issued":
            line(r.counterparty or r.division, r.tp_func_code).received += r.amount_fen
            if node.parent is None:
                line(r.division, r.tp_func_code).received += r.amount_fen
            line(r.division, r.tp_func_code).allocated += r.amount_fen
        paying = line(r.division, r.tp_func_code)  # vouchers are paid from the row's own division
        paying.paid += node.paid
        paying.in_flight += node.spending.in_flight_fen
        paying.held += node.spending.held_fen
        paying.receipted += node.spending.receipt_fen
        paying.cleared += node.spending.cleared_fen
        paying.vouchers += node.spending.vouchers
    out = []
    for (division, func), x in sorted(lines.items()):
        kept = x.received - x.allocated
        out.append(
            {
                "division": division,
                "tp_func_code": func or None,
                "received": money(x.received),
                "allocated": money(x.allocated),
                "vouchers": x.vouchers,
                "paid": money(x.paid),
                "in_flight": money(x.in_flight),
                "held": money(x.held),
                "receipted": money(x.receipted),
                "cleared": money(x.cleared),
                "local_balance": money(kept - x.paid),
                "progress": percent(x.paid, kept),
            }
        )
    return out


def _voucher_json(v: VoucherLine) -> dict[str, Any]:
    return {
        "indicator_id": v.indicator_id,
        "adm_div_code": v.adm_div_code,
        "file_no_code": v.file_no_code,
        "st_year": v.st_year,
        "vt_code": v.vt_code,
        "voucher_no": v.voucher_no,
        "state": v.state,
        "state_label": STATE_LABELS.get(v.state, v.state),
        "codes": [c for c in v.codes.split(",") if c],
        "vou_date": None if v.vou_date is None else v.vou_date.isoformat(),
        "pay_bank_code": v.pay_bank_code,
        "amount": money(v.amount_fen),
        "paid": money(v.paid_fen),
        "in_flight": money(v.in_flight_fen),
        "receipted": None if v.receipt_fen is None else money(v.receipt_fen),
        "x_pay_date": None if v.x_pay_date is None else v.x_pay_date.isoformat(),
        "refunded": money(-v.refund_fen),
        "cleared": None if v.cleared_fen is None else money(v.cleared_fen),
    }


def _unlinked_json(registry: PartyRegistry, found: Unlinked, known: dict[str, str]) -> dict[str, Any]:
    """未关联指标的凭证: per division (count, Σ PayAmt) and the first :data:`UNLINKED_LIMIT` vouchers."""
    per: dict[str, list[int]] = {}
    for adm, (n, fen) in found.counts.items():
        totals = per.setdefault(_division_of(registry, adm, known), [0, 0])
        totals[0] += n
        totals[1] += fen
    count = sum(n for n, _ in per.values())
    return {
        "divisions": [
            {"division": d, "vouchers": n, "amount": money(fen)} for d, (n, fen) in sorted(per.items())
        ],
        "count": count,
        "vouchers": [_voucher_json(v) for v in found.lines],
        "truncated": count > len(found.lines),
    }


# ---- use cases ----------------------------------------------------------------------------------------


def _limit(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    return value


def _is_track(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in ("1", "2"):
        raise BadRequest("is_track must be 1 (是) or 2 (否)")
    return value


def _side(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in SIDES:
        raise BadRequest(f"side must be one of {', '.join(SIDES)}")
    return value


def _division(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not (len(value) == 9 and value.isdigit()):
        raise BadRequest("division must be a 9-digit MOF_DIV_CODE")
    return value


def list_indicators(
    gw: ServiceContext,
    scope: Scope,
    *,
    division: str | None = None,
    fiscal_year: int | None = None,
    is_track: str | None = None,
    side: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of the indicators on the ledgers of the scope (or of ``division`` in it), each with its
    downstream totals, and the page's (division, 功能科目) summary."""
    divisions = scope.narrowed(_division(division))
    size = _limit(limit)
    track, wanted_side = _is_track(is_track), _side(side)
    with gw.database.read_unit_of_work() as uow:
        if divisions is not None and not divisions:
            rows: list[IndicatorRow] = []
        else:
            rows = uow.tracking.page(
                divisions, fiscal_year, is_track=track, side=wanted_side, limit=size, offset=offset
            )
        has_next = len(rows) > size
        rows = rows[:size]
        forest = _expand(uow.tracking, rows)
        _measure(uow.tracking, forest, with_vouchers=False)
        known = {} if divisions is None else _adm_codes(gw.registry, divisions)
        if divisions is not None and not known:
            found = Unlinked({}, [])
        else:
            adms = None if divisions is None else known.keys()
            found = uow.tracking.unlinked(adms, UNLINKED_LIMIT)
    by_id = forest.nodes
    items = [_node_json(forest, by_id[r.id]) for r in rows if r.id in by_id and by_id[r.id].parent is None]
    nested = [r.id for r in rows if r.id in by_id and by_id[r.id].parent is not None]
    items += [_node_json(forest, by_id[i]) for i in nested]  # downstream of a row on this page: shown too
    items.sort(key=lambda item: int(item["id"]))
    return {
        "items": items,
        "limit": size,
        "offset": offset,
        "has_next": has_next,
        "summary": summary(forest),
        "unlinked": _unlinked_json(gw.registry, found, known),
        "filters": {
            "division": division or None,
            "fiscal_year": fiscal_year,
            "is_track": track,
            "side": wanted_side,
        },
    }


def indicator_tree(
    gw: ServiceContext,
    scope: Scope,
    bgt_id: str,
    *,
    division: str | None = None,
    fiscal_year: int | None = None,
) -> dict[str, Any]:
    """One indicator (every live row with ``bgt_id`` on the scope's ledgers, or ``division``'s) and its
    whole downstream: nodes in tree order, their vouchers (the first :data:`VOUCHER_LIMIT`), the summary."""
    if not bgt_id or len(bgt_id) > 38:
        raise BadRequest("bgt_id must be 1-38 characters")
    divisions = scope.narrowed(_division(division))
    with gw.database.read_unit_of_work() as uow:
        none = divisions is not None and not divisions
        roots = [] if none else uow.tracking.by_bgt_id(bgt_id, divisions, fiscal_year)
        if not roots:
            raise NotFound(f"no indicator {bgt_id} on the ledgers {scope.who} may read")
        forest = _expand(uow.tracking, roots)
        _measure(uow.tracking, forest, with_vouchers=True)
        known = _adm_codes(gw.registry, (n.row.division for n in forest.nodes.values()))
        docs = {n.row.cor_bgt_doc_no for n in forest.nodes.values() if n.row.cor_bgt_doc_no}
        found = Unlinked({}, [])
        if known and docs:
            found = uow.tracking.unlinked(known.keys(), UNLINKED_LIMIT, file_nos=docs)
    nodes = forest.in_order()
    root_net = sum(forest.nodes[i].row.amount_fen for i in forest.roots)
    root_paid = sum(forest.nodes[i].total_paid for i in forest.roots)
    return {
        "bgt_id": bgt_id,
        "nodes": [_node_json(forest, n) for n in nodes],
        "totals": {
            "net": money(root_net),
            "total_paid": money(root_paid),
            "total_in_flight": money(sum(forest.nodes[i].total_in_flight for i in forest.roots)),
            "total_held": money(sum(forest.nodes[i].total_held for i in forest.roots)),
            "balance": money(root_net - root_paid),
            "progress": percent(root_paid, root_net),
        },
        "summary": summary(forest),
        "vouchers": [_voucher_json(v) for v in forest.vouchers],
        "voucher_count": forest.voucher_count,
        "vouchers_truncated": forest.voucher_count > len(forest.vouchers),
        "unlinked": _unlinked_json(gw.registry, found, known),
    }
