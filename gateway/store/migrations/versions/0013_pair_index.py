"""The index a pair's reconciliation read probes (issue 16): a lower's issued live rows by issuer, index only.

``LedgerRepository.pair_columns`` picks one row of every issuer (any year) that issued to the lower: the
``min(id)`` per ``division`` of ``counterparty = lower``, ``side = 'issued'``, live. With this index that is
an index-only walk of the lower's entries, grouped as stored, instead of a row lookup per issued row.

Revision ID: 0013_pair_index
Revises: 0012_statement_lines
Create Date: 2026-12-04 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013_pair_index"
down_revision: str | None = "0012_statement_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_ledger_indicators_counterparty_side_is_deleted_division_id"


def upgrade() -> None:
    op.create_index(_NAME, "ledger_indicators", ["counterparty", "side", "is_deleted", "division", "id"])


def downgrade() -> None:
    op.drop_index(_NAME, table_name="ledger_indicators")
