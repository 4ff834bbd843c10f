from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, column, create_engine, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import outbox
from core.errors import StoreError, StoreMissing
from core.models import (
    AttendanceCorrection,
    Base,
    Company,
    Department,
    Employee,
    LeaveRequest,
    LeaveShiftLink,
    OutboxEntry,
    PayPeriod,
    PayPolicy,
    PullCursor,
    Shift,
    ShiftEmployee,
    Site,
    SyncConflict,
    SyncRun,
    new_id,
)
from core.store import (
    APPLICATION_ID,
    Store,
    _alembic_config,
    _revisions,
    head_revision,
    open_store,
)


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


def test_the_revisions_read_from_the_scripts_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(_alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert _revisions() == {r.revision: r.down_revision for r in scripts.walk_revisions()}


def test_opening_a_store_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    path = tmp_path / "s.shiftdesk"
    open_store(path).close()
    code = (
        "import sys; from core.store import open_store;"
        f" open_store({str(path)!r}, create=False).close();"
        " print(sorted(m for m in ('alembic', 'mako') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


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


def _store_at_0001(path: Path) -> Engine:
    """A store as the first release wrote it: migrated to 0001 and no further."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    return engine


def test_a_0001_store_is_migrated_keeping_its_data_and_its_outbox(tmp_path: Path) -> None:
    path = tmp_path / "old.shiftdesk"
    engine = _store_at_0001(path)
    ids = {name: new_id() for name in ("company", "site", "dept", "emp", "shift", "fix")}
    with Session(engine) as s, s.begin():  # as at 0001; a shift's newer columns left out
        s.add(Company(id=ids["company"], name="Oldco"))
        s.add(Site(id=ids["site"], company_id=ids["company"], name="Main"))
        s.add(
            Department(id=ids["dept"], company_id=ids["company"], site_id=ids["site"], name="Bar")
        )
        s.flush()
        _old_employee(
            s,
            id=ids["emp"],
            company_id=ids["company"],
            site_id=ids["site"],
            department_id=ids["dept"],
            first_name="Eva",
            last_name="Fisher-Lang",
            server_version=3,
        )
        _old_shift(
            s,
            id=ids["shift"],
            company_id=ids["company"],
            site_id=ids["site"],
            shift_date=date(2026, 6, 1),
            start_time="09:00",
            end_time="17:00",
            start_utc=datetime(2026, 6, 1, 9, tzinfo=UTC),
            end_utc=datetime(2026, 6, 1, 17, tzinfo=UTC),
        )
        s.add(ShiftEmployee(shift_id=ids["shift"], employee_id=ids["emp"]))
        s.add(
            AttendanceCorrection(
                id=ids["fix"],
                company_id=ids["company"],
                employee_id=ids["emp"],
                work_date=date(2026, 6, 1),
                excused=True,
                reason="doctor",
                author="sam",
            )
        )
    queued = [  # as 0001's tracking wrote them, correction under its table's name
        ("k-shift", "shifts", ids["shift"], "create", '{"changed": []}', 0, None),
        ("k-emp", "employees", ids["emp"], "update", '{"changed": ["last_name"]}', 2, "timeout"),
        ("k-fix", "attendance_correction", ids["fix"], "create", '{"changed": []}', 0, None),
    ]
    with engine.begin() as conn:
        for key, collection, record_id, op, fields, attempts, error in queued:
            conn.exec_driver_sql(
                "INSERT INTO outbox (key, collection, record_id, op, fields, created_at,"
                " attempts, last_error) VALUES (?, ?, ?, ?, ?, '2026-06-01 10:00:00', ?, ?)",
                (key, collection, record_id, op, fields, attempts, error),
            )
    engine.dispose()

    store = open_store(path, create=False)
    try:
        assert (tmp_path / f"old.shiftdesk.before-{head_revision()}.bak").exists()
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        with store.session() as s:
            assert s.get(Employee, ids["emp"]).last_name == "Fisher-Lang"
            assert s.get(Shift, ids["shift"]).employee_ids == [ids["emp"]]
            assert s.get(AttendanceCorrection, ids["fix"]).reason == "doctor"
            entries = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
            assert [
                (e.key, e.collection, e.op, e.state, e.base_version, e.group_id, e.attempts)
                for e in entries
            ] == [
                ("k-shift", "shifts", "create", "pending", None, "k-shift", 0),
                ("k-emp", "employees", "update", "pending", 3, "k-emp", 2),
                ("k-fix", "attendancecorrections", "create", "pending", None, "k-fix", 0),
            ]
            assert entries[1].last_error == "timeout"
            assert entries[0].next_attempt_at is None
            assert outbox.counts(s).waiting == 3
        with store.session() as s:  # the new tables take rows, and edits queue as usual
            s.add(PullCursor(server_url="https://hq.example", company_id=ids["company"]))
            s.add(SyncRun(pushed=1))
            s.add(SyncConflict(collection="shifts", record_id=ids["shift"], mine={"notes": "x"}))
            s.add(
                LeaveShiftLink(
                    company_id=ids["company"],
                    leave_id=_leave_of(s, ids["emp"], ids["company"]),
                    shift_id=ids["shift"],
                    note="kept on",
                )
            )
            s.get(Shift, ids["shift"]).notes = "Bring keys"
        with store.session() as s:
            assert s.scalars(select(SyncRun)).one().outcome == "running"
            assert s.scalars(select(PullCursor)).one().cursor == "0"
            last = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq.desc()).limit(1)).one()
            assert last.collection == "leaveshiftlinks"
            shift_entry = s.scalars(select(OutboxEntry).where(OutboxEntry.key == "k-shift")).one()
            assert shift_entry.fields == {"changed": ["notes"]}  # folded into the unsent create
    finally:
        store.close()


def _leave_of(s: Session, employee_id: str, company_id: str) -> str:
    leave = LeaveRequest(
        company_id=company_id,
        employee_id=employee_id,
        start_date=date(2026, 6, 1),
        end_date=date(2026, 6, 1),
    )
    s.add(leave)
    s.flush()
    return leave.id


# --- writes from outside -----------------------------------------------------------------


def _rename_company(store: Store, name: str) -> None:
    with store.session() as s:
        s.scalars(select(Company)).one().name = name


def test_a_write_by_another_store_on_the_file_is_seen_once(store: Store, org: object) -> None:
    assert store.changed_outside() is False  # the first look starts watching
    other = open_store(store.path, create=False)  # as another process would
    try:
        _rename_company(other, "Renamed elsewhere")
    finally:
        other.close()
    assert store.changed_outside() is True
    assert store.changed_outside() is False


def test_the_stores_own_commits_are_never_from_outside(store: Store, org: object) -> None:
    store.changed_outside()
    before = store.data_version()
    # Several sessions at once: the pool hands out several connections, each of
    # which moves the watcher's data_version like a stranger's commit would.
    with store.session() as outer:
        outer.scalars(select(Company)).one()
        for n in range(3):
            _rename_company(store, f"Own {n}")
    assert store.data_version() != before
    assert store.changed_outside() is False


def test_reading_does_not_hide_a_write_from_outside(store: Store, org: object) -> None:
    store.changed_outside()
    raw = sqlite3.connect(store.path)
    raw.execute("UPDATE company SET name = 'By hand'")
    raw.commit()
    raw.close()
    with store.session() as s:  # a read-only session commits too
        assert s.scalars(select(Company)).one().name == "By hand"
    _rename_company(store, "Then here")  # and a write of our own after it
    assert store.changed_outside() is True


def test_a_write_from_another_thread_through_the_same_store_is_its_own(
    store: Store, org: object
) -> None:
    import threading

    store.changed_outside()
    worker = threading.Thread(target=_rename_company, args=(store, "From a worker"))
    worker.start()
    worker.join()
    assert store.changed_outside() is False


def _old_shift(conn: Connection | Session, **values: object) -> None:
    """A shift row as stores before 0003 wrote it, without the columns added since."""
    now = datetime(2026, 5, 1, tzinfo=UTC)
    row = {
        "dirty": False,
        "deleted": False,
        "created_at": now,
        "updated_at": now,
        "location": "",
        "status": "scheduled",
        "published": False,
        "notes": "",
        "flag": "",
        **values,
    }
    old = table("shift", *(column(name, Shift.__table__.c[name].type) for name in row))
    conn.execute(old.insert().values(**row))


def _old_employee(conn: Connection | Session, **values: object) -> None:
    """An employee row as stores before 0005 wrote it, without employment dates."""
    now = datetime(2026, 5, 1, tzinfo=UTC)
    row = {
        "dirty": False,
        "deleted": False,
        "created_at": now,
        "updated_at": now,
        "hourly_rate": 0,
        "contract_hours": 40,
        "active": True,
        **values,
    }
    old = table("employee", *(column(name, Employee.__table__.c[name].type) for name in row))
    conn.execute(old.insert().values(**row))


def test_a_0004_store_is_migrated_its_people_employed_every_day(tmp_path: Path) -> None:
    """Stores from before employment dates open; everyone in them stays open-ended,
    and closed pay periods can be kept at once."""
    path = tmp_path / "old.shiftdesk"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
    with Session(engine) as s, s.begin():
        s.add(Company(id="c", name="Oldco"))
        s.add(Site(id="s", company_id="c", name="Main"))
        s.flush()
        _old_employee(s, id="e", company_id="c", site_id="s", first_name="Eva", last_name="F")
    engine.dispose()
    store = open_store(path)
    try:
        with store.session() as s:
            eva = s.get(Employee, "e")
            assert eva is not None
            assert (eva.first_name, eva.employment_start, eva.employment_end) == ("Eva", None, None)
            s.add(
                PayPeriod(
                    company_id="c",
                    first_day=date(2026, 11, 1),
                    last_day=date(2026, 11, 30),
                    closed_by="anna",
                )
            )
            s.commit()
        with store.session() as s:
            assert s.scalar(select(PayPeriod.closed_by)) == "anna"
    finally:
        store.close()


def test_a_0002_store_is_migrated_and_its_shifts_start_unmarked(tmp_path: Path) -> None:
    """Stores from before "changed since published" open, every shift as it was."""
    path = tmp_path / "old.shiftdesk"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    with Session(engine) as s, s.begin():
        s.add(Company(id="c", name="Oldco"))
        s.add(Site(id="s", company_id="c", name="Main"))
        s.flush()
        _old_shift(
            s,
            id="x",
            company_id="c",
            site_id="s",
            shift_date=date(2026, 6, 1),
            start_time="09:00",
            end_time="17:00",
            start_utc=datetime(2026, 6, 1, 9, tzinfo=UTC),
            end_utc=datetime(2026, 6, 1, 17, tzinfo=UTC),
            published=True,
        )
    engine.dispose()
    store = open_store(path)
    try:
        with store.session() as s:
            shift = s.get(Shift, "x")
            assert shift is not None
            assert (shift.published, shift.changed_since_published) == (True, False)
    finally:
        store.close()


def _store_at_0007_with_a_policy(path: Path, *, linked: bool) -> None:
    """A store from before the pay policy replicated: its own rules, maybe a link."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
    defaults = {
        c.name: c.default.arg
        for c in PayPolicy.__table__.c
        if c.default is not None and not callable(c.default.arg)
    }
    with engine.begin() as conn:
        conn.execute(Company.__table__.insert().values(id="c", name="Oldco", currency="EUR"))
        old = MetaData()
        old.reflect(conn, only=["pay_policy", "sync_cursor"])
        policy = old.tables["pay_policy"]
        conn.execute(
            policy.insert().values(
                {
                    **{k: v for k, v in defaults.items() if k in policy.c},
                    "id": "p",
                    "company_id": "c",
                    "daily_overtime_hours": Decimal(7),
                }
            )
        )
        if linked:
            conn.execute(
                old.tables["sync_cursor"]
                .insert()
                .values(id="k", server_url="https://sd.example", company_id="c", cursor="5")
            )
    engine.dispose()


@pytest.mark.parametrize("linked", [True, False])
def test_a_0007_stores_policy_is_queued_whole_where_the_store_syncs(
    tmp_path: Path, linked: bool
) -> None:
    """A store that syncs sends its own rules with its next push; one that never
    synced sends them when it joins a company."""
    path = tmp_path / "old.shiftdesk"
    _store_at_0007_with_a_policy(path, linked=linked)
    store = open_store(path)
    try:
        with store.session() as s:
            row = s.get(PayPolicy, "c")
            assert row is not None
            assert (row.daily_overtime_hours, row.server_version) == (7, None)
            entries = [(e.collection, e.record_id, e.op) for e in s.scalars(select(OutboxEntry))]
            if linked:
                assert row.dirty
                assert entries == [("paypolicies", "c", "update")]
            else:
                assert (row.dirty, entries) == (False, [])
    finally:
        store.close()
