"""The statement kind (凭证对账) from the store: the 3501 / 3502 对账单 and 3510 清算额度对账 of one division
and day (optionally one VtCode), against the vouchers, 回单 and clearing the gateway holds.

A run reads the scope with :meth:`gateway.services.ports.StatementLines.scope_inputs` (3501 / 3502 lines
written at intake into ``statement_lines``; 回单, clearing, vouchers and 3510 / 5510 balance lines from
``payment_lines``) and feeds the plain columns to
:func:`gateway.reconcile.statements.duckdb_engine.reconcile_statement_columns` (the rules: the docstring of
:mod:`gateway.reconcile.statements.reference`). The run, its JSON report, the persistent breaks and one
audit entry are committed by :mod:`gateway.services.reconciliation.runs`, as for the other kinds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator

from gateway.reconcile.breaks import BreakType
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE
from gateway.reconcile.report.formats import render_report
from gateway.reconcile.report.statements import (
    statement_break_dict,
    statement_report_dict,
    statement_report_from_dict,
)
from gateway.reconcile.statements.duckdb_engine import reconcile_statement_columns
from gateway.reconcile.statements.report import STATEMENT_BREAK_TYPES, StatementBreak, StatementReport
from gateway.rows import BreakRow, FoundBreak, PaymentRecord
from gateway.services import break_closing
from gateway.services.break_closing import Verdict
from gateway.services.errors import BadRequest
from gateway.services.ports import Counterparts, ServiceContext
from gateway.services.reconciliation.kinds import (
    Computed,
    checked_as_of,
    parse_request,
    stored_break,
    timestamp_input,
)
from gateway.services.reconciliation.payments import day_input, parse_day
from schemas.money import format_money, parse_sum
from signing import sm3_hex

NAME: Final = "statements"
TAKES = "adm_div_code and day"
VT_CODES = ("3501", "3502", "3510")
"""The statements a scope may be narrowed to (3510 takes its 5510 replies along)."""
TOTAL_KEYS = (
    "statements",
    "voucher_statements",
    "quota_statements",
    "detail_count",
    "detail_amount",
    "declared_amount",
)


def _division_problem(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) != 6 or not value.isascii() or not value.isdigit():
        return f"adm_div_code must be a 6-digit AdmDivCode, got {str(value)[:20]!r}"
    return None


def _vt_problem(value: Any) -> str | None:
    if value is not None and value not in VT_CODES:
        return f"vt_code must be one of {', '.join(VT_CODES)} when given, got {str(value)[:20]!r}"
    return None


@dataclass(frozen=True)
class StatementScope:
    """One statement reconciliation: a division (AdmDivCode), a day (CheckDate; 3510: EndDate) and
    optionally one VtCode."""

    adm_div_code: str
    day: date
    vt_code: str | None = None

    @property
    def key(self) -> str:
        return f"{NAME}|{self.adm_div_code}|{self.vt_code or '*'}|{self.day.isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        return {"adm_div_code": self.adm_div_code, "vt_code": self.vt_code, "day": self.day.isoformat()}


def scope_of(stored: Mapping[str, Any]) -> StatementScope:
    """A run's or break's stored scope back as a :class:`StatementScope` (as ``payments.scope_of``)."""
    return StatementScope(
        str(stored["adm_div_code"]), date.fromisoformat(str(stored["day"])), stored.get("vt_code")
    )


def statement_scope(adm_div_code: Any, day: date | str, vt_code: Any = None) -> StatementScope:
    """Validate and build a scope (BadRequest naming the field)."""
    problem = _division_problem(adm_div_code) or _vt_problem(vt_code)
    if problem is not None:
        raise BadRequest(problem)
    return StatementScope(adm_div_code, parse_day(day), vt_code)


class StatementRunRequest(BaseModel):
    """``POST /v1/reconciliations`` ``{"kind": "statements", "adm_div_code", "day", "vt_code"?,
    "as_of"?}``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    kind: Literal["statements"] = NAME
    adm_div_code: str
    day: Annotated[date, BeforeValidator(day_input)]
    vt_code: str | None = None
    as_of: Annotated[datetime | None, BeforeValidator(timestamp_input)] = None

    _as_of = field_validator("as_of")(checked_as_of)

    @model_validator(mode="after")
    def _scope(self) -> StatementRunRequest:
        problem = _division_problem(self.adm_div_code) or _vt_problem(self.vt_code)
        if problem is not None:
            raise ValueError(problem)
        return self


def reconcile_scope_from_store(gw: ServiceContext, scope: StatementScope, as_of: datetime) -> StatementReport:
    """The statement report of one scope computed from the store (no bookkeeping)."""
    with gw.database.unit_of_work() as uow:
        inputs = uow.statements.scope_inputs(scope.adm_div_code, scope.day, scope.vt_code)
    return reconcile_statement_columns(inputs, as_of=as_of)


def break_key(scope: StatementScope, engine_key: str) -> str:
    """The stored break key: hex SM3 of ``statements|engine key`` for a whole-division scope; a scope
    narrowed to one VtCode adds its scope key, so running both scopes of one day never shares a break."""
    text = f"{NAME}|{engine_key}" if scope.vt_code is None else f"{NAME}|{scope.key}|{engine_key}"
    return sm3_hex(text.encode())


def found_break(scope: StatementScope, item: StatementBreak) -> FoundBreak:
    """A statement break as stored; upper = what the statement says, lower = what the gateway holds."""
    return stored_break(
        key=break_key(scope, item.key),
        ident=item.key,
        type_=item.type,
        upper=item.statement_amount,
        lower=item.held_amount,
        difference=item.difference,
        detail=statement_break_dict(item),
    )


def summary_of(scope: StatementScope, report: StatementReport) -> dict[str, Any]:
    """The run summary: the scope, counts and totals over its statements, status and breaks per type."""
    voucher = [s for s in report.statements if s.declared_amount is not None]
    by_type = dict.fromkeys((t.value for t in STATEMENT_BREAK_TYPES), 0)
    for item in report.breaks:
        by_type[item.type.value] += 1
    zero = Decimal("0.00")
    return {
        **scope.as_dict(),
        "statements": len(report.statements),
        "voucher_statements": len(voucher),
        "quota_statements": len(report.statements) - len(voucher),
        "detail_count": sum(s.line_count for s in voucher),
        "detail_amount": format_money(sum((s.line_amount for s in voucher), zero)),
        "declared_amount": format_money(sum((s.declared_amount or zero for s in voucher), zero)),
        "status": STATUS_DISAGREE if report.breaks else STATUS_AGREE,
        "break_counts": by_type,
        "breaks": len(report.breaks),
    }


def report_digest(body: Mapping[str, Any]) -> str:
    return sm3_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())


def audit_detail(
    scope: StatementScope, summary: Mapping[str, Any], body: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "kind": NAME,
        "scope": scope.key,
        "status": summary["status"],
        "breaks": summary["breaks"],
        "report_sm3": report_digest(body),
    }


def _message(record: PaymentRecord) -> str:
    return f"（报文 {record.message_id}）" if record.message_id else ""


def _verdict(row: BreakRow, records: list[PaymentRecord]) -> Verdict:
    voucher_no = str(row.detail.get("voucher_no"))
    statement_no = str(row.detail.get("statement_no"))
    source = str(row.ident).rsplit("|", 1)[-1].split(":", 1)[0]
    if row.type == BreakType.STATEMENT_UNKNOWN:
        wanted = ("clearing",) if source.startswith("C") else ("voucher",)
        held = [r for r in records if r.role in wanted]
        if held:
            r = held[-1]
            return Verdict(CLOSE, f"对方数据已到达：我方已有凭证 {voucher_no}{_message(r)}")
        return Verdict(UNCONFIRMED, "本次对账未再发现该差异，但我方仍无该凭证，保持未关闭，请人工核实")
    if row.type in (BreakType.STATEMENT_AMOUNT_MISMATCH, BreakType.STATEMENT_OMITTED) and records:
        r = records[-1]
        return Verdict(
            CLOSE, f"差异已消除：对账单 {statement_no} 与我方凭证 {voucher_no} 的最新记录一致{_message(r)}"
        )
    if row.type in (BreakType.STATEMENT_TOTALS, BreakType.QUOTA_IDENTITY, BreakType.QUOTA_CLEARED_MISMATCH):
        return Verdict(CLOSE, f"差异已消除：本次对账按对账单 {statement_no} 的最新一份重新核对，已一致")
    return Verdict(UNCONFIRMED, "本次对账未再发现该差异，但未找到对应记录，保持未关闭，请人工核实")


CLOSE = break_closing.CLOSE
UNCONFIRMED = break_closing.UNCONFIRMED


def recheck(repo: Counterparts, vanished: Sequence[BreakRow]) -> dict[int, Verdict]:
    """Vanished statement breaks: a listed voucher we now hold, a voucher whose amounts now agree (its
    latest 回单 / clearing line named), or a statement's totals / balances that now agree (the latest
    statement of that number was read)."""
    by_adm: dict[str, list[BreakRow]] = defaultdict(list)
    for row in vanished:
        by_adm[str(row.detail.get("adm_div_code"))].append(row)
    out: dict[int, Verdict] = {}
    for adm, group in by_adm.items():
        records: dict[str, list[PaymentRecord]] = defaultdict(list)
        for r in repo.payment_records(adm, {str(b.detail.get("voucher_no")) for b in group}):
            records[r.voucher_no].append(r)
            if r.clearing_no:
                records[r.clearing_no].append(r)
        for row in group:
            out[row.id] = _verdict(row, records.get(str(row.detail.get("voucher_no")), []))
    return out


def _amount(value: Any) -> Decimal:
    return Decimal("0.00") if value is None else parse_sum(value)


class Statements:
    """The :class:`gateway.services.reconciliation.kinds.Kind` of statement scopes."""

    name = NAME
    label_zh = "凭证对账"
    request_model = StatementRunRequest
    break_types = tuple(t.value for t in STATEMENT_BREAK_TYPES)
    total_keys = TOTAL_KEYS

    def request(self, body: Mapping[str, Any]) -> StatementRunRequest:
        parsed: StatementRunRequest = parse_request(self, body, takes=TAKES)
        return parsed

    def scope(self, request: StatementRunRequest) -> StatementScope:
        return StatementScope(request.adm_div_code, request.day, request.vt_code)

    def scope_filter(self, values: Mapping[str, Any]) -> str | None:
        """A statements filter names ``vt_code`` (``*``: the whole-division scope) with ``adm_div_code``
        and ``day``; those two alone name a payments scope."""
        adm_div_code, day, vt_code = (values.get(n) for n in ("adm_div_code", "day", "vt_code"))
        if vt_code is None:
            return None
        if adm_div_code is None or day is None:
            raise BadRequest("a statements filter needs adm_div_code, day and vt_code together")
        return statement_scope(adm_div_code, day, None if vt_code == "*" else vt_code).key

    def compute(
        self, gw: ServiceContext, request: StatementRunRequest, scope: StatementScope, as_of: datetime
    ) -> Computed:
        report = reconcile_scope_from_store(gw, scope, as_of)
        summary = summary_of(scope, report)
        body = statement_report_dict(report)
        return Computed(
            found=[found_break(scope, b) for b in report.breaks],
            summary=summary,
            body=body,
            audit_detail=audit_detail(scope, summary, body),
            as_of=report.as_of,
        )

    def render(self, body: Mapping[str, Any], summary: Mapping[str, Any], fmt: str) -> bytes:
        return render_report(statement_report_from_dict(body), fmt)

    def status_text(self, summary: Mapping[str, Any]) -> tuple[str | None, str | None]:
        status = summary.get("status")
        if status == STATUS_AGREE and int(summary.get("statements") or 0) == 0:
            return status, f"{STATUS_AGREE}（本范围内没有对账单）"
        return status, status

    def scope_text(self, scope: Mapping[str, Any]) -> str:
        vt_code = scope.get("vt_code")
        which = f"{vt_code} 对账单" if vt_code else "3501 / 3502 / 3510 对账单"
        return f"区划 {scope.get('adm_div_code')} · {which} · 对账日期 {scope.get('day')}"

    def recheck(self, repo: Counterparts, vanished: Sequence[BreakRow]) -> dict[int, Verdict]:
        return recheck(repo, vanished)

    def dashboard_order(self, keys: list[str]) -> list[str]:
        """The newest days first (a statement scope is one day)."""
        return sorted(keys, key=lambda k: (k.rsplit("|", 1)[-1], k), reverse=True)


KIND = Statements()
