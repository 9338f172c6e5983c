"""Payment reconciliation (国库集中支付三方对账) from the store: one division and day, optionally one agency
bank.

A run selects the scope's lines from ``payment_lines`` (written at intake, :mod:`gateway.store.payment_lines`)
with a few SQL queries into plain column lists and feeds them to the SAME DuckDB engine the file CLI uses
(:func:`gateway.reconcile.payments.duckdb_engine.reconcile_payment_columns`). The run, its JSON report, the
persistent breaks (opened, seen again, reopened, auto-closed) and one audit entry are committed together,
exactly as for indicator runs (:mod:`gateway.services.reconciliations`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from gateway.bootstrap import Gateway
from gateway.reconcile.breaks import BreakType
from gateway.reconcile.errors import ReconcileError
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_columns
from gateway.reconcile.payments.report import (
    PAYMENT_BREAK_TYPES,
    PaymentBreak,
    PaymentReport,
)
from gateway.reconcile.report.json import payment_break_dict, payment_report_dict
from gateway.services.errors import BadRequest
from gateway.store.breaks import FoundBreak
from schemas.money import format_money, to_fen
from signing import sm3_hex

KIND = "payments"
_ADM = re.compile(r"^[0-9]{6}$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_HOURS = 24 * 366
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
        return f"{KIND}|{self.adm_div_code}|{self.pay_bank_code or '*'}|{self.day.isoformat()}"

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


def payment_scope(adm_div_code: str, day: date | str, pay_bank_code: str | None = None) -> PaymentScope:
    """Validate and build a scope (BadRequest naming the field)."""
    if not isinstance(adm_div_code, str) or not _ADM.match(adm_div_code):
        raise BadRequest(f"adm_div_code must be a 6-digit AdmDivCode, got {str(adm_div_code)[:20]!r}")
    if pay_bank_code is not None:
        if not isinstance(pay_bank_code, str) or not pay_bank_code.strip():
            raise BadRequest("pay_bank_code must be a non-empty string when given")
        if len(pay_bank_code) > 200 or "|" in pay_bank_code:
            raise BadRequest("pay_bank_code must be at most 200 characters and contain no '|'")
    return PaymentScope(adm_div_code, parse_day(day), pay_bank_code)


def check_hours(name: str, hours: int) -> timedelta:
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= MAX_HOURS:
        raise BadRequest(f"{name} must be an integer between 0 and {MAX_HOURS}")
    return timedelta(hours=hours)


def reconcile_scope_from_store(
    gw: Gateway,
    scope: PaymentScope,
    as_of: datetime,
    unpaid_window: timedelta = timedelta(hours=24),
    uncleared_window: timedelta = timedelta(hours=24),
) -> PaymentReport:
    """The payment report of one scope computed from the store (no bookkeeping; see :func:`run`)."""
    with gw.database.unit_of_work() as uow:
        inputs = uow.payments.scope_inputs(scope.adm_div_code, scope.day, scope.pay_bank_code)
    return reconcile_payment_columns(
        inputs, as_of=as_of, unpaid_window=unpaid_window, uncleared_window=uncleared_window
    )


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else to_fen(value)


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
    text = f"{KIND}|{engine_key}" if scope.pay_bank_code is None else f"{KIND}|{scope.key}|{engine_key}"
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
    diff = _fen(item.difference)
    counterpart = _COUNTERPART.get(item.type)
    upper = _fen(item.voucher_amount)
    lower = None if counterpart is None else _fen(getattr(item, counterpart))
    present = [
        a for a in (item.voucher_amount, item.refund_amount, item.paid_amount, item.cleared_amount) if a
    ]
    magnitude = abs(diff) if diff is not None else (abs(to_fen(present[0])) if present else 0)
    detail = payment_break_dict(item)
    detail["type_zh"] = item.type.label_zh
    return FoundBreak(
        key=break_key(scope, item.key),
        type=item.type.value,
        ident=item.key,
        amount_fen=magnitude,
        upper_amount_fen=upper,
        lower_amount_fen=lower,
        difference_fen=diff,
        fields=detail["fields"],
        detail=detail,
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
        "kind": KIND,
        "scope": scope.key,
        "status": summary["status"],
        "breaks": summary["breaks"],
        "report_sm3": report_digest(body),
    }


def run_payments(
    gw: Gateway,
    scope: PaymentScope,
    *,
    actor: str,
    as_of: datetime | None,
    trigger: str,
    unpaid_window: timedelta,
    uncleared_window: timedelta,
) -> tuple[int, PaymentReport | None, str | None]:
    """Start a run row and compute the report: (run id, report, None) or (run id, None, error)."""
    started = gw.clock()
    moment = as_of or started
    with gw.database.unit_of_work() as uow:
        run_id = uow.runs.start(KIND, scope.key, scope.as_dict(), moment, started, trigger, actor)
        uow.commit()
    try:
        report = reconcile_scope_from_store(gw, scope, moment, unpaid_window, uncleared_window)
    except (ReconcileError, ValueError) as exc:
        return run_id, None, str(exc)
    return run_id, report, None
