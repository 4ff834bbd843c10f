from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.errors import StoreError
from core.models import Base, Company
from core.store import APPLICATION_ID, open_store


def test_new_store_is_created_marked_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.shiftdesk"
    store = open_store(path)
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.shiftdesk")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []


def test_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "s.shiftdesk"
    store = open_store(path)
    with store.session() as s:
        s.add(Company(name="Keep me"))
    store.close()
    store = open_store(path)
    with store.session() as s:
        assert s.query(Company).one().name == "Keep me"
    store.close()
    assert not list(tmp_path.glob("*.bak"))


def test_text_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.shiftdesk"
    path.write_text("shopping list\n")
    with pytest.raises(StoreError, match="not an SQLite file"):
        open_store(path)
    assert path.read_text() == "shopping list\n"


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        open_store(path)
    assert path.read_bytes() == before


def test_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.shiftdesk"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of ShiftDesk"):
        open_store(path)
    assert path.read_bytes() == before


def test_damaged_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.shiftdesk"
    open_store(path).close()
    data = bytearray(path.read_bytes())
    data[16:100] = b"\xff" * 84  # wreck the header past the magic string
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        open_store(path)


def test_backup_is_a_working_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "live.shiftdesk")
    with store.session() as s:
        s.add(Company(name="Backed up"))
    store.backup(tmp_path / "copy.shiftdesk")
    with pytest.raises(StoreError, match="exists already"):
        store.backup(tmp_path / "copy.shiftdesk")
    store.close()
    copy = open_store(tmp_path / "copy.shiftdesk")
    with copy.session() as s:
        assert s.query(Company).one().name == "Backed up"
    assert copy.integrity_problems() == []
    copy.close()
