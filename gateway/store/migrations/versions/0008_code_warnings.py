"""代码校验警告 on stored records (``records.code_warnings``, issue 12): a value outside its code list no
longer refuses a document by default; under the ``warn`` policy each one is kept on the record.

Revision ID: 0008_code_warnings
Revises: 0007_breaks
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_code_warnings"
down_revision: str | None = "0007_breaks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(
            sa.Column(
                "code_warnings",
                sa.Text(),
                nullable=True,
                comment="代码校验警告: JSON list of codes outside their list (warn policy); NULL = none",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("code_warnings")
