"""How the pages show amounts, times and codes — one filter each, used by every template:

* ``money`` — an amount as ``1,234,567.89`` (exact ``Decimal``, never a float; ``—`` when there is none);
  the cell carries ``class="num"`` (right-aligned, tabular figures, ``app.css``);
* ``bjt`` — a timestamp in 北京时间 (Asia/Shanghai, UTC+8) as ``2026-03-16 09:30:00`` inside
  ``<time datetime="2026-03-16T09:30:00+08:00" title="北京时间 (UTC+8)">``; stored times are UTC;
* ``division_label`` — a 区划 or bank code with its registered name: ``330324 永嘉县``,
  ``102 中国工商银行永嘉支行``; a code the party registry does not know is shown alone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from markupsafe import Markup, escape

from gateway.beijing_time import (
    BEIJING,
    BEIJING_FIXED,
    MINUTE_FORMAT,
    TIME_FORMAT,
    beijing_text,
    beijing_zone,
    to_beijing,
)
from gateway.errors import UnknownParty
from gateway.parties import PartyKind, PartyRegistry
from schemas.money import MoneyFormatError, format_grouped, parse_sum

__all__ = [
    "BEIJING",
    "BEIJING_FIXED",
    "beijing_markup",
    "beijing_text",
    "beijing_zone",
    "division_label",
    "money",
    "to_beijing",
]

NO_VALUE = "—"

TIME_TITLE = "北京时间 (UTC+8)"


def beijing_markup(value: datetime | str | None, seconds: bool = True) -> Markup:
    """The ``bjt`` filter: a ``<time>`` element, its ``datetime`` with the +08:00 offset. Text that is not
    a timestamp (a header a sender filled badly) is shown as it is, escaped."""
    if value is None or value == "":
        return Markup("")
    try:
        moment = to_beijing(value)
    except ValueError:
        return escape(str(value))
    shown = moment.strftime(TIME_FORMAT if seconds else MINUTE_FORMAT)
    machine = moment.replace(microsecond=0).isoformat()
    return Markup('<time datetime="{}" title="{}">{}</time>').format(machine, TIME_TITLE, shown)


def money(value: Decimal | str | None) -> str:
    """An amount for people: ``1,234,567.89``, ``-1,234.00``; ``—`` when there is none. Amounts reach the
    templates as ``Decimal`` or as their canonical text (JSON summaries); text that is not an amount is
    shown as it is rather than guessed at."""
    if value is None or value == "":
        return NO_VALUE
    if isinstance(value, Decimal):
        return format_grouped(value)
    if isinstance(value, str):
        try:
            return format_grouped(parse_sum(value))
        except MoneyFormatError:
            return value
    raise TypeError(f"money() takes a Decimal or amount text, not {type(value).__name__}")


_OFFICE_SUFFIXES = ("财政厅", "财政局", "财政部")


def division_name(party_name: str) -> str:
    """The division a finance party speaks for: ``永嘉县财政局`` → ``永嘉县``."""
    for suffix in _OFFICE_SUFFIXES:
        if party_name.endswith(suffix) and len(party_name) > len(suffix):
            return party_name[: -len(suffix)]
    return party_name


def code_name(registry: PartyRegistry, code: str) -> str | None:
    """The registered name behind a code: a 6-digit AdmDivCode or 9-digit MOF_DIV_CODE (the division),
    an agency bank's 行号 or 代理银行编码, a PBOC TreCode / node code; ``None`` when nobody is registered."""
    try:
        return division_name(registry.finance_for_division(registry.mof_div_code(code)).name)
    except UnknownParty:
        pass
    try:
        party = registry.finance_for_division(code)
        return division_name(party.name) if party.kind is PartyKind.FINANCE else party.name
    except UnknownParty:
        pass
    try:
        return registry.bank(code).name
    except UnknownParty:
        pass
    try:
        return registry.get(code).name
    except UnknownParty:
        return None


def division_label(registry: PartyRegistry, code: object) -> str:
    """``330324 永嘉县`` (code, then its registered name); an unknown code alone; ``—`` for none."""
    if code is None or code == "":
        return NO_VALUE
    text = str(code)
    name = code_name(registry, text)
    return text if name is None else f"{text} {name}"
