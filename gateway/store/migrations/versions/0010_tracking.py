"""资金追踪 (issue 17, 报告): the indexes the tracking report reads — the next level's rows by ORI_BGT_ID
and by 上级指标文号, and a page of one level's indicators (optionally only IS_TRACK = 1) in id order.

Which indicator a voucher spends is 控制's link (``indicator_spends.indicator_id``, revision 0009, read by
its ``indicator_id`` index): the report adds no column of its own.

Revision ID: 0010_tracking
Revises: 0009_indicator_control
Create Date: 2026-12-03 13:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_tracking"
down_revision: str | None = "0009_indicator_control"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ["ori_bgt_id", "fiscal_year"],
    ["sup_bgt_doc_no", "fiscal_year"],
    ["division", "fiscal_year", "is_track", "id"],
)


def upgrade() -> None:
    for columns in _INDEXES:
        op.create_index(f"ix_ledger_indicators_{'_'.join(columns)}", "ledger_indicators", columns)


def downgrade() -> None:
    for columns in reversed(_INDEXES):
        op.drop_index(f"ix_ledger_indicators_{'_'.join(columns)}", "ledger_indicators")
