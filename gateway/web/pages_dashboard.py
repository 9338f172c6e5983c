"""总览: every configured or reconciled pair with its last run, 一致 / 不一致, the upper and lower
totals, open breaks by type and by age, and an inline SVG trend of the breaks found by the last 30 runs."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.services import reconciliations
from gateway.services.reconciliations import PairDashboard
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
    for summary in reconciliations.dashboard_summary(gw, kind=recon_common.KIND, runs=TREND_RUNS):
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


def routes(ctx: WebContext) -> list[BaseRoute]:
    recon_common.install(ctx.env)

    def dashboard(request: Request) -> Response:
        person = ctx.require(request)
        found = rows(ctx)
        return ctx.render(
            request,
            "dashboard.html",
            person=person,
            active=SECTION.key,
            rows=found,
            inconsistent=sum(1 for r in found if r.board is not None and r.board.status == "不一致"),
            open_total=sum(r.open_total for r in found),
            trend_runs=TREND_RUNS,
        )

    return [Route("/dashboard", dashboard, methods=["GET"], name="dashboard")]
