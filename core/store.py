"""Opening the local SQLite store: checks, pragmas, migrations, backups.

A file that is not a ShiftDesk database, is corrupt, or was written by a newer
version raises :class:`StoreError` with one clear sentence and is not modified.
An older file is copied aside before it is migrated. Damage found later, while a
session reads a page SQLite cannot make sense of, is a :class:`StoreError` too, so
no caller ever has to know SQLite's or SQLAlchemy's exceptions.

Only a caller that means to create a store passes ``create=True``: a mistyped path
must not quietly become an empty database (and a tree of new folders).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from core import outbox
from core.errors import StoreError, StoreMissing

if TYPE_CHECKING:
    from alembic.config import Config

#: SQLite's ``PRAGMA application_id`` marks a file as ours ("SHDK").
APPLICATION_ID = 0x5348444B
_SQLITE_MAGIC = b"SQLite format 3\x00"
ENV_DB = "SHIFTDESK_DB"


def default_path() -> Path:
    """``$SHIFTDESK_DB``, else ``schedule.shiftdesk`` in the user's data directory."""
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB]).expanduser()
    return Path(platformdirs.user_data_dir("ShiftDesk", appauthor=False)) / "schedule.shiftdesk"


def _alembic_config() -> Config:
    from alembic.config import Config  # only to migrate: alembic and mako cost a start

    config = Config()
    config.set_main_option("script_location", "core:migrations")
    return config


_VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*['"]?([\w-]+)""", re.M)


@cache
def _revisions() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, read from the scripts' text
    once per process. Opening a store at head needs no more: alembic (and mako, which
    it imports) is loaded only when a store is migrated."""
    revisions: dict[str, str | None] = {}
    for script in sorted(_VERSIONS.glob("*.py")):
        found = dict(_REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" in found:
            down = found.get("down_revision")
            revisions[found["revision"]] = None if down in (None, "None") else down
    return revisions


def head_revision() -> str:
    """The newest revision: the one no other follows (alembic's own head, as
    tests/core/test_store.py checks)."""
    revisions = _revisions()
    heads = set(revisions) - {down for down in revisions.values() if down}
    assert len(heads) == 1, f"the migrations have {len(heads)} heads"
    return heads.pop()


@dataclass(frozen=True)
class _FileFacts:
    application_id: int
    revision: str | None
    tables: frozenset[str]


def _damage(exc: BaseException) -> sqlite3.Error | None:
    """The SQLite error behind ``exc`` when it says the file cannot be used (damaged,
    not a database, unreadable, locked); None for errors of the program itself, such
    as a broken constraint, which must not pass for a bad file."""
    error = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    if isinstance(error, sqlite3.IntegrityError | sqlite3.ProgrammingError):
        return None
    return error if isinstance(error, sqlite3.DatabaseError) else None


def _inspect_file(path: Path) -> _FileFacts | None:
    """What an existing file holds, read through a read-only connection; None if empty."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a ShiftDesk database")
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as fh:
        if fh.read(16) != _SQLITE_MAGIC:
            raise StoreError(f"{path} is not a ShiftDesk database (it is not an SQLite file)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = frozenset(
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            )
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} cannot be read, it looks damaged ({exc})") from exc
    return _FileFacts(app_id, revision, tables)


def _check_compatible(path: Path, facts: _FileFacts | None) -> None:
    if facts is None or (not facts.tables and facts.application_id == 0):
        return
    if facts.application_id != APPLICATION_ID:
        raise StoreError(f"{path} is not a ShiftDesk database (it belongs to another program)")
    if facts.revision is not None and facts.revision not in _revisions():
        raise StoreError(
            f"{path} was written by a newer version of ShiftDesk (schema {facts.revision});"
            " update ShiftDesk to open it"
        )


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _data_version(conn: sqlite3.Connection) -> int:
    """``PRAGMA data_version`` of one connection: it moves when *another* connection
    commits. Read to the end, so no statement keeps a read transaction open."""
    return int(conn.execute("PRAGMA data_version").fetchall()[0][0])


class Store:
    """An open local store: one engine, and sessions for callers to open per action."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        outbox.install(self.sessions)
        # Writes from outside (see changed_outside): a connection of its own that never
        # writes, opened on first use, and what it said last.
        self._watch_lock = threading.Lock()
        self._watcher: sqlite3.Connection | None = None
        self._seen = 0
        self._outside = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        A page that turns out damaged while the work reads it raises :class:`StoreError`.
        """
        try:
            with self.engine.connect() as conn:
                writing: int | None = None
                try:
                    with self.sessions(bind=conn) as session, session.begin():
                        yield session
                        session.flush()
                        writing = self._commit_starts(conn)
                finally:
                    if writing is not None:
                        self._commit_ended(conn, writing)
        except sa_exc.DBAPIError as exc:
            error = _damage(exc)
            if error is None:
                raise
            raise StoreError(f"{self.path} cannot be used: {error}") from exc

    # --- writes from outside ---------------------------------------------------------------

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on the store's watching connection: it
        changes whenever any other connection (another process, another Store on the
        file, or this Store's own pool) commits."""
        with self._watch_lock:
            return self._watched()

    def changed_outside(self) -> bool:
        """True when something other than this Store wrote to the file since the last
        call (the command line, a sync run from cron, another Store object); commits
        made through :meth:`session` never count. The first call starts watching and
        says False. Cheap enough to poll every second: one PRAGMA on an open connection.

        ``data_version`` alone cannot tell: the engine's pool holds several
        connections, and each one's commits move the watcher's value like a stranger's.
        So a commit through :meth:`session` is bracketed (:meth:`_commit_starts`,
        :meth:`_commit_ended`) and its step of the value is taken as seen.
        """
        with self._watch_lock:
            if self._watcher is None:
                self._seen = self._watched()
                return False
            now = self._watched()
            moved = self._outside or now != self._seen
            self._seen, self._outside = now, False
            return moved

    def unchanged_since(self, session: Session, version: int) -> bool:
        """Whether nothing was committed to the file since :meth:`data_version` said
        ``version``: then what a session read before still holds.

        Asked with ``session`` holding SQLite's write lock (it begins its transaction
        with ``BEGIN IMMEDIATE``), so no commit can come between the answer and the
        session's own writes. A session that already began its transaction cannot
        take the lock first, and says False: the caller reads again.
        """
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        if not isinstance(raw, sqlite3.Connection) or raw.in_transaction:
            return False
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return self.data_version() == version

    def _watched(self) -> int:
        if self._watcher is None:
            self._watcher = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False
            )
        try:
            return _data_version(self._watcher)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} cannot be used: {exc}") from exc

    def _commit_starts(self, conn: Connection) -> int | None:
        """Before a session's commit: None when it wrote nothing (or nobody watches).

        Otherwise the lock is taken until :meth:`_commit_ended`, and the watcher is read
        once more: having written, this transaction holds SQLite's write lock, so
        nothing else can commit between this look and the commit; a value that moved
        since the last look is someone else's write, kept for :meth:`changed_outside`.
        Returns the committing connection's own ``data_version``, which the commit
        itself does not move.
        """
        raw = conn.connection.dbapi_connection
        if self._watcher is None or not isinstance(raw, sqlite3.Connection):
            return None
        if not raw.in_transaction:  # pysqlite begins only before a write
            return None
        self._watch_lock.acquire()
        try:
            if self._watched() != self._seen:
                self._outside = True
            return _data_version(raw)
        except BaseException:
            self._watch_lock.release()
            raise

    def _commit_ended(self, conn: Connection, before: int) -> None:
        """After the commit: the watcher's new value is this Store's own write. A commit
        by someone else squeezed in right after ours moves the committing connection's
        ``data_version`` too, and then counts as from outside."""
        try:
            self._seen = self._watched()
            raw = conn.connection.dbapi_connection
            if isinstance(raw, sqlite3.Connection) and _data_version(raw) != before:
                self._outside = True
        finally:
            self._watch_lock.release()

    def backup(self, target: Path) -> None:
        """Online copy through SQLite's backup API: consistent while the app writes."""
        target = Path(target)
        if target.exists():
            raise StoreError(f"{target} exists already; choose a new file name")
        if not target.parent.is_dir():
            raise StoreError(f"cannot write {target}: the folder {target.parent} does not exist")
        try:
            src = sqlite3.connect(self.path)
            try:
                dst = sqlite3.connect(target)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot back up {self.path} to {target}: {exc}") from exc

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks; empty when all is well.

        Damage bad enough that SQLite cannot even finish its check is itself the
        finding, so it is returned as a problem rather than raised.
        """
        try:
            with self.engine.connect() as conn:
                problems = [
                    row[0]
                    for row in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
                    if row[0] != "ok"
                ]
                problems += [
                    f"{row[0]} row {row[1]} points to a missing {row[2]} row"
                    for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                ]
        except sa_exc.DBAPIError as exc:
            error = _damage(exc)
            if error is None:
                raise
            return [f"the check could not finish: {error}"]
        return problems

    def close(self) -> None:
        with self._watch_lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
        self.engine.dispose()


def open_store(path: Path | str | None = None, *, create: bool = True) -> Store:
    """Open (migrating as needed) the store at ``path``.

    With ``create`` (the desktop's File > New and first run, ``setup``, ``demo``) a
    missing or empty file becomes a new store, folders included; without it such a
    path raises :class:`StoreMissing` and nothing is created.
    """
    path = Path(path).expanduser() if path is not None else default_path()
    facts = _inspect_file(path)
    if facts is None and not create:
        raise StoreMissing(path)
    _check_compatible(path, facts)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        head = head_revision()
        current = facts.revision if facts else None
        if current != head:
            if current is not None:
                shutil.copy2(path, path.with_name(f"{path.name}.before-{head}.bak"))
            from alembic import command

            with engine.begin() as conn:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                config = _alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    except (sqlite3.DatabaseError, sa_exc.DBAPIError) as exc:
        engine.dispose()
        error = _damage(exc)
        if error is None:
            raise
        raise StoreError(f"{path} cannot be opened: {error}") from exc
    return Store(path, engine)
