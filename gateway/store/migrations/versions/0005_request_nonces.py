"""Used request nonces (ADR 0006): ``request_nonces`` holds the ``X-Message-Id`` of every signed inbox,
status and trace request per sender while its timestamp is inside the window, so a captured GET cannot be
replayed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_nonces",
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column(
            "nonce",
            sa.String(length=128),
            nullable=False,
            comment="X-Message-Id of a signed inbox/status/trace call",
        ),
        sa.Column(
            "signed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="its X-Timestamp; pruned past the window",
        ),
        sa.PrimaryKeyConstraint("sender", "nonce", name=op.f("pk_request_nonces")),
    )
    op.create_index(op.f("ix_request_nonces_signed_at"), "request_nonces", ["signed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_request_nonces_signed_at"), table_name="request_nonces")
    op.drop_table("request_nonces")
