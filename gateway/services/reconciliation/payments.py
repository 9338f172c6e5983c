"""The payment kind (国库集中支付三方对账) from the store: one division and day, optionally one agency bank.

A run selects the scope's lines from ``payment_lines`` (written at intake, :mod:`gateway.store.payment_lines`)
with a few SQL queries into plain column lists and feeds them to the SAME DuckDB engine the file CLI uses
(:func:`gateway.reconcile.payments.duckdb_engine.reconcile_payment_columns`). The run, its JSON report, the
persistent breaks (opened, seen again, reopened, auto-closed) and one audit entry are committed together by
:mod:`gateway.services.reconciliation.runs`, exactly as for indicator runs. The calls into
``gateway.reconcile`` are :func:`reconcile_scope_from_store` (compute) and ``payment_report_from_dict`` of
:mod:`gateway.reconcile.report.json` (a stored report back to the engine's type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from gateway.reconcile.breaks import BreakType
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_columns
from gateway.reconcile.payments.report import (
    PAYMENT_BREAK_TYPES,
    PaymentBreak,
    PaymentReport,
)
from gateway.reconcile.report.formats import render_report
from gateway.reconcile.report.json import payment_break_dict, payment_report_dict, payment_report_from_dict
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

NAME: Final = "payments"
TAKES = "adm_div_code and day"
_ADM = re.compile(r"^[0-9]{6}$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
TOTAL_COUNTS = (
    "voucher_count",
    "receipt_count",
    "refund_count",
    "clearing_count",
    "quota_count",
    "awaiting_payment",
    "awaiting_clearing",
)
TOTAL_AMOUNTS = ("voucher_amount", "paid_amount", "refund_amount", "cleared_amount")


@dataclass(frozen=True)
class PaymentScope:
    """One payment reconciliation: a division (AdmDivCode), a day (VouDate) and optionally an agency bank."""

    adm_div_code: str
    day: date
    pay_bank_code: str | None = None

    @property
    def key(self) -> str:
        return f"{NAME}|{self.adm_div_code}|{self.pay_bank_code or '*'}|{self.day.isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "adm_div_code": self.adm_div_code,
            "pay_bank_code": self.pay_bank_code,
            "day": self.day.isoformat(),
        }


def parse_day(value: date | str) -> date:
    if isinstance(value, datetime):
        raise BadRequest("day must be a date (YYYY-MM-DD), not a timestamp")
    if isinstance(value, date):
        day = value
    else:
        if not isinstance(value, str) or not _DAY.match(value):
            raise BadRequest("day must be a date YYYY-MM-DD")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise BadRequest(f"day {value!r} is not a calendar date") from None
    if not 2000 <= day.year <= 2100:
        raise BadRequest("day must fall within 2000…2100")
    return day


def _division_problem(adm_div_code: Any) -> str | None:
    if not isinstance(adm_div_code, str) or not _ADM.match(adm_div_code):
        return f"adm_div_code must be a 6-digit AdmDivCode, got {str(adm_div_code)[:20]!r}"
    return None


def _bank_problem(pay_bank_code: Any) -> str | None:
    if pay_bank_code is not None:
        if not isinstance(pay_bank_code, str) or not pay_bank_code.strip():
            return "pay_bank_code must be a non-empty string when given"
        if len(pay_bank_code) > 200 or "|" in pay_bank_code:
            return "pay_bank_code must be at most 200 characters and contain no '|'"
    return None


def payment_scope(adm_div_code: str, day: date | str, pay_bank_code: str | None = None) -> PaymentScope:
    """Validate and build a scope (BadRequest naming the field)."""
    problem = _division_problem(adm_div_code) or _bank_problem(pay_bank_code)
    if problem is not None:
        raise BadRequest(problem)
    return PaymentScope(adm_div_code, parse_day(day), pay_bank_code)


def day_input(value: Any) -> date:
    """A request's ``day`` (a date, or ``YYYY-MM-DD``) for the request models (ValueError otherwise)."""
    try:
        return parse_day(value)
    except BadRequest as exc:
        raise ValueError(str(exc)) from None


class PaymentRunRequest(BaseModel):
    """``POST /v1/reconciliations`` for one division and day (optionally one agency bank)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    kind: Literal["payments"] = NAME
    adm_div_code: str
    day: Annotated[date, BeforeValidator(day_input)]
    pay_bank_code: str | None = None
    as_of: Annotated[datetime | None, BeforeValidator(timestamp_input)] = None
    unpaid_hours: Annotated[int, Field(ge=0, le=MAX_HOURS)] = 24
    uncleared_hours: Annotated[int, Field(ge=0, le=MAX_HOURS)] = 24

    _as_of = field_validator("as_of")(checked_as_of)

    @model_validator(mode="after")
    def _scope(self) -> PaymentRunRequest:
        problem = _division_problem(self.adm_div_code) or _bank_problem(self.pay_bank_code)
        if problem is not None:
            raise ValueError(problem)
        return self


def reconcile_scope_from_store(
    gw: ServiceContext,
    scope: PaymentScope,
    as_of: datetime,
    unpaid_window: timedelta = timedelta(hours=24),
    uncleared_window: timedelta = timedelta(hours=24),
) -> PaymentReport:
    """The payment report of one scope computed from the store (no bookkeeping)."""
    with gw.database.unit_of_work() as uow:
        inputs = uow.payments.scope_inputs(scope.adm_div_code, scope.day, scope.pay_bank_code)
    return reconcile_payment_columns(
        inputs, as_of=as_of, unpaid_window=unpaid_window, uncleared_window=uncleared_window
    )


_COUNTERPART = {
    BreakType.UNPAID: "paid_amount",
    BreakType.PAY_AMOUNT_MISMATCH: "paid_amount",
    BreakType.NOT_CLEARED: "cleared_amount",
    BreakType.DOUBLE_CLEARED: "cleared_amount",
    BreakType.CLEARED_UNKNOWN: "cleared_amount",
    BreakType.REFUND_UNMATCHED: "refund_amount",
}


def break_key(scope: PaymentScope, engine_key: str) -> str:
    """The stored break key (see :func:`found_break`)."""
    text = f"{NAME}|{engine_key}" if scope.pay_bank_code is None else f"{NAME}|{scope.key}|{engine_key}"
    return sm3_hex(text.encode())


def scope_of(stored: Mapping[str, Any]) -> PaymentScope:
    """A run's or break's stored scope back as a :class:`PaymentScope`."""
    return PaymentScope(
        str(stored["adm_div_code"]), date.fromisoformat(str(stored["day"])), stored.get("pay_bank_code")
    )


def found_break(scope: PaymentScope, item: PaymentBreak) -> FoundBreak:
    """A payment break as stored; upper = finance's voucher amount, lower = the amount of the side the type
    is about. Key: hex SM3 of ``payments|engine key`` (as for indicators; the engine key names type,
    division, bank, day and voucher) for a whole-division scope; a bank-narrowed scope adds its scope key
    (``payments|scope key|engine key``) so running both scopes of one day never shares a break row."""
    counterpart = _COUNTERPART.get(item.type)
    amounts = (item.voucher_amount, item.refund_amount, item.paid_amount, item.cleared_amount)
    return stored_break(
        key=break_key(scope, item.key),
        ident=item.key,
        type_=item.type,
        upper=item.voucher_amount,
        lower=None if counterpart is None else getattr(item, counterpart),
        difference=item.difference,
        detail=payment_break_dict(item),
        sized_by=tuple(a for a in amounts if a),  # a zero amount does not size a break
    )


def summary_of(scope: PaymentScope, report: PaymentReport) -> dict[str, Any]:
    """The run summary: the scope, totals over its groups, status and break counts per type."""
    counts = {name: sum(getattr(g, name) for g in report.groups) for name in TOTAL_COUNTS}
    amounts = {
        name: format_money(sum((getattr(g, name) for g in report.groups), Decimal("0.00")))
        for name in TOTAL_AMOUNTS
    }
    by_type = dict.fromkeys((t.value for t in PAYMENT_BREAK_TYPES), 0)
    for item in report.breaks:
        by_type[item.type.value] += 1
    return {
        **scope.as_dict(),
        "groups": len(report.groups),
        **counts,
        **amounts,
        "status": STATUS_DISAGREE if report.breaks else STATUS_AGREE,
        "break_counts": by_type,
        "unpaid_hours": int(report.unpaid_window.total_seconds() // 3600),
        "uncleared_hours": int(report.uncleared_window.total_seconds() // 3600),
        "breaks": len(report.breaks),
        "in_transit": sum(g.awaiting_payment + g.awaiting_clearing for g in report.groups),
    }


def report_body(report: PaymentReport) -> dict[str, Any]:
    return payment_report_dict(report)


def report_digest(body: Mapping[str, Any]) -> str:
    return sm3_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())


def audit_detail(scope: PaymentScope, summary: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": NAME,
        "scope": scope.key,
        "status": summary["status"],
        "breaks": summary["breaks"],
        "report_sm3": report_digest(body),
    }


def _amount(value: Any) -> Decimal:
    return Decimal("0.00") if value is None else parse_sum(value)


class Payments:
    """The :class:`gateway.services.reconciliation.kinds.Kind` of payment scopes."""

    name = NAME
    label_zh = "支付对账"
    request_model = PaymentRunRequest
    break_types = tuple(t.value for t in PAYMENT_BREAK_TYPES)
    total_keys = TOTAL_COUNTS + TOTAL_AMOUNTS

    def request(self, body: Mapping[str, Any]) -> PaymentRunRequest:
        parsed: PaymentRunRequest = parse_request(self, body, takes=TAKES)
        return parsed

    def scope(self, request: PaymentRunRequest) -> PaymentScope:
        return PaymentScope(request.adm_div_code, request.day, request.pay_bank_code)

    def scope_filter(self, values: Mapping[str, Any]) -> str | None:
        adm_div_code, day, bank = (values.get(n) for n in ("adm_div_code", "day", "pay_bank_code"))
        if adm_div_code is None and day is None and bank is None:
            return None
        if adm_div_code is None or day is None:
            raise BadRequest("a payments filter needs adm_div_code and day together")
        return payment_scope(adm_div_code, day, bank).key

    def compute(
        self, gw: ServiceContext, request: PaymentRunRequest, scope: PaymentScope, as_of: datetime
    ) -> Computed:
        report = reconcile_scope_from_store(
            gw,
            scope,
            as_of,
            timedelta(hours=request.unpaid_hours),
            timedelta(hours=request.uncleared_hours),
        )
        summary = summary_of(scope, report)
        body = report_body(report)
        return Computed(
            found=[found_break(scope, b) for b in report.breaks],
            summary=summary,
            body=body,
            audit_detail=audit_detail(scope, summary, body),
            as_of=report.as_of,
        )

    def render(self, body: Mapping[str, Any], summary: Mapping[str, Any], fmt: str) -> bytes:
        return render_report(payment_report_from_dict(body), fmt)

    def status_text(self, summary: Mapping[str, Any]) -> tuple[str | None, str | None]:
        status = summary.get("status")
        transit = int(summary.get("in_transit") or 0)
        if status != STATUS_AGREE or transit == 0:
            return status, status
        gap = (
            _amount(summary.get("voucher_amount"))
            - _amount(summary.get("refund_amount"))
            - _amount(summary.get("cleared_amount"))
        )
        return status, f"{STATUS_AGREE}（在途 {transit} 笔 / 金额 {format_money(gap)}）"

    def scope_text(self, scope: Mapping[str, Any]) -> str:
        bank = scope.get("pay_bank_code")
        banks = f"代理银行 {bank}" if bank else "全部代理银行"
        return f"区划 {scope.get('adm_div_code')} · {banks} · 凭证日期 {scope.get('day')}"

    def recheck(self, repo: Counterparts, vanished: Sequence[BreakRow]) -> dict[int, Verdict]:
        return break_closing.judge_payments(repo, vanished)

    def dashboard_order(self, keys: list[str]) -> list[str]:
        """The newest days first (a payment scope is one day)."""
        return sorted(keys, key=lambda k: (k.rsplit("|", 1)[-1], k), reverse=True)


KIND = Payments()
