"""The schema as SQLAlchemy Core tables (ADR 0004: Core, not an ORM). Alembic revisions must match it;
``tests/gateway/store/test_migrations.py`` compares the two."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from gateway.store.types import BigId, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("sender", String(32), nullable=False),
    Column("message_id", String(128), nullable=False, comment="X-Message-Id: sender-unique idempotency key"),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("format", String(32), nullable=False),
    Column("msg_type", String(32), nullable=False),
    Column("body", LargeBinary, nullable=False, comment="the signed original, byte for byte"),
    Column("body_sm3", String(64), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("response", JSON, nullable=False, comment="the original answer, replayed for a repeat"),
    UniqueConstraint("sender", "message_id"),
)

records = Table(
    "records",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("msg_type", String(32), nullable=False),
    Column("bgt_id", String(64), nullable=True, comment="指标 id, for trace"),
    Column("voucher_no", String(64), nullable=True, comment="凭证号, for trace"),
    Column("canonical", Text, nullable=False, comment="canonical JSON of the record"),
    Column("result", String(16), nullable=False),
    UniqueConstraint("message_pk", "position"),
    Index(None, "bgt_id"),
    Index(None, "voucher_no"),
)

trace_keys = Table(
    "trace_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("key", String(32), nullable=False, comment="bgt_id | voucher_no"),
    Column("value", String(64), nullable=False),
    Index(None, "key", "value"),
)

lifecycle_events = Table(
    "lifecycle_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("detail", Text, nullable=True),
    Index(None, "message_pk"),
)

routes = Table(
    "routes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=True, comment="record position; NULL for the whole document"),
    Column("receiver", String(32), nullable=False),
    Column("rule", String(64), nullable=False, comment="why this receiver (the routing rule's name)"),
    Index(None, "message_pk"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("receiver", String(32), nullable=False),
    Column("channel", String(8), nullable=False, comment="push | pull"),
    Column("format", String(32), nullable=False),
    Column("body", LargeBinary, nullable=False, comment="rendered in the receiver's wire format"),
    Column("original_sender", String(32), nullable=False),
    Column("original_message_id", String(128), nullable=False),
    Column("status", String(16), nullable=False, comment="pending | sent | dead | cancelled"),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("dead_at", UTCDateTime(), nullable=True),
    Index(None, "status", "next_attempt_at"),
    Index(None, "message_pk"),
)

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("outbox_id", BigId, ForeignKey("outbox.id"), nullable=False, unique=True),
    Column("receiver", String(32), nullable=False),
    Column("visible_after", UTCDateTime(), nullable=False, comment="offered again after this if not 签收"),
    Column("offered_count", Integer, nullable=False),
    Column("acked_at", UTCDateTime(), nullable=True, comment="签收"),
    Column("rejected_at", UTCDateTime(), nullable=True, comment="签收失败 / 退回"),
    Column("reject_reason", Text, nullable=True),
    Index(None, "receiver", "visible_after"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("detail", Text, nullable=False, comment="canonical JSON"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, comment="hex SM3(prev_hash ‖ canonical entry bytes)"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False, comment="always 1"),
    Column("seq", BigId, nullable=False),
    Column("hash", String(64), nullable=False),
)
