"""The DuckDB engine's DOC_DATE and CREATE_TIME conversions (``ledger_columns.doc_date_sql`` /
``create_time_sql``: casts checked by printing them back, no ``strptime`` for the ISO shapes) against the
Python rules (``parse_doc_date`` / ``parse_create_time``) and against the ``strptime`` SQL they replaced; and
the payment engine's ``day_sql`` against ``payments.columns.parse_day`` the same way.

For every cell — each accepted shape, the near misses around them — the new SQL gives exactly the Python
value, or NULL (the engine's ``bad`` flag) exactly where Python refuses; and exactly the old SQL's value,
except for the year 0 the old SQL accepted (DuckDB reads it as 1 BC) where Python, the single definition,
refuses. A refused cell is still reported with the reference loader's error, file, line and column.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.reconcile.errors import SnapshotError
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.ledger_columns import (
    COMPACT_DATE_PATTERN,
    COMPACT_TIME_PATTERN,
    DATE_WITH_TIME_PATTERN,
    ISO_DATE_PATTERN,
    CellError,
    create_time_sql,
    doc_date_sql,
    parse_create_time,
    parse_doc_date,
)
from gateway.reconcile.indicators.reference import reconcile_files_reference
from gateway.reconcile.payments.columns import parse_day
from gateway.reconcile.payments.duckdb_engine import day_sql

from .ledgers import lower_row, upper_row, write_pair


def _strptime_doc_date(column: str) -> str:
    """The DOC_DATE conversion of the engine before the casts (commit ab788b2), verbatim."""
    match = "regexp_full_match({}, '{}')".format
    return (
        f"CASE WHEN {match(column, ISO_DATE_PATTERN)} OR {match(column, DATE_WITH_TIME_PATTERN)} "
        f"THEN strftime(try_strptime(left({column}, 10), '%Y-%m-%d'), '%Y-%m-%d') "
        f"WHEN {match(column, COMPACT_DATE_PATTERN)} "
        f"THEN strftime(try_strptime({column}, '%Y%m%d'), '%Y-%m-%d') END"
    )


def _strptime_create_time(column: str) -> str:
    """The CREATE_TIME conversion of the engine before the casts (commit ab788b2), verbatim."""
    match = "regexp_full_match({}, '{}')".format
    return (
        f"CASE WHEN {match(column, DATE_WITH_TIME_PATTERN)} "
        f"THEN try_strptime(replace({column}, 'T', ' '), '%Y-%m-%d %H:%M:%S') "
        f"WHEN {match(column, COMPACT_TIME_PATTERN)} THEN try_strptime({column}, '%Y%m%d%H%M%S') "
        f"WHEN {match(column, ISO_DATE_PATTERN)} THEN try_strptime({column}, '%Y-%m-%d') END"
    )


_DIGITS = "0123456789"
# Near misses: other digits (full-width, Arabic-Indic), blanks, signs, other separators, lower-case t.
_NOISE = _DIGITS + "-: T/t.+\u3000０٣Z"


def _sampled_or_digits(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values) | st.text(_DIGITS, min_size=len(values[0]), max_size=len(values[0]))


_YEARS = _sampled_or_digits("0000", "0001", "1900", "1999", "2000", "2024", "2026", "9999")
_MONTHS = _sampled_or_digits("00", "01", "02", "09", "12", "13", "99")
_DAYS = _sampled_or_digits("00", "01", "28", "29", "30", "31", "32")
_HOURS = _sampled_or_digits("00", "09", "23", "24", "25")
_MINUTES = _sampled_or_digits("00", "59", "60")


@st.composite
def _cells(draw: st.DrawFn) -> str:
    """A cell of one of the accepted shapes (any digits, so also impossible dates and times), or noise."""
    y, m, d = draw(_YEARS), draw(_MONTHS), draw(_DAYS)
    hh, mm, ss = draw(_HOURS), draw(_MINUTES), draw(_MINUTES)
    shapes = [
        f"{y}-{m}-{d}",
        f"{y}{m}{d}",
        f"{y}-{m}-{d} {hh}:{mm}:{ss}",
        f"{y}-{m}-{d}T{hh}:{mm}:{ss}",
        f"{y}{m}{d}{hh}{mm}{ss}",
    ]
    shape = draw(st.sampled_from(shapes))
    kind = draw(st.sampled_from(["as is", "as is", "noise", "edited"]))
    if kind == "noise":
        return draw(st.text(_NOISE, min_size=1, max_size=22))
    if kind == "edited":
        position = draw(st.integers(0, len(shape)))
        inserted = draw(st.text(_NOISE, max_size=2))
        removed = draw(st.integers(0, 1))
        return shape[:position] + inserted + shape[position + removed :]
    return shape


_EDGES = [
    "2026-03-01",
    "20260301",
    "2026-03-01 09:00:00",
    "2026-03-01T09:00:00",
    "20260301090000",
    "0000-01-01",
    "00000101",
    "0000-01-01 00:00:00",
    "00000101000000",
    "0001-01-01",
    "9999-12-31 23:59:59",
    "2024-02-29",
    "2023-02-29",
    "2026-04-31",
    "2026-03-01 24:00:00",
    "2026-03-01 23:60:00",
    "2026-03-01 23:59:60",
    "20260301240000",
    "2026-03-01 99:99:99",
    "2026-03-01t09:00:00",
    "2026-03-01  9:00:00",
    " 2026-03-01",
    "2026-3-01",
    "+026-03-01",
    "10000-01-01",
    "2026/03/01",
    "２０２６-03-01",
    "2026-03-01 09:00:00.5",
    "2026-03-01 09:00",
]


def _python_doc_date(cell: str) -> str | None:
    try:
        return parse_doc_date(cell)
    except CellError:
        return None


def _python_create_time(cell: str) -> datetime | None:
    try:
        return parse_create_time(cell)
    except CellError:
        return None


def _year_zero(cell: str) -> bool:
    return cell.startswith("0000")


def _sql(cells: list[str]) -> list[tuple[object, object, object, object]]:
    """(new DOC_DATE, old DOC_DATE, new CREATE_TIME, old CREATE_TIME) per cell, from a VARCHAR column as the
    engine reads it."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(cells)))
        query = (
            f"SELECT {doc_date_sql('v')}, {_strptime_doc_date('v')}, "
            f"{create_time_sql('v')}, {_strptime_create_time('v')} FROM t ORDER BY i"
        )
        return [(a, b, c, d) for a, b, c, d in con.execute(query).fetchall()]
    finally:
        con.close()


@settings(max_examples=200, deadline=None)
@given(st.lists(_cells(), min_size=1, max_size=30))
@example(_EDGES)
def test_cast_conversions_give_the_python_rules_and_the_strptime_values(cells: list[str]) -> None:
    for cell, (doc_new, doc_old, time_new, time_old) in zip(cells, _sql(cells), strict=True):
        assert doc_new == _python_doc_date(cell), cell
        assert time_new == _python_create_time(cell), cell
        if _year_zero(cell):
            # the old SQL read year 0 as 1 BC where Python refuses it; the casts refuse it too
            assert doc_new is None and time_new is None, cell
        else:
            assert doc_new == doc_old, cell
            assert time_new == time_old, cell


def _strptime_day(column: str) -> str:
    """The payment engine's date conversion before the casts (commit ab788b2), verbatim."""
    match = "coalesce(regexp_full_match({}, '{}'), false)".format
    return (
        f"CASE WHEN {match(column, COMPACT_DATE_PATTERN)} "
        f"THEN CAST(try_strptime({column}, '%Y%m%d') AS DATE) "
        f"WHEN {match(column, ISO_DATE_PATTERN)} THEN CAST(try_strptime({column}, '%Y-%m-%d') AS DATE) END"
    )


def _python_day(cell: str) -> date | None:
    try:
        return parse_day(cell)
    except CellError:
        return None


@settings(max_examples=100, deadline=None)
@given(st.lists(_cells(), min_size=1, max_size=30))
@example(_EDGES)
def test_payment_day_cast_gives_the_python_rule_and_the_strptime_value(cells: list[str]) -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(cells)))
        rows = con.execute(f"SELECT {day_sql('v')}, {_strptime_day('v')} FROM t ORDER BY i").fetchall()
    finally:
        con.close()
    for cell, (new, old) in zip(cells, rows, strict=True):
        assert new == _python_day(cell), cell
        if _year_zero(cell):
            assert new is None, cell
        else:
            assert new == old, cell


def test_every_accepted_shape_is_accepted() -> None:
    """Not only refusals: each shape of the rules gives its value (a guard against a test of NULL == NULL)."""
    cells = ["2026-03-01", "20260301", "2026-03-01 09:30:15", "2026-03-01T09:30:15", "20260301093015"]
    rows = _sql(cells)
    assert [r[0] for r in rows] == ["2026-03-01", "2026-03-01", "2026-03-01", "2026-03-01", None]
    assert [r[2] for r in rows] == [
        datetime(2026, 3, 1),
        None,
        datetime(2026, 3, 1, 9, 30, 15),
        datetime(2026, 3, 1, 9, 30, 15),
        datetime(2026, 3, 1, 9, 30, 15),
    ]
    assert date.fromisoformat(str(rows[0][0])) == date(2026, 3, 1)


_AS_OF = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)


def _error(call: object) -> tuple[type[BaseException], str]:
    assert callable(call)
    with pytest.raises(SnapshotError) as caught:
        call()
    return type(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("DOC_DATE", "2023-02-29"),
        ("DOC_DATE", "0000-01-01"),
        ("DOC_DATE", "00000101"),
        ("DOC_DATE", "2026-3-01"),
        ("CREATE_TIME", "2026-03-01 24:00:00"),
        ("CREATE_TIME", "2026-03-01 23:59:60"),
        ("CREATE_TIME", "0000-01-01 00:00:00"),
        ("CREATE_TIME", "2026-03-01t09:00:00"),
        ("CREATE_TIME", "20260230090000"),
    ],
)
def test_a_refused_cell_gives_the_reference_error(tmp_path: Path, column: str, cell: str) -> None:
    upper = [upper_row("U1"), upper_row("U2", **{column: cell})]
    lower = [lower_row("L1", ori="U1")]
    upper_path, lower_path = write_pair(tmp_path, upper, lower)
    engine = _error(lambda: reconcile_indicator_files(upper_path, lower_path, as_of=_AS_OF))
    reference = _error(lambda: reconcile_files_reference(upper_path, lower_path, as_of=_AS_OF))
    assert engine == reference
    assert "line 3" in engine[1] and column in engine[1]
