"""The server's database: engine, schema creation safe for many workers, sessions."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import CreateColumn

from core.models import Base
from server.tables import ServerBase

#: Key of the PostgreSQL advisory lock held while the schema is created.
_SCHEMA_LOCK = 0x5348444B


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _enable_wal(conn: Connection) -> None:
    """Switch a SQLite file to WAL once. The switch needs the file to itself and SQLite
    answers "database is locked" at once, busy timeout or not, while another worker
    starting beside this one holds it; so look first, and wait a moment between tries."""
    for attempt in range(100):
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        if str(mode).lower() == "wal":
            break
        try:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            conn.rollback()
            time.sleep(0.05)
    conn.commit()


def _add_missing_columns(conn: Connection) -> None:
    """Columns a newer ShiftDesk added to an existing table (a shift's "changed since
    published", say) are added in place; ``create_all`` makes only missing tables.

    Only additive columns qualify: nullable, or with a server default that fills the
    rows already there. Anything else needs a real migration and stops the start with
    a sentence saying which column, rather than failing on the first request.
    """
    present = inspect(conn)
    for table in [*Base.metadata.sorted_tables, *ServerBase.metadata.sorted_tables]:
        have = {c["name"] for c in present.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if not column.nullable and column.server_default is None:
                raise RuntimeError(
                    f"the server database's table {table.name} lacks the column"
                    f" {column.name}, which cannot be added without a migration"
                )
            ddl = CreateColumn(column).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN {ddl}')


class Database:
    """One engine per process. Sessions here carry no outbox tracking: that hook is
    installed only on the local store's sessionmaker."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.engine: Engine = create_engine(url)
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def ensure_schema(self) -> None:
        """Create missing tables. Workers starting together take turns: PostgreSQL by an
        advisory lock, SQLite by an immediate (write-locked) transaction."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                _enable_wal(conn)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            Base.metadata.create_all(conn)
            ServerBase.metadata.create_all(conn)
            _add_missing_columns(conn)
            conn.commit()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions() as session, session.begin():
            yield session

    def insert(self, table: Table | type) -> Insert:
        """An INSERT that knows ``ON CONFLICT`` on this database."""
        dialect = postgresql if not self.is_sqlite else sqlite
        return dialect.insert(table)  # type: ignore[arg-type]

    def close(self) -> None:
        self.engine.dispose()
