"""The columnar engines' SQL amount rule (``ledger_columns.amount_sql``, DuckDB) and the Python rule
(``schemas.money.parse_money``) accept exactly the same cells, with the same value."""

from __future__ import annotations

from decimal import Decimal

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.reconcile.indicators.ledger_columns import amount_sql
from schemas.money import MoneyFormatError, parse_money

CELLS = st.text(alphabet="0123456789.-+ \t1１٠E,", max_size=20) | st.from_regex(
    r"\A-?0{0,20}[0-9]{1,14}(\.[0-9]{0,3})?\Z"
)


def _python(text: str) -> Decimal | None:
    try:
        return parse_money(text)
    except MoneyFormatError:
        return None


@settings(max_examples=100, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=20))
@example(["-0.00", "-0", "0.00", "+1", " 1", "１", "٠", "999999999999.99", "1000000000000", "0" * 30 + "5.5"])
def test_sql_and_python_amount_rules_agree(cells: list[str]) -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(cells)))
        rows = con.execute(f"SELECT i, {amount_sql('v')} FROM t ORDER BY i").fetchall()
    finally:
        con.close()
    assert [value for _, value in rows] == [_python(c) for c in cells]
