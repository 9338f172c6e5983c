"""``--columns MAP.toml``: a file's own column names mapped to the standard snapshot columns.

An export whose header is neither the UPPER_SNAKE names nor the built-in Chinese names
(:data:`gateway.reconcile.indicators.ledger_columns.COLUMN_NAMES_ZH`,
:data:`gateway.reconcile.payments.columns.PAYMENT_COLUMN_NAMES_ZH`) is read through a map::

    # MAP.toml — file column name = standard column name
    [columns]
    "指标编号" = "BGT_ID"
    "区划编码" = "MOF_DIV_CODE"
    "下达金额" = "AMOUNT"

The map applies to every file of the run; a header cell named in it becomes its standard name (written in
any case) before the built-in names are looked at, and the file's names are matched exactly (blanks
around a header cell and a BOM are ignored, as for every header). A map that cannot be used is refused
before any file is read, with a :class:`~gateway.reconcile.errors.ColumnMapError` naming the problem:
``unreadable``, ``not_toml``, ``no_columns_table`` (no ``[columns]`` table, or an empty one),
``bad_entry`` (a value that is not text, an empty name), ``unknown_column`` (a target that is no snapshot
column; the message lists them) and ``duplicate_target`` (two file columns mapped to one standard column).

The active map is a context variable (:func:`applied`), read by
:func:`gateway.reconcile.snapshot_files.normalise_header`, so both engines and every reader see it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType

from gateway.reconcile.errors import ColumnMapError
from gateway.reconcile.indicators.ledger_columns import ALL_COLUMNS
from gateway.reconcile.payments.columns import REQUIRED_COLUMNS as PAYMENT_REQUIRED
from gateway.reconcile.payments.columns import known_columns

STANDARD_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys((*ALL_COLUMNS, *(c for role in PAYMENT_REQUIRED for c in known_columns(role))))
)
"""Every column a map may name as its target: the indicator snapshot columns, then the payment ones."""

_EMPTY: Mapping[str, str] = MappingProxyType({})
_ACTIVE: ContextVar[Mapping[str, str]] = ContextVar("column_map", default=_EMPTY)


def load_column_map(path: Path) -> Mapping[str, str]:
    """Read and check a map file: file column name → standard column name."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ColumnMapError(str(path), "unreadable", f"cannot read the column map: {reason}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ColumnMapError(str(path), "not_toml", f"not a TOML file: {exc}") from None
    table = data.get("columns")
    if not isinstance(table, dict) or not table:
        raise ColumnMapError(
            str(path), "no_columns_table", 'needs a [columns] table of "file column" = "STANDARD_COLUMN"'
        )
    known = set(STANDARD_COLUMNS)
    mapping: dict[str, str] = {}
    targets: dict[str, str] = {}
    for source, target in table.items():
        name = source.replace("\ufeff", "").strip()
        if not name or not isinstance(target, str) or not target.strip():
            raise ColumnMapError(
                str(path), "bad_entry", f"entry {source!r}: both names must be non-empty text"
            )
        standard = target.strip().upper()
        if standard not in known:
            raise ColumnMapError(
                str(path),
                "unknown_column",
                f"{target!r} (for {source!r}) is not a snapshot column; "
                f"one of: {', '.join(STANDARD_COLUMNS)}",
            )
        if standard in targets:
            raise ColumnMapError(
                str(path),
                "duplicate_target",
                f"{targets[standard]!r} and {source!r} are both mapped to {standard}",
            )
        targets[standard] = source
        mapping[name] = standard
    return MappingProxyType(mapping)


def active() -> Mapping[str, str]:
    """The map in force (empty when none was given)."""
    return _ACTIVE.get()


@contextmanager
def applied(mapping: Mapping[str, str] | None) -> Iterator[None]:
    """Read every snapshot header through ``mapping`` inside the ``with`` block."""
    token = _ACTIVE.set(mapping if mapping is not None else _EMPTY)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
