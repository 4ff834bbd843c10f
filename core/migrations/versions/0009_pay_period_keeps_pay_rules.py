"""a closed pay period keeps the pay rules it was closed with

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00:00

``pay_period.pay_rules`` holds the pay policy's rules payroll used when the period
was closed, so changing the policy later does not re-price paid history. Periods
closed before have none (NULL) and are priced with the policy as it stands, as
they were until now: the rules they were paid with were never recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, as in 0003 to 0006: SQLite takes it in place.
    op.add_column("pay_period", sa.Column("pay_rules", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pay_period", schema=None) as batch_op:
        batch_op.drop_column("pay_rules")
