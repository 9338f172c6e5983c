"""Indexes for the ops pages' 报文追踪 and 投递队列 at scale (bench/web_pages.py, 100 k messages): messages by
message id alone and by received time, routes by receiver, audit entries by action.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_message_id", "messages", ["message_id"])
    op.create_index("ix_messages_received_at", "messages", ["received_at"])
    op.create_index("ix_routes_receiver_message_pk", "routes", ["receiver", "message_pk"])
    op.create_index("ix_audit_log_action_seq", "audit_log", ["action", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action_seq", table_name="audit_log")
    op.drop_index("ix_routes_receiver_message_pk", table_name="routes")
    op.drop_index("ix_messages_received_at", table_name="messages")
    op.drop_index("ix_messages_message_id", table_name="messages")
