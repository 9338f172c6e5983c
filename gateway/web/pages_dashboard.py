"""总览: every configured or reconciled pair with its last run, 一致 / 不一致, the upper and lower
totals, open breaks by type and by age, and an inline SVG trend of the breaks found by the last 30 runs;
then the same for payment reconciliation (国库集中支付三方对账), one row per division / agency bank / day
(the newest days first) plus every configured ``[[reconciliation.payments]]`` entry."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.reconcile.payments.report import PAYMENT_BREAK_TYPES
from gateway.services.reconciliation import runs
from gateway.services.reconciliation.runs import PairDashboard
from gateway.web import recon_common
from gateway.web.recon_common import Pair, TrendChart
from gateway.web.sections import Section
from gateway.web.site import WebContext

SECTION = Section(key="dashboard", title="总览", path="/dashboard", order=10)
TREND_RUNS = 30


@dataclass(frozen=True)
class PairRow:
    pair: Pair
    board: PairDashboard | None
    """``None`` for a configured pair that has never been reconciled."""
    cron: str | None
    chart: TrendChart | None

    @property
    def open_total(self) -> int:
        return 0 if self.board is None else sum(self.board.open_by_type.values())


def rows(ctx: WebContext) -> list[PairRow]:
    gw = ctx.gateway
    boards: dict[Pair, PairDashboard] = {}
    for summary in runs.dashboard_summary(gw, kind=recon_common.KIND, runs=TREND_RUNS):
        scope = summary.scope
        boards[Pair(str(scope["upper"]), str(scope["lower"]), int(scope["fiscal_year"]))] = summary
    crons = {Pair(p.upper, p.lower, p.fiscal_year): p.cron for p in gw.settings.reconciliation.pairs}
    out = []
    for pair in sorted(set(boards) | set(crons)):
        board = boards.get(pair)
        chart = None if board is None else recon_common.trend_chart(board.trend)
        out.append(PairRow(pair, board, crons.get(pair), chart))
    # 不一致 first, then pairs never run, then 一致
    rank = {"不一致": 0, None: 1, "一致": 2}
    return sorted(out, key=lambda r: (rank.get(r.board.status if r.board else None, 1), r.pair))


PAYMENT_ROWS = 40
"""Payment scopes shown (newest days first); older days stay reachable through 对账报告."""
PAYMENT_TYPES = {t.value: t.label_zh for t in PAYMENT_BREAK_TYPES}


@dataclass(frozen=True)
class PaymentRow:
    adm_div_code: str
    pay_bank_code: str | None
    day: str | None
    """``None`` for a configured entry that has never run."""
    board: PairDashboard | None
    cron: str | None
    days_back: int | None
    chart: TrendChart | None

    @property
    def key(self) -> str:
        return f"payments|{self.adm_div_code}|{self.pay_bank_code or '*'}|{self.day or ''}"

    @property
    def open_total(self) -> int:
        return 0 if self.board is None else sum(self.board.open_by_type.values())


TOTAL_LABELS = {
    "statements": "对账单",
    "voucher_statements": "凭证对账单",
    "quota_statements": "清算额度对账单",
    "detail_count": "明细笔数",
    "detail_amount": "明细金额",
    "declared_amount": "申报金额",
}
"""Chinese names of the run-summary totals a kind without its own section shows."""


def payment_rows(ctx: WebContext) -> list[PaymentRow]:
    gw = ctx.gateway
    entries = {(e.adm_div_code, e.pay_bank_code): e for e in gw.settings.reconciliation.payments}
    out: list[PaymentRow] = []
    seen: set[tuple[str, str | None]] = set()
    boards = runs.dashboard_summary(gw, kind="payments", runs=TREND_RUNS, scopes=PAYMENT_ROWS)
    boards.sort(key=lambda b: (str(b.scope.get("day")), str(b.scope.get("adm_div_code"))), reverse=True)
    for board in boards[:PAYMENT_ROWS]:
        scope = board.scope
        adm, bank = str(scope["adm_div_code"]), scope.get("pay_bank_code")
        entry = entries.get((adm, bank))
        seen.add((adm, bank))
        out.append(
            PaymentRow(
                adm,
                bank,
                str(scope["day"]),
                board,
                entry.cron if entry else None,
                entry.days_back if entry else None,
                recon_common.trend_chart(board.trend),
            )
        )
    for (adm, bank), entry in sorted(entries.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if (adm, bank) not in seen:
            out.append(PaymentRow(adm, bank, None, None, entry.cron, entry.days_back, None))
    return out


@dataclass(frozen=True)
class KindSection:
    """A kind the dashboard has no section of its own for (the statement kind): its latest scopes."""

    name: str
    label: str
    boards: list[PairDashboard]
    total_keys: tuple[str, ...]

    @property
    def inconsistent(self) -> int:
        return sum(1 for b in self.boards if b.status == "不一致")

    @property
    def open_total(self) -> int:
        return sum(sum(b.open_by_type.values()) for b in self.boards)


OWN_SECTIONS = ("indicators", "payments")
"""The kinds with sections of their own above (pairs with their configured schedules, payment scopes)."""


def other_kinds(ctx: WebContext) -> list[KindSection]:
    return [
        KindSection(
            name,
            kind.label_zh,
            runs.dashboard_summary(ctx.gateway, kind=name, runs=TREND_RUNS, scopes=PAYMENT_ROWS),
            tuple(kind.total_keys),
        )
        for name, kind in ctx.gateway.reconciliation_kinds.items()
        if name not in OWN_SECTIONS
    ]


def routes(ctx: WebContext) -> list[BaseRoute]:
    recon_common.install(ctx.env)

    def dashboard(request: Request) -> Response:
        person = ctx.require(request)
        found = rows(ctx)
        payments = payment_rows(ctx)
        return ctx.render(
            request,
            "dashboard.html",
            person=person,
            active=SECTION.key,
            rows=found,
            inconsistent=sum(1 for r in found if r.board is not None and r.board.status == "不一致"),
            open_total=sum(r.open_total for r in found),
            trend_runs=TREND_RUNS,
            payments=payments,
            payment_types=PAYMENT_TYPES,
            payments_inconsistent=sum(
                1 for r in payments if r.board is not None and r.board.status == "不一致"
            ),
            payments_open=sum(r.open_total for r in payments),
            other_kinds=other_kinds(ctx),
            total_labels=TOTAL_LABELS,
        )

    return [Route("/dashboard", dashboard, methods=["GET"], name="dashboard")]
