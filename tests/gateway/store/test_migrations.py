"""Alembic revisions build exactly the schema of gateway/store/tables.py; readiness checks them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gateway.errors import MigrationsPending
from gateway.store.engine import make_engine
from gateway.store.schema import current_revision, head_revision, require_current, upgrade
from gateway.store.tables import metadata


def test_migrated_schema_matches_the_tables(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_fresh_database_is_not_current_until_upgraded(database_url: str) -> None:
    eng = make_engine(database_url)
    try:
        assert current_revision(eng) is None
        with pytest.raises(MigrationsPending, match="fiscalgw db upgrade"):
            require_current(eng)
        assert upgrade(eng) == head_revision()
        require_current(eng)
        assert upgrade(eng) == head_revision()  # idempotent
    finally:
        eng.dispose()


def test_audit_head_starts_at_genesis(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT seq, hash FROM audit_head")).one()
    assert (row.seq, row.hash) == (0, "0" * 64)


def test_pair_index_covers_a_lowers_issuers(engine: sa.Engine) -> None:
    """0013: the index a pair read's issued-to-lower rows and per-issuer ``min(id)`` are read through."""
    indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("ledger_indicators")}
    assert indexes["ix_ledger_indicators_pair"] == [
        "counterparty",
        "side",
        "is_deleted",
        "fiscal_year",
        "division",
        "id",
    ]
    assert current_revision(engine) == "0013_pair_index" == head_revision()
