"""The payment engine's SQL amount cell (``_fen``: DuckDB's printed ``DECIMAL`` cast without the regex, any
other cell through the regex rule) reads every cell as the reference rule (``parse_fen``) does."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.reconcile.indicators.ledger_columns import CellError
from gateway.reconcile.payments.columns import parse_fen
from gateway.reconcile.payments.duckdb_engine import _fen

EDGES = [
    "0.00", "-0.00", "0", "-0", "1", "1.5", "1.50", "-1.50", "007.00", "+1.00", " 1.00", "1.00 ", "1e3",
    "1.005", "999999999999.99", "-999999999999.99", "1000000000000.00", "-1000000000000.00",
    "9999999999999.99", "0999999999999.99", ".50", "-.50", "0.5", "12345678901234.00", "1,000.00", "-",
    "NaN", "inf", "00000000000001.00", "-000.01", "0.01", "-0.01", "１.00",
]  # fmt: skip


def _reference(cell: str) -> int | None:
    try:
        return parse_fen(cell)
    except CellError:
        return None


def _sql(cells: list[str]) -> list[int | None]:
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT {_fen('x')} FROM (SELECT unnest(CAST(? AS VARCHAR[])) AS x, generate_subscripts(?, 1) AS i) "
        "ORDER BY i",
        [cells, cells],
    ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("cell", EDGES)
def test_an_edge_cell_reads_as_the_reference_rule(cell: str) -> None:
    assert _sql([cell]) == [_reference(cell)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.from_regex(r"-?0{0,2}[0-9]{0,14}(\.[0-9]{0,3})?", fullmatch=True), min_size=1, max_size=20)
)
def test_random_amount_shapes_read_as_the_reference_rule(cells: list[str]) -> None:
    assert _sql(cells) == [_reference(c) for c in cells]
