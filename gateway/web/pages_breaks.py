"""差异: the break list (filters: pair, type, status, age, amount range; sort; pages) and one break — both
sides side by side with the differing fields marked, its history, and the ops actions 说明 (explain) and 解决
(resolve), each with a required comment. Actions are POSTs with the session's CSRF token, refused for viewers
whatever the page showed; the services write the audit entry in the same transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.model import AuditEntry
from gateway.parties import PartyRegistry
from gateway.reconcile.report.statements import STATEMENT_FIELD_LABELS_ZH
from gateway.reconcile.statements.report import SOURCE_LABELS_ZH
from gateway.services import breaks
from gateway.services.breaks import MAX_COMMENT, BreakFilters, BreakView
from gateway.services.browse import MAX_PAGE, Page
from gateway.services.errors import BadRequest, Conflict, NotFound
from gateway.web import display, forms, recon_common
from gateway.web.auth import SignedIn
from gateway.web.forms import FormInvalid
from gateway.web.sections import Section
from gateway.web.site import WebContext, parse_page

SECTION = Section(key="breaks", title="差异", path="/breaks", order=20)
PAGE_SIZE = 50
FILTERS = ("kind", "pair", "scope", "type", "status", "age", "min_amount", "max_amount", "sort")
ACTIONS = {"explain": "说明", "resolve": "解决"}
ALLOWED_FROM = {"explain": ("open", "explained"), "resolve": ("open", "explained")}
NOTICES = {
    "explain": "已记录说明（操作已记入审计日志）。",
    "resolve": "已将差异标记为已解决（操作已记入审计日志）。",
}
_KEY = re.compile(r"^[0-9a-f]{64}$")
T = TypeVar("T")


@dataclass(frozen=True)
class SideRow:
    label: str
    upper: str
    lower: str
    differs: bool
    amount: bool = False
    """An amount row: both cells right-aligned with tabular figures."""


def filter_values(request: Request) -> dict[str, str]:
    """The filter fields of the query, as typed (trimmed and bounded)."""
    params = request.query_params
    return {name: params.get(name, "").strip()[: 240 if name == "scope" else 64] for name in FILTERS}


def _field(name: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except FormInvalid:
        raise
    except BadRequest as exc:
        raise FormInvalid({name: exc.detail}) from None


def filters_from(values: dict[str, str], page_text: str | None) -> BreakFilters:
    """The break filters; a bad one raises :class:`FormInvalid` naming its field."""

    def refuse(name: str, detail: str) -> FormInvalid:
        return FormInvalid({name: detail})

    if values["kind"] and values["kind"] not in recon_common.KINDS:
        raise refuse("kind", f"未知的对账类别 {values['kind']}")
    pair = _field("pair", lambda: recon_common.parse_pair(values["pair"]))
    scope = _field("scope", lambda: recon_common.parse_payment_scope(values["scope"]))
    if pair is not None and scope is not None:
        raise refuse("scope", "请只选择一个对账对或一个支付对账范围")
    # A pair is an indicator scope and a payment scope a payment one: the kind follows from either.
    kind = "indicators" if pair is not None else "payments" if scope is not None else values["kind"] or None
    if values["kind"] and kind != values["kind"]:
        raise refuse("kind", "所选类别与对账对 / 支付对账范围不符")
    allowed = (
        recon_common.KIND_BREAK_TYPES[kind]
        if kind is not None
        else {t: n for types in recon_common.KIND_BREAK_TYPES.values() for t, n in types.items()}
    )
    if values["type"] and values["type"] not in allowed:
        raise refuse("type", f"未知的差异类型 {values['type']}")
    if values["status"] and values["status"] not in recon_common.BREAK_STATUSES:
        raise refuse("status", f"未知的处理状态 {values['status']}")
    if values["age"] and values["age"] not in recon_common.AGES:
        raise refuse("age", f"未知的账龄 {values['age']}")
    sort = values["sort"] or "-last_seen"
    if sort not in recon_common.SORTS:
        raise refuse("sort", f"未知的排序 {sort}")
    low = _field("min_amount", lambda: recon_common.parse_yuan(values["min_amount"], "最小金额"))
    high = _field("max_amount", lambda: recon_common.parse_yuan(values["max_amount"], "最大金额"))
    if low is not None and high is not None and low > high:
        raise refuse("min_amount", "最小金额不能大于最大金额")
    _label, min_age, max_age = recon_common.AGES.get(values["age"], ("", None, None))
    number = parse_page(page_text)
    if number > MAX_PAGE:
        raise BadRequest(f"页码应在 1 到 {MAX_PAGE} 之间")
    return BreakFilters(
        kind=kind,
        scope_key=scope,
        upper=None if pair is None else pair.upper,
        lower=None if pair is None else pair.lower,
        fiscal_year=None if pair is None else pair.fiscal_year,
        types=(values["type"],) if values["type"] else (),
        statuses=(values["status"],) if values["status"] else (),
        min_amount_fen=low,
        max_amount_fen=high,
        min_age_days=min_age,
        max_age_days=max_age,
        sort=sort,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )


def sides(view: BreakView, registry: PartyRegistry) -> list[SideRow]:
    """Upper and lower side by side: identity, amount, then every field the engine found different."""
    if view.kind == "payments":
        return payment_sides(view, registry)
    if view.kind == "statements":
        return statement_sides(view, registry)
    d: dict[str, Any] = dict(view.detail)

    def text(value: Any) -> str:
        return "—" if value is None or value == "" else str(value)

    scope = view.scope
    rows = [
        SideRow(
            "财政区划",
            display.division_label(registry, scope.get("upper")),
            display.division_label(registry, scope.get("lower")),
            False,
        ),
        SideRow("指标 ID (BGT_ID)", text(d.get("bgt_id")), text(d.get("lower_bgt_id")), False),
        SideRow(
            "金额 (元)",
            display.money(view.upper_amount),
            display.money(view.lower_amount),
            view.upper_amount != view.lower_amount,
            amount=True,
        ),
    ]
    for item in view.fields:
        name = str(item.get("field"))
        label = f"{recon_common.FIELDS[name]} {name}" if name in recon_common.FIELDS else name
        rows.append(SideRow(label, text(item.get("upper")), text(item.get("lower")), True))
    if d.get("doc_no") and not any(str(f.get("field")) == "COR_BGT_DOC_NO" for f in view.fields):
        rows.append(SideRow("指标文号", text(d.get("doc_no")), "", False))
    return rows


def payment_sides(view: BreakView, registry: PartyRegistry) -> list[SideRow]:
    """A payment break: finance's voucher (left) against what the bank paid / refunded and the PBOC
    cleared (right), then the break's own details (clearing numbers, refund number, quota balances)."""
    d: dict[str, Any] = dict(view.detail)

    def text(value: Any) -> str:
        return "—" if value is None or value == "" else str(value)

    voucher = d.get("voucher_amount")
    bank = d.get("bank")
    rows = [
        SideRow(
            "区划 · 代理银行 · 凭证日期",
            f"{display.division_label(registry, d.get('adm_div_code'))} · "
            f"{display.division_label(registry, bank) if bank else '—'} · {d.get('day')}",
            "",
            False,
        ),
        SideRow("支付凭证号", text(d.get("voucher_no")), "", False),
        SideRow(
            "凭证金额 / 实付金额 (元)",
            display.money(voucher),
            display.money(d.get("paid_amount")),
            voucher != d.get("paid_amount"),
            amount=True,
        ),
        SideRow(
            "退款金额 (元)",
            "",
            display.money(d.get("refund_amount")),
            d.get("refund_amount") is not None,
            amount=True,
        ),
        SideRow(
            "清算金额 (元)",
            "",
            display.money(d.get("cleared_amount")),
            d.get("cleared_amount") is not None,
            amount=True,
        ),
    ]
    for item in d.get("fields", []):
        name = str(item.get("field"))
        label = recon_common.PAYMENT_FIELDS.get(name, name)
        if name in recon_common.PAYMENT_AMOUNT_FIELDS:
            rows.append(SideRow(label, "", display.money(item.get("value")), True, amount=True))
        else:
            rows.append(SideRow(label, "", text(item.get("value")), True))
    return rows


def statement_sides(view: BreakView, registry: PartyRegistry) -> list[SideRow]:
    """A statement break: what the 3501 / 3502 / 3510 says (left) against what the gateway holds (right),
    then the break's details (the statements listing it, ProState, the control totals or balances)."""
    d: dict[str, Any] = dict(view.detail)
    statement, held = d.get("statement_amount"), d.get("held_amount")
    division = display.division_label(registry, d.get("adm_div_code"))
    rows = [
        SideRow(
            "区划 · 凭证类型 · 对账日期",
            f"{division} · {d.get('vt_code')} · {d.get('day')}",
            "",
            False,
        ),
        SideRow("对账单号 · 凭证号", f"{d.get('statement_no')} · {d.get('voucher_no')}", "", False),
        SideRow("金额 (元)", display.money(statement), display.money(held), statement != held, amount=True),
    ]
    for item in d.get("fields", []):
        name = str(item.get("field"))
        label = STATEMENT_FIELD_LABELS_ZH.get(name, name)
        value = str(item.get("value"))
        if name == "SOURCE":
            rows.append(SideRow(label, "", SOURCE_LABELS_ZH.get(value, value), False))
        elif name in recon_common.PAYMENT_AMOUNT_FIELDS:
            rows.append(SideRow(label, display.money(value), "", True, amount=True))
        else:
            rows.append(SideRow(label, value, "", name in ("ALL_NUM", "DETAIL_NUM")))
    return rows


def with_difference(view: BreakView) -> BreakView:
    """The break with its 差额 as every type shows it (:func:`recon_common.shown_difference`)."""
    shown = recon_common.shown_difference(view.difference, view.upper_amount, view.lower_amount)
    return view if shown == view.difference else replace(view, difference=shown)


def audit_of(ctx: WebContext, subject: str | None, limit: int) -> list[AuditEntry]:
    """Recent break actions from the audit log (optionally of one break)."""
    entries = ctx.gateway.database.message_browser().recent_audit(
        recon_common.BREAK_AUDIT, limit if subject is None else 500
    )
    if subject is not None:
        entries = [e for e in entries if e.subject == subject][:limit]
    return entries


def _key(request: Request) -> str:
    key = str(request.path_params["key"])
    if not _KEY.match(key):
        raise NotFound("差异编号应为 64 位十六进制")
    return key


def routes(ctx: WebContext) -> list[BaseRoute]:
    recon_common.install(ctx.env)

    def listing(request: Request) -> Response:
        person = ctx.require(request)
        values = filter_values(request)
        page_text = request.query_params.get("page")
        try:
            filters = filters_from(values, page_text)
        except FormInvalid as exc:  # the filters come back as typed, the message by the field
            return render_listing(request, person, None, values, 1, exc.errors)
        return render_listing(request, person, filters, values, parse_page(page_text), {})

    def render_listing(
        request: Request,
        person: SignedIn,
        filters: BreakFilters | None,
        values: dict[str, str],
        number: int,
        errors: dict[str, str],
    ) -> Response:
        found = None if filters is None else breaks.list_breaks(ctx.gateway, filters)
        items = [] if found is None else [with_difference(b) for b in found.items]
        more = found is not None and filters is not None and filters.offset + len(items) < found.total
        return ctx.render(
            request,
            "breaks.html",
            person=person,
            active=SECTION.key,
            status=400 if errors else 200,
            page=Page(items, number, more),
            total=0 if found is None else found.total,
            values=values,
            query={k: v for k, v in values.items() if v},
            pairs=recon_common.known_pairs(ctx.gateway),
            payment_scopes=recon_common.known_payment_scopes(ctx.gateway),
            recent=audit_of(ctx, None, 10),
            form_errors=errors,
        )

    def detail(request: Request) -> Response:
        person = ctx.require(request)
        return render_detail(request, person, _key(request), request.query_params.get("notice", ""))

    def render_detail(
        request: Request,
        person: SignedIn,
        key: str,
        code: str = "",
        errors: dict[str, str] | None = None,
        typed: dict[str, str] | None = None,
    ) -> Response:
        """One break; an action form that failed validation comes back with its message and comment."""
        try:
            view = breaks.get_break(ctx.gateway, key)
        except NotFound:
            raise NotFound(f"差异 {key[:16]}… 不存在") from None
        return ctx.render(
            request,
            "break.html",
            person=person,
            active=SECTION.key,
            status=400 if errors else 200,
            b=with_difference(view),
            sides=sides(view, ctx.gateway.registry),
            allowed=ALLOWED_FROM,
            actions=ACTIONS,
            max_comment=MAX_COMMENT,
            notice=NOTICES.get(code),
            audit=audit_of(ctx, f"break/{key}", 50),
            form_errors=errors or {},
            typed=typed or {},
        )

    async def act(request: Request) -> Response:
        person, form = await ctx.action_form(request)
        key = _key(request)
        action = str(request.path_params["action"])
        if action not in ACTIONS:
            raise BadRequest(f"未知操作 {action}")
        comment = form.get("comment", "").strip()
        field = f"{action}-comment"
        if not comment:
            error = forms.message("comment", action=f"{ACTIONS[action]}差异")
        elif len(comment) > MAX_COMMENT:
            error = forms.message("too_long", field="原因", limit=MAX_COMMENT) + "；未做任何更改。"
        else:
            error = ""
        if error:
            return render_detail(request, person, key, "", {field: error}, {field: comment[:MAX_COMMENT]})
        do = breaks.explain_break if action == "explain" else breaks.resolve_break
        try:
            await run_in_threadpool(lambda: do(ctx.gateway, key, comment=comment, actor=person.actor))
        except NotFound:
            raise NotFound(f"差异 {key[:16]}… 不存在；未做任何更改。") from None
        except Conflict:
            raise Conflict(
                f"该差异当前状态不允许{ACTIONS[action]}（可能已被他人处理或已自动消除）；未做任何更改。"
            ) from None
        return ctx.redirect(request, f"/breaks/{key}", {"notice": action})

    return [
        Route("/breaks", listing, methods=["GET"], name="breaks"),
        Route("/breaks/{key}", detail, methods=["GET"], name="break"),
        Route("/breaks/{key}/{action}", act, methods=["POST"], name="break_act"),
    ]
