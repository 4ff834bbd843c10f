from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from core.errors import StoreError, StoreMissing
from core.models import Base, Company, Employee, Site
from core.store import APPLICATION_ID, Store, open_store


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


def damage_page(path: Path, page: int) -> None:
    """Write noise over one page of a closed store, as a failing disk would."""
    size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as fh:
        fh.seek(size * (page - 1))
        fh.write(random.Random(page).randbytes(size))


def test_a_missing_file_is_refused_without_create_and_nothing_is_made(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "dir" / "x.shiftdesk"
    with pytest.raises(StoreMissing, match="no ShiftDesk database at") as info:
        open_store(path, create=False)
    assert info.value.path == path
    assert not (tmp_path / "nope").exists()


def test_an_empty_file_is_not_a_store_without_create(tmp_path: Path) -> None:
    path = tmp_path / "empty.shiftdesk"
    path.touch()
    with pytest.raises(StoreMissing):
        open_store(path, create=False)
    assert path.read_bytes() == b""


def test_an_existing_store_opens_without_create(tmp_path: Path) -> None:
    path = tmp_path / "s.shiftdesk"
    open_store(path).close()
    open_store(path, create=False).close()


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)


def test_a_damaged_page_is_the_integrity_checks_finding(store: Store, org: object) -> None:
    path = store.path
    store.close()
    damage_page(path, 4)
    damaged = open_store(path, create=False)
    try:
        problems = damaged.integrity_problems()
    finally:
        damaged.close()
    assert problems
    assert any("malformed" in p or "Page 4" in p for p in problems)


def test_reading_a_damaged_page_raises_store_error(store: Store, org: object) -> None:
    path = store.path
    store.close()
    conn = sqlite3.connect(path)
    (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'employee'").fetchone()
    conn.close()
    damage_page(path, page)
    damaged = open_store(path, create=False)
    try:
        with (
            pytest.raises(StoreError, match=r"cannot be used: .*malformed"),
            damaged.session() as s,
        ):
            s.query(Employee).all()
    finally:
        damaged.close()


def test_a_broken_constraint_is_not_mistaken_for_damage(store: Store) -> None:
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Site(company_id="no such company", name="Orphan"))


def test_backup_into_a_missing_folder_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        store.backup(tmp_path / "nodir" / "bk.shiftdesk")
    assert not (tmp_path / "nodir").exists()
