"""The extensions of each accepted record (``records.extensions``): the elements, attributes or columns the
wire carried that the models do not know, in order, as JSON — issue 12 "preserve, don't refuse". NULL when
there are none, and for records stored before this migration. (The full wire layout is not duplicated: it
is re-derived from the stored original, docs/adr/0007-preserve-extensions.md.)

Revision ID: 0011_extensions
Revises: 0010_tracking
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_extensions"
down_revision: str | None = "0010_tracking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(
            sa.Column(
                "extensions",
                sa.Text(),
                nullable=True,
                comment="elements the models do not know, kept (JSON), issue 12",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("extensions")
