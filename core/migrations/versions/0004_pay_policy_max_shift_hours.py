"""a store's longest shift before a warning

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00

A shift longer than ``pay_policy.max_shift_hours`` (12 unless changed; 0 turns it
off) is flagged where shifts are checked. Existing stores get the default.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, as in 0003: SQLite takes it in place.
    op.add_column(
        "pay_policy",
        sa.Column(
            "max_shift_hours",
            sa.Numeric(precision=12, scale=4),
            nullable=False,
            server_default=sa.text("12"),
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("pay_policy", schema=None) as batch_op:
        batch_op.drop_column("max_shift_hours")
