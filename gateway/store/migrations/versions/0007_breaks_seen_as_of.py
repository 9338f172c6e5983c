"""The as-of of the latest run that found each break (``recon_breaks.seen_as_of``): a run with an earlier
as-of never closes a break a later run found (issue 15). Backfilled from the as-of of each break's last run.

Revision ID: 0007_breaks
Revises: 0006
Create Date: 2026-12-03 08:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_breaks"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recon_breaks") as batch:
        batch.add_column(
            sa.Column(
                "seen_as_of",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="the latest as-of of the runs that found it",
            )
        )
    op.execute(
        "UPDATE recon_breaks SET seen_as_of = "
        "(SELECT recon_runs.as_of FROM recon_runs WHERE recon_runs.id = recon_breaks.last_run_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("recon_breaks") as batch:
        batch.drop_column("seen_as_of")
