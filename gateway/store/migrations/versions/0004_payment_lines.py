"""The payment chain as reconciliation lines (``payment_lines``, issue #5 payments from the store), filled
from the records already stored.

The backfill parses each stored payment-chain record's canonical JSON and writes its lines with the same
code intake uses (:mod:`gateway.store.payment_lines`), message by message in arrival order, so the
``active`` flags (resends, replaced clearing requests, 3510 over 5510) come out as if intake had written
them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:30:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "payment_lines",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("message_pk", _BIG_ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="record position in the message"),
        sa.Column(
            "line", sa.Integer(), nullable=False, comment="0 = the record; clearing / quota: detail number"
        ),
        sa.Column(
            "role",
            sa.String(length=8),
            nullable=False,
            comment="voucher | receipt | refund | clearing | quota",
        ),
        sa.Column("vt_code", sa.String(length=4), nullable=False),
        sa.Column("adm_div_code", sa.String(length=6), nullable=False),
        sa.Column("pay_bank_code", sa.String(length=200), nullable=False, comment="'' when absent"),
        sa.Column(
            "voucher_no",
            sa.String(length=200),
            nullable=False,
            comment="the payment voucher (refund: its own no; quota: the statement no)",
        ),
        sa.Column(
            "clearing_no", sa.String(length=200), nullable=True, comment="clearing: the 2301/2302 VoucherNo"
        ),
        sa.Column(
            "original_voucher_no",
            sa.String(length=200),
            nullable=True,
            comment="refund: the refunded voucher",
        ),
        sa.Column("vou_date", sa.Date(), nullable=False, comment="VouDate (quota: EndDate)"),
        sa.Column("is_receipt", sa.Boolean(), nullable=False, comment="a 回单 (VoucherFlag=1)"),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True, comment="PayAmt (clearing: the detail's)"),
        sa.Column("x_pay_amt_fen", sa.BigInteger(), nullable=True, comment="XPayAmt"),
        sa.Column("x_pay_date", sa.Date(), nullable=True, comment="XPayDate"),
        sa.Column("pre_date_money_fen", sa.BigInteger(), nullable=True),
        sa.Column("clear_amt_fen", sa.BigInteger(), nullable=True),
        sa.Column("cur_reck_money_fen", sa.BigInteger(), nullable=True),
        sa.Column("cur_date_money_fen", sa.BigInteger(), nullable=True),
        sa.Column(
            "record_sm3",
            sa.String(length=64),
            nullable=False,
            comment="hex SM3 of the record's canonical JSON",
        ),
        sa.Column(
            "active",
            sa.Boolean(),
            nullable=False,
            comment="read by runs (resends and replaced requests are not)",
        ),
        sa.ForeignKeyConstraint(
            ["message_pk"], ["messages.id"], name=op.f("fk_payment_lines_message_pk_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_lines")),
    )
    for columns in (
        ["adm_div_code", "role", "vou_date"],
        ["adm_div_code", "role", "voucher_no"],
        ["adm_div_code", "role", "original_voucher_no"],
        ["adm_div_code", "role", "clearing_no"],
        ["record_sm3"],
    ):
        op.create_index(op.f("ix_payment_lines_" + "_".join(columns)), "payment_lines", columns)
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    from gateway.payment_lines import PAYMENT_MESSAGE_TYPES, PaymentLine, lines_of
    from gateway.store.payment_lines import PaymentLineRepository
    from schemas.messages import parse_canonical

    records = sa.table(
        "records",
        sa.column("message_pk", _BIG_ID),
        sa.column("position", sa.Integer()),
        sa.column("msg_type", sa.String()),
        sa.column("canonical", sa.Text()),
    )
    repository = PaymentLineRepository(connection)
    after: tuple[int, int] = (-1, -1)
    while True:
        batch = connection.execute(
            sa.select(records.c.message_pk, records.c.position, records.c.canonical)
            .where(
                records.c.msg_type.in_(sorted(PAYMENT_MESSAGE_TYPES)),
                sa.tuple_(records.c.message_pk, records.c.position) > sa.tuple_(*after),
            )
            .order_by(records.c.message_pk, records.c.position)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        by_message: dict[int, list[PaymentLine]] = {}
        for message_pk, position, canonical in batch:
            lines = lines_of(position, parse_canonical(json.loads(canonical), stored=True), canonical)
            by_message.setdefault(message_pk, []).extend(lines)
        for message_pk, lines in by_message.items():
            repository.add(message_pk, lines)
        after = (batch[-1][0], batch[-1][1])


def downgrade() -> None:
    op.drop_table("payment_lines")
