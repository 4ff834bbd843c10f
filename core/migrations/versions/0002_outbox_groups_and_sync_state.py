"""outbox groups, states and base versions; pull cursors, conflicts, sync runs;
leave kept-on-shift links

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00

Entries queued before this revision belong to no known operation: each becomes a
group of its own (its ``key``), so they still travel in the order they were
written. An update or delete gets the record's ``server_version`` as its base (a
local store changes that only when it pulls). Attendance corrections and approvals
were queued under their table names, which no route accepts; they move to their
collections.
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Collection -> table, as at this revision (a migration does not read today's models).
_TABLES = {
    "departments": "department",
    "employees": "employee",
    "shifttemplates": "shift_template",
    "shifts": "shift",
    "leaverequests": "leave_request",
    "clockevents": "clock_event",
    "attendancecorrections": "attendance_correction",
    "attendanceapprovals": "attendance_approval",
}

_RENAMED = {
    "attendance_correction": "attendancecorrections",
    "attendance_approval": "attendanceapprovals",
}


def upgrade() -> None:
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("collection", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("mine", sa.JSON(), nullable=True),
        sa.Column("theirs", sa.JSON(), nullable=True),
        sa.Column("remote_etag", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", core.models.base.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", core.models.base.UTCDateTime(), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_conflict_status"), ["status"], unique=False)

    op.create_table(
        "sync_cursor",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.String(length=500), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.Column("last_pulled_at", core.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_cursor")),
        sa.UniqueConstraint(
            "server_url", "company_id", name=op.f("uq_sync_cursor_server_url_company_id")
        ),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("started_at", core.models.base.UTCDateTime(), nullable=False),
        sa.Column("ended_at", core.models.base.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("pushed", sa.Integer(), nullable=False),
        sa.Column("pulled", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("conflicted", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "leave_shift_link",
        sa.Column("company_id", sa.String(length=36), nullable=False),
        sa.Column("leave_id", sa.String(length=36), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(length=64), nullable=True),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_leave_shift_link_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["leave_id"],
            ["leave_request.id"],
            name=op.f("fk_leave_shift_link_leave_id_leave_request"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_leave_shift_link_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_shift_link")),
    )
    with op.batch_alter_table("leave_shift_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leave_shift_link_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_leave_shift_link_leave_id"), ["leave_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_leave_shift_link_shift_id"), ["shift_id"], unique=False
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch_op.add_column(
            sa.Column("next_attempt_at", core.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("base_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("group_id", sa.String(length=36), nullable=True))

    outbox = sa.table(
        "outbox",
        sa.column("key", sa.String),
        sa.column("collection", sa.String),
        sa.column("record_id", sa.String),
        sa.column("op", sa.String),
        sa.column("group_id", sa.String),
        sa.column("base_version", sa.Integer),
    )
    op.execute(outbox.update().values(group_id=outbox.c.key))
    for old, new in _RENAMED.items():
        op.execute(outbox.update().where(outbox.c.collection == old).values(collection=new))
    for collection, table_name in _TABLES.items():
        record = sa.table(table_name, sa.column("id", sa.String), sa.column("server_version"))
        version = (
            sa.select(record.c.server_version)
            .where(record.c.id == outbox.c.record_id)
            .scalar_subquery()
        )
        op.execute(
            outbox.update()
            .where(outbox.c.collection == collection, outbox.c.op != "create")
            .values(base_version=version)
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("group_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index(batch_op.f("ix_outbox_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_outbox_state_seq", ["state", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state_seq")
        batch_op.drop_index(batch_op.f("ix_outbox_group_id"))
        batch_op.drop_column("group_id")
        batch_op.drop_column("base_version")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("state")

    with op.batch_alter_table("leave_shift_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leave_shift_link_shift_id"))
        batch_op.drop_index(batch_op.f("ix_leave_shift_link_leave_id"))
        batch_op.drop_index(batch_op.f("ix_leave_shift_link_company_id"))
    op.drop_table("leave_shift_link")

    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_started_at"))
    op.drop_table("sync_run")
    op.drop_table("sync_cursor")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_status"))
        batch_op.drop_index(batch_op.f("ix_sync_conflict_record_id"))
    op.drop_table("sync_conflict")
