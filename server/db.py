"""The server's database: engine, schema creation safe for many workers, sessions."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

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
