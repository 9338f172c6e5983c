"""3501 / 3502 凭证对账 statements as lines (``statement_lines``, the statement reconciliation kind),
filled from the records already stored (ADR 0011).

The back-fill parses each stored ``voucher_reconciliation_statement`` record's canonical JSON and writes its
lines with the code intake uses (:mod:`gateway.store.statement_lines`), message by message in arrival order,
so the ``active`` flags (the latest statement of a number counts) come out as if intake had written them.

Revision ID: 0012_statement_lines
Revises: 0011_extensions
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_statement_lines"
down_revision: str | None = "0011_extensions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "statement_lines",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="record position in the message"),
        sa.Column("line", sa.Integer(), nullable=False, comment="0 = the header; 1… = the details"),
        sa.Column("vt_code", sa.String(length=4), nullable=False, comment="3501 | 3502"),
        sa.Column("adm_div_code", sa.String(length=6), nullable=False),
        sa.Column("statement_no", sa.String(length=200), nullable=False, comment="the statement's VoucherNo"),
        sa.Column("check_date", sa.Date(), nullable=False, comment="CheckDate"),
        sa.Column(
            "bank",
            sa.String(length=200),
            nullable=False,
            comment="3502 PayBankCode / 3501 ClearBankCode; '' absent",
        ),
        sa.Column(
            "e_voucher_type", sa.String(length=8), nullable=False, comment="EVoucherType; '' when absent"
        ),
        sa.Column(
            "voucher_no", sa.String(length=200), nullable=True, comment="details: the voucher the line names"
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True, comment="header: AllAmt; details: Amt"),
        sa.Column("all_num", sa.Integer(), nullable=True, comment="header: AllNum"),
        sa.Column(
            "pro_state",
            sa.String(length=200),
            nullable=True,
            comment="details: ProState (kept, not interpreted)",
        ),
        sa.Column(
            "record_sm3",
            sa.String(length=64),
            nullable=False,
            comment="hex SM3 of the record's canonical JSON",
        ),
        sa.Column(
            "active", sa.Boolean(), nullable=False, comment="the latest statement of its number counts"
        ),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_statement_lines_message_pk_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_lines")),
    )
    for columns in (["adm_div_code", "vt_code", "check_date"], ["adm_div_code", "vt_code", "statement_no"]):
        op.create_index(op.f("ix_statement_lines_" + "_".join(columns)), "statement_lines", columns)
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    from gateway.statement_lines import STATEMENT_MESSAGE_TYPES, StatementLine, statement_lines_of
    from gateway.store.statement_lines import StatementLineRepository
    from schemas.messages import parse_canonical

    records = sa.table(
        "records",
        sa.column("message_pk", _BIG_ID),
        sa.column("position", sa.Integer()),
        sa.column("msg_type", sa.String()),
        sa.column("canonical", sa.Text()),
    )
    repository = StatementLineRepository(connection)
    after: tuple[int, int] = (-1, -1)
    while True:
        batch = connection.execute(
            sa.select(records.c.message_pk, records.c.position, records.c.canonical)
            .where(
                records.c.msg_type.in_(sorted(STATEMENT_MESSAGE_TYPES)),
                sa.tuple_(records.c.message_pk, records.c.position) > sa.tuple_(*after),
            )
            .order_by(records.c.message_pk, records.c.position)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        by_message: dict[int, list[StatementLine]] = {}
        for message_pk, position, canonical in batch:
            lines = statement_lines_of(
                position, parse_canonical(json.loads(canonical), stored=True), canonical
            )
            by_message.setdefault(message_pk, []).extend(lines)
        for message_pk, lines in by_message.items():
            repository.add(message_pk, lines)
        after = (batch[-1][0], batch[-1][1])


def downgrade() -> None:
    op.drop_table("statement_lines")
