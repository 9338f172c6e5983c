"""The indicator kind (指标对账, issue #5): one pair (upper issuer, lower receiver, fiscal year).

A run reads the pair's ledger rows from the store as two BA_BGT_INFO snapshots in memory
(:meth:`gateway.store.ledger.LedgerRepository.pair_columns`, no file) and feeds them to the SAME DuckDB engine
and typed SELECT the file CLI uses (``reconcile_indicator_columns`` of
:mod:`gateway.reconcile.indicators.duckdb_engine`), so the store and the files can never disagree on
semantics. The calls into ``gateway.reconcile`` are :func:`reconcile_pair_from_store` (compute) and
:func:`report_from_dict` (a stored report back to the engine's type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, Break, BreakType
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_columns
from gateway.reconcile.indicators.report import (
    STATUS_AGREE,
    STATUS_DISAGREE,
    IndicatorReport,
    PairSummary,
    empty_counts,
)
from gateway.reconcile.report.formats import render_report
from gateway.reconcile.report.json import break_dict, indicator_report_from_dict, pair_dict, report_dict
from gateway.rows import BreakRow, FoundBreak
from gateway.services import break_closing
from gateway.services.break_closing import Verdict
from gateway.services.errors import BadRequest
from gateway.services.ports import Counterparts, ServiceContext
from gateway.services.reconciliation.kinds import (
    MAX_HOURS,
    Computed,
    checked_as_of,
    parse_request,
    stored_break,
    timestamp_input,
)
from schemas.money import format_money, parse_sum
from signing import sm3_hex

NAME: Final = "indicators"
_CODE9 = re.compile(r"^[0-9]{9}$")
TAKES = "upper, lower and fiscal_year"


@dataclass(frozen=True)
class PairScope:
    """One indicator pair: the upper issuer, the lower receiver and the fiscal year."""

    upper: str
    lower: str
    fiscal_year: int

    @property
    def key(self) -> str:
        return f"{self.upper}|{self.lower}|{self.fiscal_year}"

    def as_dict(self) -> dict[str, Any]:
        return {"upper": self.upper, "lower": self.lower, "fiscal_year": self.fiscal_year}


def _pair_problem(upper: str, lower: str, fiscal_year: int) -> str | None:
    for name, code in (("upper", upper), ("lower", lower)):
        if not _CODE9.match(code):
            return f"{name} must be a 9-digit MOF_DIV_CODE, got {code[:20]!r}"
    if upper == lower:
        return "upper and lower must differ"
    if not 2000 <= fiscal_year <= 2100:
        return f"fiscal_year must be a year, got {fiscal_year}"
    return None


def pair_scope(upper: str, lower: str, fiscal_year: int) -> PairScope:
    """Validate and build a pair (BadRequest naming the field)."""
    problem = _pair_problem(upper, lower, fiscal_year)
    if problem is not None:
        raise BadRequest(problem)
    return PairScope(upper, lower, fiscal_year)


class IndicatorRunRequest(BaseModel):
    """``POST /v1/reconciliations`` for one pair."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    kind: Literal["indicators"] = NAME
    upper: str
    lower: str
    fiscal_year: int
    as_of: Annotated[datetime | None, BeforeValidator(timestamp_input)] = None
    in_transit_hours: Annotated[int, Field(ge=0, le=MAX_HOURS)] = 48

    _as_of = field_validator("as_of")(checked_as_of)

    @model_validator(mode="after")
    def _pair(self) -> IndicatorRunRequest:
        problem = _pair_problem(self.upper, self.lower, self.fiscal_year)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def in_transit_window(self) -> timedelta:
        return timedelta(hours=self.in_transit_hours)


def stable_key(kind: str, engine_key: str) -> str:
    """The persistent break key: hex SM3 of ``kind|engine key`` (which holds type, pair, year and id)."""
    return sm3_hex(f"{kind}|{engine_key}".encode())


def found_break(item: Break) -> FoundBreak:
    """An indicator break as stored: upper / lower amounts as the two sides, key :func:`stable_key`."""
    return stored_break(
        key=stable_key(NAME, item.key),
        ident=item.key,
        type_=item.type,
        upper=item.upper_amount,
        lower=item.lower_amount,
        difference=item.difference,
        detail=break_dict(item),
    )


def _only_pair(report: IndicatorReport, scope: PairScope) -> IndicatorReport:
    wanted = (scope.upper, scope.lower, scope.fiscal_year)
    pairs = tuple(p for p in report.pairs if (p.upper, p.lower, p.fiscal_year) == wanted)
    if not pairs:
        zero = Decimal("0.00")
        pairs = (PairSummary(*wanted, 0, 0, zero, zero, empty_counts()),)

    def mine(b: Break) -> bool:
        return (b.upper, b.lower, b.fiscal_year) == wanted

    return IndicatorReport(
        report.as_of,
        report.in_transit_window,
        pairs,
        tuple(b for b in report.breaks if mine(b)),
        tuple(b for b in report.in_transit if mine(b)),
    )


def reconcile_pair_from_store(
    gw: ServiceContext, scope: PairScope, as_of: datetime, in_transit_window: timedelta = timedelta(hours=48)
) -> IndicatorReport:
    """The indicator report of one pair, computed from the store (no bookkeeping)."""
    with gw.database.unit_of_work() as uow:
        upper, lower = uow.ledger.pair_columns(scope.upper, scope.lower, scope.fiscal_year)
    report = reconcile_indicator_columns(upper, lower, as_of=as_of, in_transit_window=in_transit_window)
    return _only_pair(report, scope)


def report_from_dict(body: Mapping[str, Any], window: timedelta) -> IndicatorReport:
    """Rebuild a report from its stored JSON (to render CSV / XLSX / HTML later)."""
    return indicator_report_from_dict(body, window)


def _amount(value: Any) -> Decimal:
    return Decimal("0.00") if value is None else parse_sum(value)


class Indicators:
    """The :class:`gateway.services.reconciliation.kinds.Kind` of indicator pairs."""

    name = NAME
    label_zh = "指标对账"
    request_model = IndicatorRunRequest
    break_types = tuple(t.value for t in INDICATOR_BREAK_TYPES if t is not BreakType.IN_TRANSIT)
    total_keys = ("upper_count", "lower_count", "upper_amount", "lower_amount")

    def request(self, body: Mapping[str, Any]) -> IndicatorRunRequest:
        parsed: IndicatorRunRequest = parse_request(self, body, takes=TAKES)
        return parsed

    def scope(self, request: IndicatorRunRequest) -> PairScope:
        return PairScope(request.upper, request.lower, request.fiscal_year)

    def scope_filter(self, values: Mapping[str, Any]) -> str | None:
        given = [values.get(name) is not None for name in ("upper", "lower", "fiscal_year")]
        if not any(given):
            return None
        if not all(given):
            raise BadRequest("a pair filter needs upper, lower and fiscal_year together")
        return pair_scope(values["upper"], values["lower"], int(values["fiscal_year"])).key

    def compute(
        self, gw: ServiceContext, request: IndicatorRunRequest, scope: PairScope, as_of: datetime
    ) -> Computed:
        report = reconcile_pair_from_store(gw, scope, as_of, request.in_transit_window)
        pair = report.pairs[0]
        body = report_dict(report)
        return Computed(
            found=[found_break(b) for b in report.breaks],
            summary={
                **pair_dict(pair),
                "in_transit_hours": request.in_transit_hours,
                "breaks": len(report.breaks),
                "in_transit": len(report.in_transit),
                "in_transit_amount": format_money(
                    sum((b.upper_amount or Decimal("0.00") for b in report.in_transit), Decimal("0.00"))
                ),
            },
            body=body,
            audit_detail={
                "kind": NAME,
                "scope": scope.key,
                "status": pair.status,
                "breaks": len(report.breaks),
                "report_sm3": sm3_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()),
            },
            as_of=as_of,
            in_transit=frozenset(break_closing.entity(b.key) for b in report.in_transit),
        )

    def render(self, body: Mapping[str, Any], summary: Mapping[str, Any], fmt: str) -> bytes:
        hours = int(summary.get("in_transit_hours", 48))
        return render_report(report_from_dict(body, timedelta(hours=hours)), fmt)

    def status_text(self, summary: Mapping[str, Any]) -> tuple[str | None, str | None]:
        status = summary.get("status")
        if status != STATUS_AGREE:
            return status, status
        transit = int(summary.get("in_transit") or 0)
        gap = _amount(summary.get("upper_amount")) - _amount(summary.get("lower_amount"))
        if gap == 0:
            return status, status
        explained = summary.get("in_transit_amount")
        if transit and (explained is None or _amount(explained) == gap):
            return status, f"{STATUS_AGREE}（在途 {transit} 笔 / 金额 {format_money(gap)}）"
        return STATUS_DISAGREE, STATUS_DISAGREE

    def scope_text(self, scope: Mapping[str, Any]) -> str:
        return f"上级 {scope.get('upper')} · 下级 {scope.get('lower')} · {scope.get('fiscal_year')} 年度"

    def recheck(self, repo: Counterparts, vanished: Sequence[BreakRow]) -> dict[int, Verdict]:
        return break_closing.judge_indicators(repo, vanished)

    def dashboard_order(self, keys: list[str]) -> list[str]:
        return keys


KIND = Indicators()
