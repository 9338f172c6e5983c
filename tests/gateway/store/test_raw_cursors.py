"""PostgreSQL statements run on psycopg's raw cursors with ``$n`` placeholders (issue 14, ADR 0012
addendum): psycopg sends them without rewriting them in Python. What a statement means must not change:
a literal ``%`` stays a ``%`` (no ``%%`` escaping is left in the SQL), bound values of every type the
tables use round-trip, a multi-row INSERT of many rows (an envelope's) stores every row, and a streamed
query (server-side cursor, ``yield_per``) returns what a buffered one does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import pytest
import sqlalchemy as sa

from tests.gateway.conftest import DATABASES

ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [d for d in DATABASES if d == "postgresql"], indirect=True
)

_ROWS = sa.Table(
    "raw_cursor_rows",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(64), nullable=False),
    sa.Column("amount", sa.Numeric(18, 2), nullable=False),
    sa.Column("day", sa.Date, nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("body", sa.LargeBinary, nullable=True),
    sa.Column("doc", sa.JSON, nullable=True),
)


@ON_POSTGRES
def test_statements_use_raw_cursors_and_dollar_placeholders(engine: sa.Engine) -> None:
    assert engine.dialect.paramstyle == "numeric_dollar"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        assert raw.cursor_factory is psycopg.RawCursor
        assert raw.server_cursor_factory is psycopg.RawServerCursor
        compiled = sa.select(sa.literal(1)).where(sa.bindparam("x") == 2).compile(dialect=engine.dialect)
        assert "$1" in str(compiled)


@ON_POSTGRES
def test_literal_percent_and_like_patterns_mean_what_they_say(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT '100%' || :tail"), {"tail": "%s"}).scalar_one() == "100%%s"
        assert connection.execute(sa.select(sa.literal("50%") + sa.literal_column("'%'"))).scalar_one() == (
            "50%%"
        )
        for text, matches in (("a%b", True), ("ab", False)):
            like = sa.select(sa.literal(text).like("a\\%%", escape="\\"))
            assert connection.execute(like).scalar_one() is matches


@ON_POSTGRES
def test_many_rows_of_every_type_round_trip_and_stream(engine: sa.Engine) -> None:
    rows = [
        {
            "id": i,
            "text": f"凭证 {i} 100%",
            "amount": Decimal(i) + Decimal("0.05"),
            "day": date(2026, 1, 1 + i % 28) if i % 3 else None,
            "at": datetime(2026, 1, 2, 3, 4, i % 60, tzinfo=UTC),
            "body": bytes([i % 256]) * 3,
            "doc": {"n": i, "s": "%(name)s"},
        }
        for i in range(1, 451)
    ]
    _ROWS.create(engine)
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(_ROWS), rows)  # one executemany: multi-row INSERTs
        with engine.connect() as connection:
            query = sa.select(_ROWS).order_by(_ROWS.c.id)
            buffered = [dict(r._mapping) for r in connection.execute(query)]
            streamed = [
                dict(r._mapping)
                for r in connection.execution_options(stream_results=True, yield_per=40).execute(query)
            ]
            found = connection.execute(
                sa.select(sa.func.count()).where(_ROWS.c.text.like("%\\%", escape="\\"))
            ).scalar_one()
    finally:
        _ROWS.drop(engine)
    assert buffered == rows
    assert streamed == rows
    assert found == len(rows)
