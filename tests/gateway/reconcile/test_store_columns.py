"""The store hands a pair's two snapshots to the engine in memory (no file): the packed rows equal the CSV
export cell for cell, a cell holding a separator falls back to per-column lists, and either way the run
equals the file engine on the exported CSV files (SQLite, and PostgreSQL with FISCALGW_TEST_DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_columns, reconcile_indicator_files
from gateway.reconcile.indicators.snapshot_columns import FIELD_SEPARATOR, ROW_SEPARATOR, SnapshotColumns
from gateway.reconcile.report.json import report_dict
from gateway.reconcile.snapshot_files import iter_records
from gateway.store.ledger import EXPORT_COLUMNS
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import CITY, PROVINCE
from tests.gateway.reconcile.conftest import AS_OF
from tests.gateway.test_reconciliation_store import EVERY_TYPE_LOWER, EVERY_TYPE_UPPER, _load


def _cells(snapshot: SnapshotColumns) -> list[tuple[str | None, ...]]:
    """The snapshot's rows with ``""`` read as no value (as a CSV reader reads an empty cell)."""
    if snapshot.text is not None:
        lines = snapshot.text.split(ROW_SEPARATOR) if snapshot.count else []
        return [tuple(c or None for c in line.split(FIELD_SEPARATOR)) for line in lines]
    assert snapshot.columns is not None
    return [tuple(c or None for c in row) for row in zip(*snapshot.columns, strict=True)]


def _exported(path: Path) -> list[tuple[str | None, ...]]:
    return [tuple(record.get(c) for c in EXPORT_COLUMNS) for _line, record in iter_records(path)]


def _compare(h: Harness, tmp_path: Path) -> tuple[SnapshotColumns, SnapshotColumns]:
    with h.gateway.database.unit_of_work() as uow:
        upper, lower = uow.ledger.pair_columns(PROVINCE, CITY, 2026)
        uow.ledger.export_pair(PROVINCE, CITY, 2026, tmp_path / "u.csv", tmp_path / "l.csv")
    assert _cells(upper) == _exported(tmp_path / "u.csv")
    assert _cells(lower) == _exported(tmp_path / "l.csv")
    from_columns = reconcile_indicator_columns(upper, lower, as_of=AS_OF)
    from_files = reconcile_indicator_files(tmp_path / "u.csv", tmp_path / "l.csv", as_of=AS_OF)
    assert report_dict(from_columns) == report_dict(from_files)
    assert from_files.breaks
    return upper, lower


def test_pair_columns_are_the_export_packed(harness: Harness, tmp_path: Path) -> None:
    _load(harness, EVERY_TYPE_UPPER, EVERY_TYPE_LOWER)
    upper, lower = _compare(harness, tmp_path)
    assert upper.text is not None and lower.text is not None
    assert upper.count > 0 and lower.count > 0


def test_a_separator_in_a_stored_cell_falls_back_to_columns(harness: Harness, tmp_path: Path) -> None:
    title = f"标题{FIELD_SEPARATOR}甲"
    _load(harness, [{**r, "BGT_DOC_TITLE": title} for r in EVERY_TYPE_UPPER], EVERY_TYPE_LOWER)
    upper, lower = _compare(harness, tmp_path)
    assert upper.text is None and upper.columns is not None
    assert lower.text is not None
    assert title in upper.columns[EXPORT_COLUMNS.index("BGT_DOC_TITLE")]
