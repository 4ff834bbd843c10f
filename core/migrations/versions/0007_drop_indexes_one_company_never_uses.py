"""drop the indexes a one-company store never uses

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

A store holds one company and mostly one site. ``ix_shift_company_id`` and
``ix_shift_site_range`` (site, start) match every shift there, so they narrow
nothing: the roster's range query filtered by site read the whole site through
the latter instead of the days asked for through ``ix_shift_shift_date``. No
query ranges over ``ix_shift_start_utc`` alone (a clash check goes through the
person's assignments), and none looks outbox entries up by ``group_id``. Each
of them was written for every shift and entry a template application adds.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: (table, index, columns) of every index dropped.
DROPPED = (
    ("shift", "ix_shift_company_id", ["company_id"]),
    ("shift", "ix_shift_site_range", ["site_id", "start_utc"]),
    ("shift", "ix_shift_start_utc", ["start_utc"]),
    ("outbox", "ix_outbox_group_id", ["group_id"]),
)


def upgrade() -> None:
    # Plain DROP INDEX: SQLite takes it in place (no batch copy of the tables).
    for table, name, _ in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, columns in DROPPED:
        op.create_index(name, table, columns, unique=False)
