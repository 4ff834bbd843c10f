"""shifts remember an edit made after they were published

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00

A published shift whose day, times, people, departments, location or status
change is "changed since published" until it is published again. Stores from
before this revision hold no such edits, so every shift starts unmarked.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite takes it in place. Batch mode would copy the table
    # and drop the old one, and with foreign keys on that drop cascades to the
    # shifts' assignments.
    op.add_column(
        "shift",
        sa.Column(
            "changed_since_published",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("changed_since_published")
