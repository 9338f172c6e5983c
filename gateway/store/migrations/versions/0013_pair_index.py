"""The index a pair's reconciliation read probes (issue 16): a lower's live issued rows, by year and issuer.

``LedgerRepository.pair_columns`` reads (1) every live row issued to the lower that year — an exact range of
this index, a row lookup per selected row only — and (2) one row of every issuer (any year) that issued to
the lower, the ``min(id)`` per ``division`` — an index-only walk of the lower's entries, no row lookup.

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

_NAME = "ix_ledger_indicators_pair"


def upgrade() -> None:
    op.create_index(
        _NAME, "ledger_indicators", ["counterparty", "side", "is_deleted", "fiscal_year", "division", "id"]
    )


def downgrade() -> None:
    op.drop_index(_NAME, table_name="ledger_indicators")
