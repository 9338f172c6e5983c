"""资金追踪 (issue 17, 报告): the voucher's 指标文号 and 业务年度 on its payment lines, and the indexes the
tracking report reads — vouchers by (FileNoCode, StYear), the next level's rows by ORI_BGT_ID and by
上级指标文号, and a page of one level's indicators (optionally only IS_TRACK = 1) in id order.

Lines stored before this revision get both from their stored record (the canonical JSON of the voucher,
回单 or refund), read in batches in id order.

Revision ID: 0010_tracking
Revises: 0009_indicator_control
Create Date: 2026-12-03 13:45:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_tracking"
down_revision: str | None = "0009_indicator_control"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
_TYPES = ("payment_voucher", "payment_receipt", "refund_notice")


def upgrade() -> None:
    with op.batch_alter_table("payment_lines") as batch:
        batch.add_column(
            sa.Column(
                "file_no_code",
                sa.String(100),
                nullable=True,
                comment="voucher / 回单: 指标文号 FileNoCode (migration 0008)",
            )
        )
        batch.add_column(
            sa.Column(
                "st_year",
                sa.Integer(),
                nullable=True,
                comment="voucher / 回单 / refund: StYear 业务年度 (migration 0008)",
            )
        )
    _backfill(op.get_bind())
    for table, columns in (
        ("payment_lines", ["file_no_code", "st_year"]),
        ("ledger_indicators", ["ori_bgt_id", "fiscal_year"]),
        ("ledger_indicators", ["sup_bgt_doc_no", "fiscal_year"]),
        ("ledger_indicators", ["division", "fiscal_year", "is_track", "id"]),
    ):
        op.create_index(f"ix_{table}_{'_'.join(columns)}", table, columns)


def _backfill(connection: sa.Connection) -> None:
    """FileNoCode (cut to 100 characters) and StYear of every voucher / 回单 / refund line stored before."""
    records = sa.table(
        "records",
        sa.column("id", sa.BigInteger()),
        sa.column("message_pk", sa.BigInteger()),
        sa.column("position", sa.Integer()),
        sa.column("msg_type", sa.String()),
        sa.column("canonical", sa.Text()),
    )
    lines = sa.table(
        "payment_lines",
        sa.column("message_pk", sa.BigInteger()),
        sa.column("position", sa.Integer()),
        sa.column("file_no_code", sa.String()),
        sa.column("st_year", sa.Integer()),
    )
    update = (
        sa.update(lines)
        .where(lines.c.message_pk == sa.bindparam("m"), lines.c.position == sa.bindparam("p"))
        .values(file_no_code=sa.bindparam("f"), st_year=sa.bindparam("y"))
    )
    after = 0
    while True:
        batch = connection.execute(
            sa.select(records.c.id, records.c.message_pk, records.c.position, records.c.canonical)
            .where(records.c.msg_type.in_(_TYPES), records.c.id > after)
            .order_by(records.c.id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        values = []
        for _id, message_pk, position, canonical in batch:
            data = json.loads(canonical)
            file_no = data.get("file_no_code") or None
            year = data.get("st_year")
            values.append(
                {
                    "m": message_pk,
                    "p": position,
                    "f": file_no[:100] if isinstance(file_no, str) else None,
                    "y": int(year) if year is not None else None,
                }
            )
        connection.execute(update, values)
        after = batch[-1][0]


def downgrade() -> None:
    op.drop_index("ix_ledger_indicators_division_fiscal_year_is_track_id", "ledger_indicators")
    op.drop_index("ix_ledger_indicators_sup_bgt_doc_no_fiscal_year", "ledger_indicators")
    op.drop_index("ix_ledger_indicators_ori_bgt_id_fiscal_year", "ledger_indicators")
    op.drop_index("ix_payment_lines_file_no_code_st_year", "payment_lines")
    with op.batch_alter_table("payment_lines") as batch:
        batch.drop_column("st_year")
        batch.drop_column("file_no_code")
