"""控制 (issue 17): ``ledger_indicators.spent_fen`` (paid + in flight against the indicator, the value the
conditional update at intake compares with ``amount_fen``), an index to find an indicator by its 指标文号,
``indicator_spends`` (the vouchers that spend an indicator, gateway/store/indicator_spending.py) and
``control_rule_sets`` (versioned control rules, gateway/services/control_rules.py).

Existing vouchers are not back-linked: control starts with the first voucher accepted after the upgrade.

Revision ID: 0009_indicator_control
Revises: 0008_code_warnings
Create Date: 2026-12-03 13:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_indicator_control"
down_revision: str | None = "0008_code_warnings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("ledger_indicators") as batch:
        batch.add_column(
            sa.Column(
                "spent_fen",
                sa.BigInteger(),
                nullable=False,
                server_default="0",
                comment="控制: paid + in flight against it (store/indicator_spending.py; migration 0008)",
            )
        )
    op.create_index(
        op.f("ix_ledger_indicators_division_fiscal_year_cor_bgt_doc_no"),
        "ledger_indicators",
        ["division", "fiscal_year", "cor_bgt_doc_no"],
    )
    op.create_table(
        "indicator_spends",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="record position in the message"),
        sa.Column("adm_div_code", sa.String(length=9), nullable=False),
        sa.Column("vt_code", sa.String(length=4), nullable=False),
        sa.Column("voucher_no", sa.String(length=200), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False, comment="StYear"),
        sa.Column(
            "file_no_code", sa.String(length=200), nullable=True, comment="FileNoCode 指标文号 as sent"
        ),
        sa.Column("indicator_id", _BIG_ID, nullable=True, comment="NULL: not linked"),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, comment="PayAmt"),
        sa.Column(
            "in_flight_fen",
            sa.BigInteger(),
            nullable=False,
            comment="reserved on the indicator, not yet answered",
        ),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False, comment="XPayAmt of the 回单, less refunds"),
        sa.Column(
            "state",
            sa.String(length=10),
            nullable=False,
            comment="in_flight | held | paid | failed | refused",
        ),
        sa.Column(
            "codes",
            sa.String(length=200),
            nullable=False,
            comment="control codes that failed, comma-separated",
        ),
        sa.Column(
            "rule_version", sa.Integer(), nullable=True, comment="control_rule_sets.version decided with"
        ),
        sa.Column("decided_at", _TIME, nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", _TIME, nullable=True),
        sa.Column("review_comment", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_indicator_spends_message_pk_messages")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["ledger_indicators.id"],
            name=op.f("fk_indicator_spends_indicator_id_ledger_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_spends")),
    )
    for columns in (["adm_div_code", "voucher_no"], ["indicator_id"], ["state"]):
        op.create_index(op.f("ix_indicator_spends_" + "_".join(columns)), "indicator_spends", columns)
    op.create_table(
        "control_rule_sets",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "rules", sa.JSON(), nullable=False, comment="the parsed rule file (services/control_rules.py)"
        ),
        sa.Column(
            "source_sm3", sa.String(length=64), nullable=False, comment="hex SM3 of the TOML file loaded"
        ),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_rule_sets")),
        sa.UniqueConstraint("version", name=op.f("uq_control_rule_sets_version")),
    )


def downgrade() -> None:
    op.drop_table("control_rule_sets")
    op.drop_table("indicator_spends")
    op.drop_index(
        op.f("ix_ledger_indicators_division_fiscal_year_cor_bgt_doc_no"), table_name="ledger_indicators"
    )
    with op.batch_alter_table("ledger_indicators") as batch:
        batch.drop_column("spent_fen")
