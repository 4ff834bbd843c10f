"""webhook subscriptions remember their key; the sliding rate limit's buckets

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-01 06:05:00

- ``webhook_subscription.key_id``: the key whose view of records its payloads get.
  Subscriptions made before it have none and keep sending whole records, as they
  did (an operator's subscription).
- ``rate_bucket`` replaces ``rate_window``: the fixed windows' counts mean nothing
  to the sliding limit, so they are dropped, not converted; every caller starts
  with a full bucket.

Servers before the migrations added columns at start, so a database stamped as
the baseline may already have ``key_id``: each step looks before it acts.
"""

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = sa.inspect(op.get_bind())
    tables = set(present.get_table_names())
    columns = {c["name"] for c in present.get_columns("webhook_subscription")}
    if "key_id" not in columns:
        op.add_column("webhook_subscription", sa.Column("key_id", sa.String(36), nullable=True))
    if "rate_bucket" not in tables:
        op.create_table(
            "rate_bucket",
            sa.Column("bucket", sa.String(80), nullable=False),
            sa.Column("tat", sa.Float(53), nullable=False),
            sa.Column("passed", sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint("bucket", name="pk_rate_bucket"),
        )
    if "rate_window" in tables:
        op.drop_table("rate_window")


def downgrade() -> None:
    op.create_table(
        "rate_window",
        sa.Column("bucket", sa.String(80), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start", name="pk_rate_window"),
    )
    op.drop_table("rate_bucket")
    op.drop_column("webhook_subscription", "key_id")
