"""A BA_BGT_INFO snapshot held in memory as text, for a caller that reads the rows itself (the store).

The cells are the texts a CSV snapshot would hold (``None`` or ``""`` for an empty cell), so the engine reads
them through the same typed SELECT and cell rules as a file. Two shapes, both without a Python object per
cell on the engine side:

* packed: every row one string, its cells joined by :data:`FIELD_SEPARATOR` (an empty cell is ``""``), the
  rows joined by :data:`ROW_SEPARATOR` — DuckDB splits it, vectorised. A database can build the row strings
  itself (one value per row crosses the driver). Refused by :meth:`SnapshotColumns.packed` when a cell holds
  a separator (the counts of the separators then differ from the shape);
* columns: one list per column, unnested by DuckDB (the exact fallback for such cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FIELD_SEPARATOR = "\x1f"  # ASCII unit separator
ROW_SEPARATOR = "\x1e"  # ASCII record separator


@dataclass(frozen=True)
class SnapshotColumns:
    """``names``: the snapshot header; ``count`` rows as ``text`` (packed) or ``columns`` (one list each)."""

    names: tuple[str, ...]
    count: int
    text: str | None = None
    columns: tuple[Sequence[str | None], ...] | None = None

    @classmethod
    def packed(cls, names: Sequence[str], lines: Sequence[str]) -> SnapshotColumns | None:
        """Rows already joined by :data:`FIELD_SEPARATOR`; ``None`` if a cell holds either separator."""
        text = ROW_SEPARATOR.join(lines)
        width = len(names)
        if text.count(ROW_SEPARATOR) != max(len(lines) - 1, 0):
            return None
        if text.count(FIELD_SEPARATOR) != len(lines) * (width - 1):
            return None
        return cls(tuple(names), len(lines), text=text)

    @classmethod
    def from_rows(cls, names: Sequence[str], rows: Sequence[Sequence[str | None]]) -> SnapshotColumns:
        """Rows of cells (each as long as ``names``)."""
        width = len(names)
        if any(len(row) != width for row in rows):
            raise ValueError(f"every row must have {width} cells")
        columns = tuple(zip(*rows, strict=True)) if rows else tuple(() for _ in names)
        return cls(tuple(names), len(rows), columns=columns)
