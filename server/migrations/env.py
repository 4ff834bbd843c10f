"""Alembic environment of the server's database: runs on the connection
:meth:`server.db.Database.ensure_schema` hands over, inside its schema lock."""

from alembic import context

from server.tables import ServerBase

#: The server's own version table: its schema is versioned apart from the local
#: store's (``alembic_version``, core/migrations).
VERSION_TABLE = "server_schema_version"

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the server's migrations run through server.db.Database.ensure_schema")
context.configure(
    connection=connection,
    target_metadata=ServerBase.metadata,
    version_table=VERSION_TABLE,
)
with context.begin_transaction():
    context.run_migrations()
