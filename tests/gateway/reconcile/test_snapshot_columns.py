"""Snapshots held in memory (the store's path, no file) reconcile exactly as the same rows in CSV files:
packed rows and per-column lists alike, on random ledgers; a cell holding a separator refuses the packed
shape; a malformed cell is named by row and column."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway.reconcile.errors import BadValueError, MissingColumnsError
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_columns, reconcile_indicator_files
from gateway.reconcile.indicators.snapshot_columns import FIELD_SEPARATOR, ROW_SEPARATOR, SnapshotColumns
from tests.gateway.reconcile.conftest import AS_OF
from tests.gateway.reconcile.ledgers import LOWER_HEADER, UPPER_HEADER, Row, write_csv
from tests.gateway.reconcile.test_engines_agree import (
    EVERY_TYPE_LOWER,
    EVERY_TYPE_UPPER,
    lower_rows,
    upper_rows,
)


def _cells(header: tuple[str, ...], rows: list[Row]) -> list[tuple[str | None, ...]]:
    return [tuple(row.get(name) or None for name in header) for row in rows]


def _packed(header: tuple[str, ...], rows: list[Row]) -> SnapshotColumns:
    lines = [FIELD_SEPARATOR.join(row.get(name, "") for name in header) for row in rows]
    snapshot = SnapshotColumns.packed(header, lines)
    assert snapshot is not None
    return snapshot


@example(upper=EVERY_TYPE_UPPER, lower=EVERY_TYPE_LOWER, hours=48)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    upper=st.lists(upper_rows(), max_size=14),
    lower=st.lists(lower_rows(), max_size=14),
    hours=st.sampled_from([0, 48, 24 * 90]),
)
def test_in_memory_snapshots_reconcile_as_files(upper: list[Row], lower: list[Row], hours: int) -> None:
    window = timedelta(hours=hours)
    with TemporaryDirectory() as tmp:
        up = write_csv(Path(tmp) / "u.csv", UPPER_HEADER, upper)
        low = write_csv(Path(tmp) / "l.csv", LOWER_HEADER, lower)
        files = reconcile_indicator_files(up, low, as_of=AS_OF, in_transit_window=window)
    packed = reconcile_indicator_columns(
        _packed(UPPER_HEADER, upper), _packed(LOWER_HEADER, lower), as_of=AS_OF, in_transit_window=window
    )
    columns = reconcile_indicator_columns(
        SnapshotColumns.from_rows(UPPER_HEADER, _cells(UPPER_HEADER, upper)),
        SnapshotColumns.from_rows(LOWER_HEADER, _cells(LOWER_HEADER, lower)),
        as_of=AS_OF,
        in_transit_window=window,
    )
    assert packed == files
    assert columns == files


def test_a_cell_holding_a_separator_refuses_the_packed_shape() -> None:
    header = ("A", "B")
    assert SnapshotColumns.packed(header, ["x" + FIELD_SEPARATOR + "y"]) is not None
    assert SnapshotColumns.packed(header, ["x" + FIELD_SEPARATOR + "y" + FIELD_SEPARATOR + "z"]) is None
    assert SnapshotColumns.packed(header, ["x" + ROW_SEPARATOR + FIELD_SEPARATOR + "y"]) is None
    empty = SnapshotColumns.packed(header, [])
    assert empty is not None and empty.count == 0


def test_separators_in_cells_survive_the_column_shape() -> None:
    title = f"标题{FIELD_SEPARATOR}甲{ROW_SEPARATOR}"
    upper = [{**r, "BGT_DOC_TITLE": title} for r in EVERY_TYPE_UPPER]
    files_title = reconcile_indicator_columns(
        SnapshotColumns.from_rows(UPPER_HEADER, _cells(UPPER_HEADER, upper)),
        SnapshotColumns.from_rows(LOWER_HEADER, _cells(LOWER_HEADER, EVERY_TYPE_LOWER)),
        as_of=AS_OF,
    )
    differing = [f for b in files_title.breaks for f in b.fields if f.field == "BGT_DOC_TITLE"]
    assert differing and {f.upper for f in differing} == {title}


def test_a_malformed_cell_is_named_by_row_and_column() -> None:
    upper = [*EVERY_TYPE_UPPER[:2], {**EVERY_TYPE_UPPER[2], "DOC_DATE": "2026-13-45"}]
    with pytest.raises(BadValueError, match="DOC_DATE") as caught:
        reconcile_indicator_columns(
            _packed(UPPER_HEADER, upper), _packed(LOWER_HEADER, EVERY_TYPE_LOWER), as_of=AS_OF
        )
    assert caught.value.line == 4 and caught.value.column == "DOC_DATE"


def test_a_missing_required_column_is_refused() -> None:
    header = tuple(c for c in UPPER_HEADER if c != "AMOUNT")
    with pytest.raises(MissingColumnsError, match="AMOUNT"):
        reconcile_indicator_columns(
            _packed(header, EVERY_TYPE_UPPER), _packed(LOWER_HEADER, EVERY_TYPE_LOWER), as_of=AS_OF
        )
