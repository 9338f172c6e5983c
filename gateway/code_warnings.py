"""The ``records.code_warnings`` column: a record's 代码校验警告 as compact JSON text (NULL when none)."""

from __future__ import annotations

import json

from schemas.errors import Problem


def warnings_text(problems: tuple[Problem, ...]) -> str | None:
    if not problems:
        return None
    rows = [{"path": p.path, "rule": p.rule, "value": p.value, "message": p.message} for p in problems]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def warnings_from(text: str | None) -> tuple[Problem, ...]:
    if not text:
        return ()
    return tuple(Problem(r["path"], r["rule"], r["value"], r["message"]) for r in json.loads(text))
