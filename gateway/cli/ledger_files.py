"""Ledger-file plumbing shared by ``fiscalgw reconcile`` and ``fiscalgw validate --ledger``: the
``--columns`` map option, and one ledger file checked as the reconciliation reads it.

``KIND`` is ``upper`` / ``lower`` (indicator snapshots,
:func:`indicators.duckdb_engine.validate_indicator_file`) or a payment input
(:func:`payments.duckdb_engine.validate_payment_file`); ``--columns`` applies the same map as
``fiscalgw reconcile --columns``. Errors are the reconciliation's own, raised as
:class:`gateway.cli._common.CLIError` with the very message ``fiscalgw reconcile`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gateway.cli._common import CLIError
from gateway.reconcile.column_map import applied, load_column_map
from gateway.reconcile.errors import ReconcileError
from gateway.reconcile.indicators.duckdb_engine import validate_indicator_file
from gateway.reconcile.indicators.ledger_columns import Side
from gateway.reconcile.payments.columns import Role
from gateway.reconcile.payments.duckdb_engine import validate_payment_file


def column_map_option(columns: str | None) -> Mapping[str, str] | None:
    """The ``--columns MAP.toml`` map, or None; a map that cannot be used is :class:`CLIError` (exit 2)."""
    if columns is None:
        return None
    try:
        return load_column_map(Path(columns))
    except ReconcileError as exc:
        raise CLIError(f"--columns {exc}") from None


def check_ledger_file(path: Path, kind: str, columns: str | None) -> int:
    """Rows read from ``path`` as a ``kind`` ledger file, or :class:`CLIError` (exit 2)."""
    mapping = column_map_option(columns)
    try:
        with applied(mapping):
            if kind in ("upper", "lower"):
                return validate_indicator_file(path, Side(kind))
            return validate_payment_file(path, Role(kind))
    except ReconcileError as exc:
        raise CLIError(str(exc)) from None
