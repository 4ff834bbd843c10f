"""the pay policy's automatic unpaid break

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:00:00

A day's work of at least ``pay_policy.unpaid_break_after_hours`` (6 unless
changed) has an unpaid break of at least ``unpaid_break_minutes``: payroll tops a
shorter punched break up to it and the labour forecast deducts it from scheduled
days. Existing stores get 0 minutes, so what they pay does not change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, as in 0003 to 0005: SQLite takes them in place.
    op.add_column(
        "pay_policy",
        sa.Column(
            "unpaid_break_minutes", sa.Integer(), nullable=False, server_default=sa.text("0")
        ),
    )
    op.add_column(
        "pay_policy",
        sa.Column(
            "unpaid_break_after_hours",
            sa.Numeric(precision=12, scale=4),
            nullable=False,
            server_default=sa.text("6"),
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("pay_policy", schema=None) as batch_op:
        batch_op.drop_column("unpaid_break_after_hours")
        batch_op.drop_column("unpaid_break_minutes")
