"""the pay policy replicates: sync columns, and its id is its company's

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00

``pay_policy`` gets the columns every replicated row carries (server version,
ETag, base copy, dirty and deleted flags, stamps), and each row takes its
company's id as its own: one policy per company, so a site and the server name the
same record without asking each other. Nothing names a policy by its id, so the
new id breaks no reference. Existing rows have never been acknowledged by a
server: no version, no base. A store that already syncs queues its policy (dirty,
one update): its next push hands the server the site's rules, whole, and a pull
meanwhile merges rather than overwrites them. A store that never synced queues it
when it joins a company.
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = ("server_version", "etag", "base", "dirty", "deleted", "created_at", "updated_at")


def upgrade() -> None:
    # Plain ADD COLUMNs, as in 0003 to 0006: SQLite takes them in place. The stamps
    # need a constant default to be added; every row gets the time of the upgrade.
    op.add_column("pay_policy", sa.Column("server_version", sa.Integer(), nullable=True))
    op.add_column("pay_policy", sa.Column("etag", sa.String(length=64), nullable=True))
    op.add_column("pay_policy", sa.Column("base", sa.JSON(), nullable=True))
    for flag in ("dirty", "deleted"):
        op.add_column(
            "pay_policy",
            sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.text("0")),
        )
    for stamp in ("created_at", "updated_at"):
        op.add_column(
            "pay_policy",
            sa.Column(
                stamp,
                core.models.base.UTCDateTime(),
                nullable=False,
                server_default=sa.text("'1970-01-01 00:00:00'"),
            ),
        )
    op.execute(
        "UPDATE pay_policy SET id = company_id,"
        " created_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP"
    )
    _queue_where_synced()


def _queue_where_synced() -> None:
    """One update of each policy, in a store linked to a server: an update of a record
    the server never acknowledged carries every field (``sync.push``)."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM sync_cursor")).scalar() == 0:
        return
    ids = conn.execute(sa.text("SELECT id FROM pay_policy")).scalars().all()
    for policy_id in ids:
        conn.execute(sa.text("UPDATE pay_policy SET dirty = 1 WHERE id = :id"), {"id": policy_id})
        conn.execute(
            sa.text(
                "INSERT INTO outbox (key, collection, record_id, op, fields, created_at,"
                " attempts, state, group_id)"
                " VALUES (:key, 'paypolicies', :id, 'update', :fields, CURRENT_TIMESTAMP,"
                " 0, 'pending', :group)"
            ),
            {
                "key": str(uuid.uuid4()),
                "id": policy_id,
                "fields": json.dumps({"changed": []}),
                "group": str(uuid.uuid4()),
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("pay_policy", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
