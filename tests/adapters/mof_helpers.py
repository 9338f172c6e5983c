"""Small helpers for the mof/csv/xlsx adapter tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Adapter, Document, Record
from adapters.errors import MalformedDocument
from adapters.limits import Limits
from schemas.errors import ValidationFailed

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def document(*messages: Any, format_name: str = "test") -> Document:
    return Document(format_name, tuple(Record(i, m) for i, m in enumerate(messages)))


def malformed_code(adapter: Adapter, raw: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(MalformedDocument) as info:
        adapter.parse(raw, limits=limits or Limits())
    return info.value.code


def problem_rules(adapter: Adapter, raw: bytes) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        adapter.parse(raw)
    return {p.path: p.rule for p in info.value.problems}


def golden_issue_rows() -> list[dict[str, Any]]:
    """The BA_BGT_INFO rows of the mof JSON golden file, as mutable dicts."""
    value = json.loads((GOLDEN / "mof" / "indicators_issue.json").read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = value["BA_BGT_INFO"]
    return rows


def mof_json(rows: list[dict[str, Any]], table: str = "BA_BGT_INFO") -> bytes:
    return json.dumps({table: rows}, ensure_ascii=False).encode("utf-8")
