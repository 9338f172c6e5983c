"""Form validation for the pages, in one place: the 简体中文 message of every check a form field can fail, and
:class:`FormInvalid`, which carries the messages by field so the page that owns the form renders itself
again (status 400) with each message next to its field and every input as it was typed.

A page that does not catch :class:`FormInvalid` still answers with the error page (it is a
:class:`~gateway.services.errors.BadRequest`), so no validation failure ever shows English."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from gateway.services.errors import BadRequest

MESSAGES: dict[str, str] = {
    "required": "请填写{field}",
    "choose": "请选择{field}",
    "adm_div_code": '区划代码须为 6 位数字，收到 "{value}"',
    "day": '{field}须为 YYYY-MM-DD 格式的有效日期，收到 "{value}"',
    "day_range": '{field}须在 2000–2100 年之间，收到 "{value}"',
    "bank": '代理银行代码最多 200 个字符，且不能含 "|"',
    "too_long": "{field}过长（最多 {limit} 个字符）",
    "reason": "{action}必须填写原因；未做任何更改。",
    "comment": "{action}必须填写说明；未做任何更改。",
}
"""Every validation message of the page forms, keyed by check."""

ADM_DIV_CODE = re.compile(r"^[0-9]{6}$")
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SHOWN = 24
"""At most this many characters of a rejected value are quoted back."""


class FormInvalid(BadRequest):
    """One or more fields of a submitted form failed validation: ``errors`` maps field name → message;
    ``values`` (optional) are the fields as typed, for the page to show again."""

    def __init__(self, errors: Mapping[str, str], values: Mapping[str, str] | None = None) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = dict(errors)
        self.values = dict(values or {})


def message(check: str, **values: object) -> str:
    shown = {k: (str(v)[:SHOWN] if k == "value" else v) for k, v in values.items()}
    return MESSAGES[check].format(**shown)


class FormCheck:
    """Collects the first failure per field; :meth:`done` raises :class:`FormInvalid` if any."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, name: str, check: str, **values: object) -> None:
        self.errors.setdefault(name, message(check, **values))

    def done(self) -> None:
        if self.errors:
            raise FormInvalid(self.errors)

    def adm_div_code(self, name: str, text: str) -> str:
        if not text:
            self.fail(name, "required", field="区划代码")
        elif not ADM_DIV_CODE.match(text):
            self.fail(name, "adm_div_code", value=text)
        return text

    def day(self, name: str, text: str, field: str = "日期") -> date | None:
        if not text:
            self.fail(name, "required", field=field)
            return None
        try:
            day = date.fromisoformat(text) if DAY.match(text) else None
        except ValueError:
            day = None
        if day is None:
            self.fail(name, "day", field=field, value=text)
        elif not 2000 <= day.year <= 2100:
            self.fail(name, "day_range", field=field, value=text)
            return None
        return day

    def bank(self, name: str, text: str) -> str | None:
        if len(text) > 200 or "|" in text:
            self.fail(name, "bank")
        return text or None
