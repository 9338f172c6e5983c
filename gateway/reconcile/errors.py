"""
Exceptions raised by gateway/reconcile/.

* ReconcileError                        - base class of every error raised by this package
  + SnapshotError(path)                 - an input snapshot cannot be used at all
    + SnapshotFormatError(path)         - not a readable CSV / XLSX, or an undecodable encoding
    + MissingColumnsError(path, names)  - the header lacks required BA_BGT_INFO columns
  + MissingColumnsInSnapshots(errors)   - the MissingColumnsError of every input at once
    + BadValueError(path, line, column) - one cell is malformed (amount, date, year, code, flag)
  + ReportFormatError                   - an unknown report format, or a format that needs a file
  + ColumnMapError(path, code)          - a ``--columns MAP.toml`` file that cannot be used

Mismatches between the two ledgers are *data* (:class:`gateway.reconcile.breaks.Break`), never exceptions:
the engines raise only when an input cannot be read or is malformed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ReconcileError(Exception):
    """Base class for every error raised by gateway/reconcile/."""


class SnapshotError(ReconcileError):
    """An input snapshot cannot be used; ``path`` names the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class SnapshotFormatError(SnapshotError):
    """Not a readable CSV/XLSX file, or not in UTF-8 / GBK."""


class MissingColumnsError(SnapshotError):
    """The header row lacks one or more required columns; ``labels`` gives each its Chinese name."""

    def __init__(
        self, path: str, names: Sequence[str], labels: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        shown = [f"{n} ({labels[n][0]})" if labels and labels.get(n) else n for n in names]
        super().__init__(path, f"missing required column(s): {', '.join(shown)}")
        self.names = tuple(names)


class MissingColumnsInSnapshots(ReconcileError):
    """Several inputs lack required columns: all of them are named at once, so one correction round is
    enough."""

    def __init__(self, errors: Sequence[MissingColumnsError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = tuple(errors)


class BadValueError(SnapshotError):
    """A malformed cell: ``line`` is the 1-based line (CSV) or row (XLSX) holding it, header included."""

    def __init__(self, path: str, line: int, column: str, problem: str) -> None:
        super().__init__(path, f"line {line}, column {column}: {problem}")
        self.line = line
        self.column = column
        self.problem = problem


class ReportFormatError(ReconcileError):
    """Unknown report format, or a binary format asked for without an output file."""


class ColumnMapError(ReconcileError):
    """A ``--columns`` map file that cannot be used; ``code`` says why (machine-readable):
    ``unreadable``, ``not_toml``, ``no_columns_table``, ``bad_entry``, ``unknown_column``,
    ``duplicate_target``."""

    def __init__(self, path: str, code: str, message: str) -> None:
        super().__init__(f"{path}: {message} ({code})")
        self.path = path
        self.code = code
