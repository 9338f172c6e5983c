"""Reconciliation: upper- vs lower-level indicator ledgers (and, later, the three-way payment chain).

A pure core: no FastAPI, SQLAlchemy or APScheduler here. The columnar engine
(:func:`reconcile_indicator_files`) runs on DuckDB; :mod:`gateway.reconcile.indicators_reference` is the
pure-Python reference with identical semantics. Reports render to JSON, CSV, XLSX and HTML.
"""

from gateway.reconcile.breaks import BREAK_LABELS_ZH, Break, BreakType, FieldDifference
from gateway.reconcile.errors import (
    BadValueError,
    ColumnMapError,
    MissingColumnsError,
    ReconcileError,
    ReportFormatError,
    SnapshotError,
    SnapshotFormatError,
)
from gateway.reconcile.indicator_report import IndicatorReport, PairSummary
from gateway.reconcile.indicators_duckdb import EngineSettings, reconcile_indicator_files

__all__ = [
    "BREAK_LABELS_ZH",
    "BadValueError",
    "Break",
    "BreakType",
    "ColumnMapError",
    "EngineSettings",
    "FieldDifference",
    "IndicatorReport",
    "MissingColumnsError",
    "PairSummary",
    "ReconcileError",
    "ReportFormatError",
    "SnapshotError",
    "SnapshotFormatError",
    "reconcile_indicator_files",
]
