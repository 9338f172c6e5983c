"""What the reconciliation pages (总览, 差异, 对账报告) share: pairs, Chinese labels, amount parsing and the
server-rendered SVG trend chart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jinja2

from gateway.bootstrap import Gateway, reconciliation_kinds
from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES, BreakType
from gateway.reconcile.payments.report import PAYMENT_BREAK_TYPES as PAYMENT_TYPES
from gateway.services.errors import BadRequest
from gateway.services.reconciliation.indicators import pair_scope
from gateway.web import display
from gateway.web.labels import label
from schemas.money import MAX_AMOUNT, MoneyFormatError, format_money, to_fen

KIND = "indicators"

BREAK_TYPES: dict[str, str] = {
    t.value: t.label_zh for t in INDICATOR_BREAK_TYPES if t is not BreakType.IN_TRANSIT
}
"""The indicator break types a run persists (IN_TRANSIT items are not breaks)."""

ALL_BREAK_TYPES: dict[str, str] = {t.value: t.label_zh for t in BreakType}
"""Every break type's Chinese label (indicator and payment types), for display."""

PAYMENT_BREAK_TYPES: dict[str, str] = {t.value: t.label_zh for t in PAYMENT_TYPES}
"""The payment break types (国库集中支付三方对账)."""

_KIND_TABLE = reconciliation_kinds()

KINDS: dict[str, str] = {k.name: k.label_zh for k in _KIND_TABLE.values()}
"""Break and run kinds with their Chinese names (the 类别 filter), from the composition root's table."""

KIND_BREAK_TYPES: dict[str, dict[str, str]] = {
    k.name: {t: BreakType(t).label_zh for t in k.break_types} for k in _KIND_TABLE.values()
}
"""The break types each kind persists, with their Chinese names."""

_PAYMENT_SCOPE = re.compile(r"^payments\|[0-9]{6}\|[^|]{1,200}\|[0-9]{4}-[0-9]{2}-[0-9]{2}$")

PAYMENT_FIELDS: dict[str, str] = {
    "CLEARING_NO": "清算凭证号 (2301)",
    "REFUND_NO": "退款通知书号 (2252)",
    "PRE_DATE_MONEY": "上期额度余额",
    "CLEAR_AMT": "本期下达额度",
    "CUR_RECK_MONEY": "本期已清算额度",
    "CUR_DATE_MONEY": "本期额度余额",
}
"""The details a payment break carries, shown with their Chinese names."""
PAYMENT_AMOUNT_FIELDS = frozenset({"PRE_DATE_MONEY", "CLEAR_AMT", "CUR_RECK_MONEY", "CUR_DATE_MONEY"})
"""Those of them that are amounts (the 3510 quota balances), shown as ``1,234.00``."""

BREAK_STATUSES: dict[str, str] = {
    "open": "未处理",
    "explained": "已说明",
    "resolved": "已解决",
    "closed": "已消除",
}
RUN_STATUSES: dict[str, str] = {"running": "进行中", "succeeded": "已完成", "failed": "失败"}
TRIGGERS: dict[str, str] = {"api": "API", "schedule": "定时", "cli": "命令行", "web": "页面"}
EVENTS: dict[str, str] = {
    "opened": "发现",
    "reopened": "再次发现",
    "closed": "自动消除",
    "in_transit": "在途，未消除",
    "unconfirmed": "未再发现，待核实",
    "explained": "说明",
    "resolved": "解决",
}
AUDIT_ACTIONS: dict[str, str] = {
    "break.explained": "说明差异",
    "break.resolved": "解决差异",
    "reconciliation.run": "执行对账",
    "reconciliation.failed": "对账失败",
}
BREAK_AUDIT = ("break.explained", "break.resolved")

FIELDS: dict[str, str] = {
    "BGT_DOC_TITLE": "指标文标题",
    "COR_BGT_DOC_NO": "指标文号 (上级 COR / 下级 SUP)",
    "DOC_DATE": "发文时间",
    "PRO_CODE": "项目代码",
    "FUND_TYPE_CODE": "资金性质代码",
    "TP_FUNC_CODE": "转移支付功能分类科目代码",
    "GOV_BGT_ECO_CODE": "政府支出经济分类科目代码",
    "DISTRI_TYPE_CODE": "分配方式",
    "IS_TRACK": "是否追踪",
}
"""The compared BA_BGT_INFO attributes (DOMAIN.md's names), shown next to the column name."""

AGES: dict[str, tuple[str, int | None, int | None]] = {
    "0-1d": ("1 天内", None, 0),
    "1-7d": ("1–7 天", 1, 6),
    "7-30d": ("7–30 天", 7, 29),
    ">30d": ("30 天以上", 30, None),
}
"""Age bucket → (label, min age days, max age days), the buckets of the dashboard (whole days)."""

SORTS: dict[str, str] = {
    "-last_seen": "最近发现时间（新→旧）",
    "-amount": "金额（大→小）",
    "amount": "金额（小→大）",
    "-age": "账龄（长→短，首次发现早的在前）",
    "age": "账龄（短→长，首次发现晚的在前）",
    "type": "差异类型",
    "status": "处理状态",
}
"""Each label names the one thing it sorts by (最近发现 is the last run that saw a break, 账龄 counts from the
first), so no two read alike."""


@dataclass(frozen=True, order=True)
class Pair:
    upper: str
    lower: str
    fiscal_year: int

    @property
    def key(self) -> str:
        return f"{self.upper}|{self.lower}|{self.fiscal_year}"


def parse_pair(text: str) -> Pair | None:
    """``upper|lower|fiscal_year`` (a run's scope key) → the pair; empty → ``None``."""
    text = text.strip()
    if not text:
        return None
    parts = text.split("|")
    if len(parts) != 3 or not parts[2].isdigit() or len(parts[2]) != 4:
        raise BadRequest("对账对格式应为 上级区划|下级区划|年度")
    try:
        scope = pair_scope(parts[0], parts[1], int(parts[2]))
    except BadRequest:
        raise BadRequest("对账对无效：上下级须为不同的 9 位财政区划代码，年度为 2000–2100") from None
    return Pair(scope.upper, scope.lower, scope.fiscal_year)


def parse_payment_scope(text: str) -> str | None:
    """A payment run's scope key (``payments|区划|银行 or *|日期``) → itself; empty → ``None``."""
    text = text.strip()
    if not text:
        return None
    if not _PAYMENT_SCOPE.match(text):
        raise BadRequest("支付对账范围格式应为 payments|6 位区划代码|代理银行或 *|YYYY-MM-DD")
    return text


def known_payment_scopes(gw: Gateway, limit: int = 60) -> list[tuple[str, str]]:
    """(scope key, label) of the payment scopes that have been run, newest day first (at most ``limit``)."""
    with gw.database.unit_of_work() as uow:
        keys = uow.runs.scopes("payments")
    out: list[tuple[str, str]] = []
    for key in sorted(keys, key=lambda k: (k.rsplit("|", 1)[-1], k), reverse=True)[:limit]:
        _kind, adm, bank, day = key.split("|", 3)
        adm_label = display.division_label(gw.registry, adm)
        bank_label = "" if bank == "*" else f" · 银行 {display.division_label(gw.registry, bank)}"
        out.append((key, f"区划 {adm_label} · {day}{bank_label}"))
    return out


def known_pairs(gw: Gateway) -> list[Pair]:
    """Configured pairs (``[[reconciliation.pairs]]``) and every pair that has been run, sorted."""
    pairs = {Pair(p.upper, p.lower, p.fiscal_year) for p in gw.settings.reconciliation.pairs}
    with gw.database.unit_of_work() as uow:
        for key in uow.runs.scopes(KIND):
            upper, lower, year = key.split("|")
            pairs.add(Pair(upper, lower, int(year)))
    return sorted(pairs)


def shown_difference(difference: str | None, upper: str | None, lower: str | None) -> str | None:
    """差额 as every break type shows it: the engine's difference, or — where it gives none because one
    side is absent (下级未接收, 上级未下达) — upper − lower with the absent side counting as 0, the rule the
    payment engine already follows (未支付 = the voucher amount, an unknown receipt = −its amount).
    ``None`` only when neither side has an amount."""
    if difference is not None or (upper is None and lower is None):
        return difference
    return format_money(Decimal(upper or "0") - Decimal(lower or "0"))


def parse_yuan(text: str, field: str) -> int | None:
    """A non-negative amount in 元 (at most 2 decimals) → fen; empty → ``None``. Never a float."""
    text = text.strip().replace(",", "")  # typed by a person: surrounding blanks and 1,000.00 are fine
    if not text:
        return None
    try:
        fen = to_fen(text)
    except MoneyFormatError as exc:
        if exc.code == "amount_precision":
            raise BadRequest(f"{field}：金额须为非负数，最多两位小数") from None
        if exc.code == "amount_out_of_range":
            raise BadRequest(f"{field}：金额过大（最大 {MAX_AMOUNT} 元）") from None
        raise BadRequest(f"{field}：金额格式应为数字，如 1000.00") from None
    if fen < 0:
        raise BadRequest(f"{field}：金额须为非负数，最多两位小数")
    return fen


# ---- the trend chart (inline SVG, drawn on the server) ----------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 220, 70, 16


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    points: str
    dots: tuple[tuple[float, float, int, int], ...]
    """(x, y, run id, breaks) per run, oldest first."""
    peak: int
    baseline: float
    pad: int = CHART_PAD


def trend_chart(trend: list[tuple[int, Any, int]]) -> TrendChart | None:
    """A polyline of breaks per run (oldest left); ``None`` when there is no successful run yet."""
    if not trend:
        return None
    peak = max(n for _, _, n in trend)
    scale = peak or 1
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / max(len(trend) - 1, 1)
    dots = tuple(
        (
            round(CHART_PAD + i * step, 1),
            round(CHART_PAD + inner_h * (1 - n / scale), 1),
            run_id,
            n,
        )
        for i, (run_id, _, n) in enumerate(trend)
    )
    points = " ".join(f"{x},{y}" for x, y, _, _ in dots)
    return TrendChart(CHART_WIDTH, CHART_HEIGHT, points, dots, peak, CHART_PAD + inner_h)


def scope_text(kind: str, scope: Any) -> str:
    """A run's or break's scope in 简体中文, as its kind says it (``""`` for a kind this gateway lacks)."""
    strategy = _KIND_TABLE.get(kind)
    return "" if strategy is None else strategy.scope_text(scope or {})


def install(env: jinja2.Environment) -> None:
    """Add the reconciliation labels to the shared template environment (idempotent)."""
    env.filters["break_type"] = lambda code: label(ALL_BREAK_TYPES, code)
    env.filters["break_status"] = lambda code: label(BREAK_STATUSES, code)
    env.filters["run_status"] = lambda code: label(RUN_STATUSES, code)
    env.filters["trigger_label"] = lambda code: label(TRIGGERS, code)
    env.filters["event_label"] = lambda code: label(EVENTS, code)
    env.filters["recon_action"] = lambda code: label(AUDIT_ACTIONS, code)
    env.globals["kind_label"] = lambda name: label(KINDS, name)
    env.globals["scope_text"] = scope_text
    env.globals["recon"] = {
        "types": BREAK_TYPES,
        "payment_types": PAYMENT_BREAK_TYPES,
        "kinds": KINDS,
        "kind_types": KIND_BREAK_TYPES,
        "statuses": BREAK_STATUSES,
        "ages": AGES,
        "sorts": SORTS,
    }
