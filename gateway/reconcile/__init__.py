"""Reconciliation: upper- vs lower-level indicator ledgers (and, later, the three-way payment chain).

A pure core: no FastAPI, SQLAlchemy or APScheduler here. The columnar engine
(:func:`reconcile_indicator_files`) runs on DuckDB; :mod:`gateway.reconcile.indicators.reference` is the
pure-Python reference with identical semantics. Reports render to JSON, CSV, XLSX and HTML.
"""

from gateway.reconcile._duckdb import EngineSettings
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
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary

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
