"""Indicator ledger (预算指标核算), reconciliation runs, persistent breaks, break events, scheduler firings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recon_runs",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="indicators | payments"),
        sa.Column("scope_key", sa.String(length=128), nullable=False, comment="e.g. upper|lower|fiscal_year"),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False, comment="running | succeeded | failed"),
        sa.Column("trigger", sa.String(length=16), nullable=False, comment="api | schedule | cli"),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_runs")),
    )
    op.create_index(
        op.f("ix_recon_runs_kind_scope_key_started_at"),
        "recon_runs",
        ["kind", "scope_key", "started_at"],
        unique=False,
    )
    op.create_table(
        "scheduler_firings",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=128), nullable=False),
        sa.Column("fire_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "node", sa.String(length=64), nullable=False, comment="the process that claimed the firing"
        ),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True, comment="ran | failed | busy"),
        sa.Column("run_id", _BIG_ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_firings")),
        sa.UniqueConstraint("job_id", "fire_time", name=op.f("uq_scheduler_firings_job_id_fire_time")),
    )
    op.create_table(
        "ledger_indicators",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column(
            "division",
            sa.String(length=9),
            nullable=False,
            comment="MOF_DIV_CODE of the ledger (the level) it is on",
        ),
        sa.Column("side", sa.String(length=8), nullable=False, comment="issued | received | own"),
        sa.Column(
            "counterparty", sa.String(length=9), nullable=True, comment="issued: REC_DIV_CODE; otherwise NULL"
        ),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("bgt_id", sa.String(length=38), nullable=False),
        sa.Column("ori_bgt_id", sa.String(length=38), nullable=True),
        sa.Column("cor_bgt_doc_no", sa.String(length=100), nullable=True),
        sa.Column("sup_bgt_doc_no", sa.String(length=100), nullable=True),
        sa.Column("bgt_doc_title", sa.String(length=360), nullable=True),
        sa.Column("doc_date", sa.String(length=10), nullable=True, comment="ISO YYYY-MM-DD"),
        sa.Column("pro_code", sa.String(length=21), nullable=True),
        sa.Column("fund_type_code", sa.String(length=10), nullable=True),
        sa.Column("tp_func_code", sa.String(length=13), nullable=True),
        sa.Column("gov_bgt_eco_code", sa.String(length=11), nullable=True),
        sa.Column("distri_type_code", sa.String(length=1), nullable=True),
        sa.Column("is_track", sa.String(length=1), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, comment="current net amount in fen"),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "create_time",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="CREATE_TIME (or receipt time) as UTC",
        ),
        sa.Column("origin", sa.String(length=8), nullable=False, comment="booking | receipt"),
        sa.Column("message_pk", _BIG_ID, nullable=True, comment="the record that opened it"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_ledger_indicators_message_pk_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_indicators")),
    )
    op.create_index(
        op.f("ix_ledger_indicators_counterparty_fiscal_year"),
        "ledger_indicators",
        ["counterparty", "fiscal_year"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ledger_indicators_division_fiscal_year_ori_bgt_id"),
        "ledger_indicators",
        ["division", "fiscal_year", "ori_bgt_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ledger_indicators_division_side_fiscal_year_bgt_id"),
        "ledger_indicators",
        ["division", "side", "fiscal_year", "bgt_id"],
        unique=False,
    )
    op.create_table(
        "recon_breaks",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False, comment="hex SM3 of kind|engine key"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("scope_key", sa.String(length=128), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("ident", sa.Text(), nullable=False, comment="the engine's readable key"),
        sa.Column(
            "status", sa.String(length=16), nullable=False, comment="open | explained | resolved | closed"
        ),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_run_id", _BIG_ID, nullable=False),
        sa.Column("last_run_id", _BIG_ID, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "amount_fen", sa.BigInteger(), nullable=True, comment="|difference|, else the one amount present"
        ),
        sa.Column("upper_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("lower_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("difference_fen", sa.BigInteger(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False, comment="the break as the report shows it"),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_by", sa.String(length=64), nullable=True),
        sa.Column("status_comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["recon_runs.id"], name=op.f("fk_recon_breaks_first_run_id_recon_runs")
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["recon_runs.id"], name=op.f("fk_recon_breaks_last_run_id_recon_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recon_breaks")),
        sa.UniqueConstraint("key", name=op.f("uq_recon_breaks_key")),
    )
    op.create_index(
        op.f("ix_recon_breaks_kind_scope_key_status"),
        "recon_breaks",
        ["kind", "scope_key", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_recon_breaks_status_type"), "recon_breaks", ["status", "type"], unique=False)
    op.create_table(
        "break_events",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("break_id", _BIG_ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column(
            "action",
            sa.String(length=16),
            nullable=False,
            comment="opened | explained | resolved | closed | reopened",
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("run_id", _BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["break_id"], ["recon_breaks.id"], name=op.f("fk_break_events_break_id_recon_breaks")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["recon_runs.id"], name=op.f("fk_break_events_run_id_recon_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_events")),
    )
    op.create_index(op.f("ix_break_events_break_id"), "break_events", ["break_id"], unique=False)
    op.create_table(
        "ledger_entries",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=True),
        sa.Column("position", sa.Integer(), nullable=False, comment="record position in the message"),
        sa.Column("indicator_id", _BIG_ID, nullable=False),
        sa.Column(
            "kind",
            sa.String(length=16),
            nullable=False,
            comment="issue | adjust | recall | delete | receive | supersede",
        ),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["ledger_indicators.id"],
            name=op.f("fk_ledger_entries_indicator_id_ledger_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_ledger_entries_message_pk_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "message_pk",
            "position",
            "indicator_id",
            "kind",
            name=op.f("uq_ledger_entries_message_pk_position_indicator_id_kind"),
        ),
    )
    op.create_index(op.f("ix_ledger_entries_indicator_id"), "ledger_entries", ["indicator_id"], unique=False)
    op.create_table(
        "ledger_postings",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("entry_id", _BIG_ID, nullable=False),
        sa.Column("division", sa.String(length=9), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=8), nullable=False),
        sa.Column("dr_cr", sa.String(length=1), nullable=False, comment="D | C"),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, comment="never negative"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_ledger_postings_entry_id_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    op.create_index(
        op.f("ix_ledger_postings_division_fiscal_year_account"),
        "ledger_postings",
        ["division", "fiscal_year", "account"],
        unique=False,
    )
    op.create_index(op.f("ix_ledger_postings_entry_id"), "ledger_postings", ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_postings_entry_id"), table_name="ledger_postings")
    op.drop_index(op.f("ix_ledger_postings_division_fiscal_year_account"), table_name="ledger_postings")
    op.drop_table("ledger_postings")
    op.drop_index(op.f("ix_ledger_entries_indicator_id"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index(op.f("ix_break_events_break_id"), table_name="break_events")
    op.drop_table("break_events")
    op.drop_index(op.f("ix_recon_breaks_status_type"), table_name="recon_breaks")
    op.drop_index(op.f("ix_recon_breaks_kind_scope_key_status"), table_name="recon_breaks")
    op.drop_table("recon_breaks")
    op.drop_index(
        op.f("ix_ledger_indicators_division_side_fiscal_year_bgt_id"), table_name="ledger_indicators"
    )
    op.drop_index(
        op.f("ix_ledger_indicators_division_fiscal_year_ori_bgt_id"), table_name="ledger_indicators"
    )
    op.drop_index(op.f("ix_ledger_indicators_counterparty_fiscal_year"), table_name="ledger_indicators")
    op.drop_table("ledger_indicators")
    op.drop_table("scheduler_firings")
    op.drop_index(op.f("ix_recon_runs_kind_scope_key_started_at"), table_name="recon_runs")
    op.drop_table("recon_runs")
