"""the pay policy replicates: its sync columns, and its id is its company's

Revision ID: s0003
Revises: s0002
Create Date: 2026-12-01 10:00:00

``pay_policy`` is a table the server shares with the local store (core's models),
made by ``create_all``; its new columns have no default a running server could add
in place (:func:`server.db._add_missing_columns`), so they are added here, for a
database that has the table already. Each policy takes its company's id (nothing
names a policy by id) and stays unpublished (no version) until a site writes it.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None

_COLUMNS = ("server_version", "etag", "base", "dirty", "deleted", "created_at", "updated_at")


def upgrade() -> None:
    present = sa.inspect(op.get_bind())
    if "pay_policy" not in present.get_table_names():
        return  # made whole by create_all
    have = {c["name"] for c in present.get_columns("pay_policy")}
    wanted = [
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(64), nullable=True),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("dirty", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        *(
            sa.Column(
                stamp,
                core.models.base.UTCDateTime(),
                nullable=False,
                server_default=sa.text("'1970-01-01 00:00:00'"),
            )
            for stamp in ("created_at", "updated_at")
        ),
    ]
    for column in wanted:
        if column.name not in have:
            op.add_column("pay_policy", column)
    # The upgrade's moment as a bound UTC value, not CURRENT_TIMESTAMP: PostgreSQL
    # would store that in the session's time zone, and these columns hold UTC.
    stamp = core.models.base.UTCDateTime()
    policy = sa.table(
        "pay_policy",
        sa.column("id"),
        sa.column("company_id"),
        sa.column("server_version"),
        sa.column("created_at", stamp),
        sa.column("updated_at", stamp),
    )
    now = datetime.now(UTC)
    op.execute(
        policy.update()
        .where(policy.c.server_version.is_(None))
        .values(id=policy.c.company_id, created_at=now, updated_at=now)
    )


def downgrade() -> None:
    with op.batch_alter_table("pay_policy", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
