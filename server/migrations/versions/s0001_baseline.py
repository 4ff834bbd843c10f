"""baseline: the server's schema as create_all made it before these migrations

Revision ID: s0001
Revises:
Create Date: 2026-12-01 06:00:00

A database made by an earlier server (create_all, no version table) is stamped
with this revision and upgraded from here; a new database is made whole from the
models and stamped with the head (see server.db.Database.ensure_schema), so this
revision has nothing to do.
"""

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
