"""employment dates on people, and closed pay periods

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 06:00:00

People get the first and last day of their employment; both are optional, so
everyone already in a store stays employed on every day, as before. Closed pay
periods get their own table (a replicated record, like a shift).
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0003 and 0004: batch mode would copy the employee table, and
    # dropping the old copy with foreign keys on would touch every row that names it.
    op.add_column("employee", sa.Column("employment_start", sa.Date(), nullable=True))
    op.add_column("employee", sa.Column("employment_end", sa.Date(), nullable=True))
    op.create_table(
        "pay_period",
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", core.models.base.UTCDateTime(), nullable=False),
        sa.Column("reopened_by", sa.String(length=100), nullable=True),
        sa.Column("reopened_at", core.models.base.UTCDateTime(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(length=64), nullable=True),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_pay_period_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pay_period")),
    )
    op.create_index(
        "ix_pay_period_company_range", "pay_period", ["company_id", "first_day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_pay_period_company_range", table_name="pay_period")
    op.drop_table("pay_period")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_column("employment_end")
        batch_op.drop_column("employment_start")
