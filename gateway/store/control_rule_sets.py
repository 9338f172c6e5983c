"""Versioned control rule sets (``control_rule_sets``; gateway/services/control_rules.py reads them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from gateway.store.tables import control_rule_sets

_R = control_rule_sets.c


class ControlRuleSets:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def latest(self) -> tuple[int, str, dict[str, Any]] | None:
        """(version, source SM3, parsed rules) of the newest version, or None before any was loaded."""
        row = self._c.execute(
            select(_R.version, _R.source_sm3, _R.rules).order_by(_R.version.desc()).limit(1)
        ).first()
        return None if row is None else (int(row[0]), str(row[1]), dict(row[2]))

    def add(self, rules: dict[str, Any], source_sm3: str, loaded_by: str, at: datetime) -> int:
        """Store ``rules`` as the next version; returns it. Two loads at once: the UNIQUE version makes the
        later one fail (and its transaction roll back) rather than share a number."""
        current = self._c.execute(select(func.max(_R.version))).scalar_one()
        version = 1 if current is None else int(current) + 1
        self._c.execute(
            insert(control_rule_sets).values(
                version=version, rules=rules, source_sm3=source_sm3, loaded_by=loaded_by, loaded_at=at
            )
        )
        return version

    def history(self) -> list[tuple[int, str, str, datetime]]:
        """(version, source SM3, loaded by, loaded at) of every version, newest first."""
        rows = self._c.execute(
            select(_R.version, _R.source_sm3, _R.loaded_by, _R.loaded_at).order_by(_R.version.desc())
        )
        return [(int(v), str(s), str(b), a) for v, s, b, a in rows]
