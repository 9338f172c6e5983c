"""资金追踪 (issue 17, 报告): the indicators of one level with their downstream execution, and one
indicator's tree down the levels with its vouchers, 回单 and 清算 — the same service as ``/v1/tracking``,
read with the signed-in person's ``tracking_divisions`` (none configured: nothing to read). ``?format=csv``
or ``xlsx`` on either page downloads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.parties import PartyKind
from gateway.services import tracking, tracking_export
from gateway.services.control_rules import CODES as CONTROL_REASONS
from gateway.services.errors import BadRequest, NotFound, TrackingForbidden
from gateway.web import display
from gateway.web.auth import SignedIn
from gateway.web.sections import Section
from gateway.web.site import WebContext, parse_page

SECTION = Section(key="tracking", title="资金追踪", path="/tracking", order=35)
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIDE_LABELS = tracking_export.SIDE_LABELS
FIELD_NAMES = {"division": "区划", "fiscal_year": "年度", "is_track": "是否追踪", "side": "类型"}


@dataclass(frozen=True)
class Pager:
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def scope_of(ctx: WebContext, person: SignedIn) -> tracking.Scope:
    for configured in ctx.gateway.settings.people:
        if configured.name == person.name and configured.role == person.role:
            return tracking.person_scope(configured)
    return tracking.Scope(frozenset(), person.name)  # default deny


def _text(request: Request, name: str, limit: int = 38) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > limit:
        raise BadRequest(f"{FIELD_NAMES.get(name, name)}：不超过 {limit} 个字符")
    return value


def _year(request: Request) -> int | None:
    text = _text(request, "fiscal_year", 4)
    if not text:
        return None
    if not (text.isdigit() and len(text) == 4):
        raise BadRequest("年度：应为 4 位数字，如 2026")
    return int(text)


def _check(values: dict[str, str]) -> None:
    """The filters in Chinese before the service sees them (its own messages are the API's)."""
    division = values.get("division", "")
    if division and not (len(division) == 9 and division.isdigit()):
        raise BadRequest("区划：应为 9 位财政区划代码，如 330324000")
    if values.get("is_track", "") not in ("", "1", "2"):
        raise BadRequest("是否追踪：应为 1 (是) 或 2 (否)")
    if values.get("side", "") not in ("", *SIDE_LABELS):
        raise BadRequest("类型：应为 下达、接收 或 本级")


def _call(what: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The service answer; its refusals with the page's Chinese detail."""
    try:
        answer: dict[str, Any] = what(*args, **kwargs)
    except TrackingForbidden:
        raise TrackingForbidden("当前账号无权查看该区划的指标 (资金追踪范围 tracking_divisions)") from None
    except NotFound:
        raise NotFound("当前账号可查看的区划中没有该指标") from None
    return answer


def _download(ctx: WebContext, answer: dict[str, Any], chosen: str, name: str) -> Response:
    def name_of(code: str) -> str | None:
        return display.code_name(ctx.gateway.registry, code)

    if chosen == "csv":
        body, media = tracking_export.render_csv(name_of, answer), "text/csv; charset=utf-8"
    else:
        body, media = tracking_export.render_xlsx(name_of, answer), XLSX
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{chosen}"'}
    )


def _format(request: Request) -> str:
    chosen = request.query_params.get("format", "")
    if chosen not in ("", "csv", "xlsx"):
        raise BadRequest("导出格式应为 csv 或 xlsx")
    return chosen


def routes(ctx: WebContext) -> list[BaseRoute]:
    def divisions() -> list[str]:
        return [d for p in ctx.gateway.registry.of_kind(PartyKind.FINANCE) for d in p.mof_div_codes]

    def listing(request: Request) -> Response:
        person = ctx.require(request)
        chosen = _format(request)
        values = {name: _text(request, name) for name in FIELD_NAMES}
        number = parse_page(request.query_params.get("page"))
        _check(values)
        answer = _call(
            tracking.list_indicators,
            ctx.gateway,
            scope_of(ctx, person),
            division=values["division"] or None,
            fiscal_year=_year(request),
            is_track=values["is_track"] or None,
            side=values["side"] or None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        if chosen:
            return _download(ctx, answer, chosen, "tracking")
        query = {k: v for k, v in values.items() if v}
        return ctx.render(
            request,
            "tracking.html",
            person=person,
            active=SECTION.key,
            answer=answer,
            values=values,
            query=query,
            page=Pager(number, bool(answer["has_next"])),
            divisions=divisions(),
            sides=SIDE_LABELS,
            reasons=CONTROL_REASONS,
            now=ctx.gateway.clock(),
        )

    def tree(request: Request) -> Response:
        person = ctx.require(request)
        chosen = _format(request)
        bgt_id = str(request.path_params["bgt_id"])
        if not 1 <= len(bgt_id) <= 38:
            raise BadRequest("指标 ID (BGT_ID)：1 至 38 个字符")
        division = _text(request, "division")
        _check({"division": division})
        answer = _call(
            tracking.indicator_tree,
            ctx.gateway,
            scope_of(ctx, person),
            bgt_id,
            division=division or None,
            fiscal_year=_year(request),
        )
        if chosen:
            return _download(ctx, answer, chosen, "tracking_indicator")
        query = {
            k: v for k, v in (("division", division), ("fiscal_year", _text(request, "fiscal_year", 4))) if v
        }
        return ctx.render(
            request,
            "tracking_tree.html",
            person=person,
            active=SECTION.key,
            answer=answer,
            query=query,
            sides=SIDE_LABELS,
            reasons=CONTROL_REASONS,
            now=ctx.gateway.clock(),
        )

    return [
        Route("/tracking", listing, methods=["GET"], name="tracking"),
        Route("/tracking/{bgt_id}", tree, methods=["GET"], name="tracking_tree"),
    ]
