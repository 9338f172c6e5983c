"""Initial schema: messages, records, lifecycle events, routes, outbox, inbox items, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 20:29:49.672475
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 64-bit ids on PostgreSQL; SQLite's INTEGER PRIMARY KEY is the rowid.
GENESIS = "0" * 64
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False, comment="always 1"),
        sa.Column("seq", _BIG_ID, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The chain's head exists from the start (seq 0, the all-zero genesis hash), so appenders only ever
    # lock and update this one row.
    op.execute(
        sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)").bindparams(genesis=GENESIS)
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, comment="canonical JSON"),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "hash", sa.String(length=64), nullable=False, comment="hex SM3(prev_hash ‖ canonical entry bytes)"
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "messages",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column(
            "message_id",
            sa.String(length=128),
            nullable=False,
            comment="X-Message-Id: sender-unique idempotency key",
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("msg_type", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False, comment="the signed original, byte for byte"),
        sa.Column("body_sm3", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "response", sa.JSON(), nullable=False, comment="the original answer, replayed for a repeat"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("sender", "message_id", name=op.f("uq_messages_sender_message_id")),
    )
    op.create_table(
        "lifecycle_events",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_lifecycle_events_message_pk_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_events")),
    )
    op.create_index(op.f("ix_lifecycle_events_message_pk"), "lifecycle_events", ["message_pk"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("receiver", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False, comment="push | pull"),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False, comment="rendered in the receiver's wire format"),
        sa.Column("original_sender", sa.String(length=32), nullable=False),
        sa.Column("original_message_id", sa.String(length=128), nullable=False),
        sa.Column(
            "status", sa.String(length=16), nullable=False, comment="pending | sent | dead | cancelled"
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.id"], name=op.f("fk_outbox_message_pk_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_message_pk"), "outbox", ["message_pk"], unique=False)
    op.create_index(
        op.f("ix_outbox_status_next_attempt_at"), "outbox", ["status", "next_attempt_at"], unique=False
    )
    op.create_table(
        "records",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("msg_type", sa.String(length=32), nullable=False),
        sa.Column("bgt_id", sa.String(length=64), nullable=True, comment="指标 id, for trace"),
        sa.Column("voucher_no", sa.String(length=64), nullable=True, comment="凭证号, for trace"),
        sa.Column("canonical", sa.Text(), nullable=False, comment="canonical JSON of the record"),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.id"], name=op.f("fk_records_message_pk_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("message_pk", "position", name=op.f("uq_records_message_pk_position")),
    )
    op.create_index(op.f("ix_records_bgt_id"), "records", ["bgt_id"], unique=False)
    op.create_index(op.f("ix_records_voucher_no"), "records", ["voucher_no"], unique=False)
    op.create_table(
        "trace_keys",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False, comment="bgt_id | voucher_no"),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_trace_keys_message_pk_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_keys")),
    )
    op.create_index(op.f("ix_trace_keys_key_value"), "trace_keys", ["key", "value"], unique=False)
    op.create_table(
        "routes",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column(
            "position", sa.Integer(), nullable=True, comment="record position; NULL for the whole document"
        ),
        sa.Column("receiver", sa.String(length=32), nullable=False),
        sa.Column(
            "rule",
            sa.String(length=64),
            nullable=False,
            comment="why this receiver (the routing rule's name)",
        ),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.id"], name=op.f("fk_routes_message_pk_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routes")),
    )
    op.create_index(op.f("ix_routes_message_pk"), "routes", ["message_pk"], unique=False)
    op.create_table(
        "inbox_items",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("outbox_id", _BIG_ID, nullable=False),
        sa.Column("receiver", sa.String(length=32), nullable=False),
        sa.Column(
            "visible_after",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="offered again after this if not 签收",
        ),
        sa.Column("offered_count", sa.Integer(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True, comment="签收"),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True, comment="签收失败 / 退回"),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_inbox_items_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_items")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_inbox_items_outbox_id")),
    )
    op.create_index(
        op.f("ix_inbox_items_receiver_visible_after"),
        "inbox_items",
        ["receiver", "visible_after"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_items_receiver_visible_after"), table_name="inbox_items")
    op.drop_table("inbox_items")
    op.drop_index(op.f("ix_routes_message_pk"), table_name="routes")
    op.drop_table("routes")
    op.drop_index(op.f("ix_trace_keys_key_value"), table_name="trace_keys")
    op.drop_table("trace_keys")
    op.drop_index(op.f("ix_records_voucher_no"), table_name="records")
    op.drop_index(op.f("ix_records_bgt_id"), table_name="records")
    op.drop_table("records")
    op.drop_index(op.f("ix_outbox_status_next_attempt_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_message_pk"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_lifecycle_events_message_pk"), table_name="lifecycle_events")
    op.drop_table("lifecycle_events")
    op.drop_table("messages")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
