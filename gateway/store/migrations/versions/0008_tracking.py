"""资金追踪 (issue 17, 报告): the voucher's 指标文号 and 业务年度 on its payment lines, and the indexes the
tracking report reads — vouchers by (AdmDivCode, FileNoCode, StYear), lower bookings by 上级指标文号, and a
page of one level's indicators (optionally only IS_TRACK = 1) in id order.

Lines stored before this revision have no FileNoCode: the tracking report does not see their spending
(``fiscalgw`` cannot recover it without re-reading every stored voucher; the trace still finds them).

Revision ID: 0008_tracking
Revises: 0007_breaks
Create Date: 2026-12-03 13:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_tracking"
down_revision: str | None = "0007_breaks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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
    op.create_index(
        "ix_payment_lines_adm_div_code_file_no_code_st_year",
        "payment_lines",
        ["adm_div_code", "file_no_code", "st_year"],
    )
    op.create_index(
        "ix_ledger_indicators_division_fiscal_year_sup_bgt_doc_no",
        "ledger_indicators",
        ["division", "fiscal_year", "sup_bgt_doc_no"],
    )
    op.create_index(
        "ix_ledger_indicators_division_fiscal_year_is_track_id",
        "ledger_indicators",
        ["division", "fiscal_year", "is_track", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_indicators_division_fiscal_year_is_track_id", "ledger_indicators")
    op.drop_index("ix_ledger_indicators_division_fiscal_year_sup_bgt_doc_no", "ledger_indicators")
    op.drop_index("ix_payment_lines_adm_div_code_file_no_code_st_year", "payment_lines")
    with op.batch_alter_table("payment_lines") as batch:
        batch.drop_column("st_year")
        batch.drop_column("file_no_code")
