"""The wire layout of each accepted record (``records.layout``): element order, original texts and the
elements the models do not know (extensions), as JSON — issue 12 "preserve, don't refuse". Records stored
before this migration have none (they render in the standard form, as before).

Revision ID: 0008_layout
Revises: 0007_breaks
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_layout"
down_revision: str | None = "0007_breaks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(
            sa.Column(
                "layout",
                sa.Text(),
                nullable=True,
                comment="wire layout and extensions (JSON), issue 12",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("layout")
