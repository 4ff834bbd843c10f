"""The server's database: engine, schema creation safe for many workers, sessions."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import CreateColumn

from core.models import Base
from server.tables import ServerBase

#: Key of the PostgreSQL advisory lock held while the schema is created.
_SCHEMA_LOCK = 0x5348444B


@dataclass(frozen=True)
class Limits:
    """How much of the database one process may hold, and how long anything waits.

    ``pool_size`` connections per process (a worker) and no overflow, so ``workers x
    pool_size`` bounds what the server opens; a request that finds them all busy
    waits ``pool_timeout`` seconds, then is told to retry (503). A statement waits
    at most ``lock_timeout`` for a lock (SQLite: its busy timeout) and runs at most
    ``statement_timeout`` (PostgreSQL)."""

    pool_size: int = 10
    pool_timeout: float = 5.0
    lock_timeout: float = 5.0
    statement_timeout: float = 15.0


#: SQLSTATEs that mean "busy now, the same request may succeed later": a lock not
#: had in time, a statement cancelled by its timeout, no connection slot left, a
#: deadlock victim, a serialisation failure.
_BUSY_STATES = frozenset({"55P03", "57014", "53300", "40P01", "40001"})
_BUSY_WORDS = ("database is locked", "database table is locked", "too many clients")


def overloaded(exc: BaseException) -> bool:
    """Whether a database failure means "too busy now, retry" (answered 503 with
    Retry-After) rather than a fault: the pool had no connection in time, a lock or
    statement timed out, PostgreSQL had no slot left, SQLite's file stayed locked."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _BUSY_STATES:
        return True
    text = str(exc.orig).lower()
    return any(words in text for words in _BUSY_WORDS)


def _sqlite_pragmas(limits: Limits) -> Any:
    def on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(limits.lock_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _pg_timeouts(limits: Limits) -> Any:
    """Session timeouts set on each new connection (an ``options`` argument would
    replace one the URL gives, such as a search path)."""

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"SET lock_timeout = {int(limits.lock_timeout * 1000)}")
        cursor.execute(f"SET statement_timeout = {int(limits.statement_timeout * 1000)}")
        cursor.close()
        dbapi_conn.commit()

    return on_connect


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
    """Columns a newer ShiftDesk added to a table of the models the server shares
    with the local store (core's: a shift's "changed since published", say) are
    added in place; the store versions those tables in its own migrations
    (core/migrations), which do not run here. The server's own tables are
    versioned by its migrations (:func:`_migrate`).

    Only additive columns qualify: nullable, or with a server default that fills the
    rows already there. Anything else needs a real migration and stops the start with
    a sentence saying which column, rather than failing on the first request.
    """
    present = inspect(conn)
    for table in Base.metadata.sorted_tables:
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


#: Indexes of the tables shared with the local store that only a database of many
#: companies needs (lists filter by company): the store dropped them (its migration
#: 0007), so the shared models no longer declare them.
SERVER_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_shift_company_id ON shift (company_id)",
    "CREATE INDEX IF NOT EXISTS ix_shift_site_range ON shift (site_id, start_utc)",
    "CREATE INDEX IF NOT EXISTS ix_shift_start_utc ON shift (start_utc)",
)


#: The server's version table (server/migrations/env.py) and the revision a
#: database made before the migrations is taken to be at.
VERSION_TABLE = "server_schema_version"
BASELINE = "s0001"


def _alembic(conn: Connection) -> Any:
    from alembic.config import Config  # only at start: alembic and mako cost an import

    config = Config()
    config.set_main_option("script_location", "server:migrations")
    config.attributes["connection"] = conn
    return config


def _migrate(conn: Connection) -> None:
    """Bring the server's tables to the newest revision: a database with a version
    table is upgraded; one an earlier server made with ``create_all`` (its tables
    but no version table) is stamped as the baseline and upgraded from there; an
    empty one is made whole from the models and stamped with the head."""
    from alembic import command

    tables = set(inspect(conn).get_table_names())
    config = _alembic(conn)
    if VERSION_TABLE in tables:
        command.upgrade(config, "head")
    elif tables & set(ServerBase.metadata.tables):
        command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    else:
        ServerBase.metadata.create_all(conn)
        command.stamp(config, "head")


class Database:
    """One engine per process. Sessions here carry no outbox tracking: that hook is
    installed only on the local store's sessionmaker."""

    def __init__(self, url: str, limits: Limits | None = None) -> None:
        self.url = url
        self.limits = limits = limits or Limits()
        pool: dict[str, Any] = {
            "pool_size": limits.pool_size,
            "max_overflow": 0,
            "pool_timeout": limits.pool_timeout,
        }
        if url.startswith("sqlite"):
            memory = url.rstrip("/") in ("sqlite:", "sqlite://") or ":memory:" in url
            self.engine: Engine = create_engine(url, **({} if memory else pool))
            event.listen(self.engine, "connect", _sqlite_pragmas(limits))
        else:
            self.engine = create_engine(url, pool_pre_ping=True, **pool)
            event.listen(self.engine, "connect", _pg_timeouts(limits))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def ensure_schema(self) -> None:
        """Create or upgrade the schema: the server's tables by its migrations
        (:func:`_migrate`), the tables shared with the local store by ``create_all``
        and :func:`_add_missing_columns`. Workers starting together take turns:
        PostgreSQL by an advisory lock, SQLite by an immediate (write-locked)
        transaction."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                _enable_wal(conn)
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            _migrate(conn)
            Base.metadata.create_all(conn)
            _add_missing_columns(conn)
            for statement in SERVER_INDEXES:
                conn.exec_driver_sql(statement)
            conn.commit()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection on which each statement commits by itself, with no BEGIN and
        COMMIT around it: for a single statement that needs no transaction of its
        own (the rate limit's upsert, on every request)."""
        with self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    def insert(self, table: Table | type) -> Insert:
        """An INSERT that knows ``ON CONFLICT`` on this database."""
        dialect = postgresql if not self.is_sqlite else sqlite
        return dialect.insert(table)  # type: ignore[arg-type]

    def close(self) -> None:
        self.engine.dispose()
