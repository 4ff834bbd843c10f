"""the feed counter carries a version of the company's webhook subscriptions

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-01 10:05:00

- ``feed_counter.webhooks_version``: moved by every change of a company's
  subscriptions (and by revoking a key), so a worker may keep the subscriptions
  it read and know, from the counter row every write updates anyway, when to read
  them again. Existing rows start at 0.
"""

import sqlalchemy as sa
from alembic import op

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("feed_counter")}
    if "webhooks_version" not in columns:
        op.add_column(
            "feed_counter",
            sa.Column("webhooks_version", sa.BigInteger(), nullable=False, server_default="0"),
        )


def downgrade() -> None:
    op.drop_column("feed_counter", "webhooks_version")
