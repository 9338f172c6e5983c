"""The navigation: each page module registers one :class:`Section`; the layout lists the registered ones.

Positions follow the issue's order — 总览 (10), 差异 (20), 对账报告 (30), 报文追踪 (40), 投递队列 (50) — so a
section added later slots into its place without touching the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    """Stable identifier, used to mark the active nav entry (``active`` in the templates)."""
    title: str
    """The nav label (简体中文)."""
    path: str
    """Path below the web root, e.g. ``/messages``."""
    order: int


def ordered(sections: Sequence[Section]) -> tuple[Section, ...]:
    keys = [s.key for s in sections]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"duplicate web sections: {', '.join(duplicates)}")
    return tuple(sorted(sections, key=lambda s: (s.order, s.key)))
