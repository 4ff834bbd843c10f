"""``shiftdesk sync`` against a real server on loopback: connect, run, and settle
what waits, with the exit codes and outputs the README promises."""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from sqlalchemy import select

from cli import main
from core.employees import EmployeeDraft, add_employee
from core.models import Employee, OutboxEntry, OutboxState, Shift
from core.models.sync import PullCursor, SyncRun
from core.organisation import Setup, resolve_site, setup_store
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import open_store
from core.wire import COLLECTIONS
from sync.credentials import key_file, load_key
from tests.conftest import MONDAY
from tests.server.conftest import Tenant
from tests.sync.conftest import server_records


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def key_path(tmp_path: Path, tenant: Tenant) -> Path:
    path = tmp_path / "key.txt"
    path.write_text(tenant.key + "\n")
    return path


def _set_up(path: Path, migrated_file: Path, tenant: Tenant, *, shift: bool = True) -> str:
    """A store of the tenant's company (as if it had joined) with a person and a shift."""
    shutil.copyfile(migrated_file, path)
    store = open_store(path)
    try:
        with store.session() as s:
            setup_store(
                s,
                Setup("Testco", "Main", "Europe/Berlin"),
                company_id=tenant.company_id,
                site_id=tenant.site_id,
            )
        with store.session() as s:
            anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
            if not shift:
                return anna
            return create_shift(
                s, ShiftDraft(resolve_site(s).id, MONDAY, "09:00", "17:00", employee_ids=(anna,))
            ).ids[0]
    finally:
        store.close()


def _connected(capsys, path: Path, migrated_file: Path, tenant: Tenant, key_path: Path) -> str:
    """:func:`_set_up`, then ``sync connect`` with the key file; the shift's id."""
    shift_id = _set_up(path, migrated_file, tenant)
    code, _out, err = _run(
        capsys, "sync", "connect", "--db", str(path), "--server", tenant.live.url,
        "--key-file", str(key_path),
    )  # fmt: skip
    assert code == 0, err
    return shift_id


def _two_sites(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> tuple[Path, Path, str]:
    """Quay connected and synced with a person and a shift; Hill a copy downloaded."""
    quay, hill = tmp_path / "quay.shiftdesk", tmp_path / "hill.shiftdesk"
    shift_id = _connected(capsys, quay, migrated_file, tenant, key_path)
    assert _run(capsys, "sync", "--db", str(quay))[0] == 0
    assert _run(capsys, "sync", "connect", "--db", str(hill), "--server", tenant.live.url)[0] == 0
    return quay, hill, shift_id


def test_connect_keeps_the_key_out_of_the_store_and_prints_the_company_last(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> None:
    db = tmp_path / "quay.shiftdesk"
    _set_up(db, migrated_file, tenant)
    code, out, _ = _run(
        capsys, "sync", "connect", "--db", str(db), "--server", tenant.live.url,
        "--key-file", str(key_path),
    )  # fmt: skip
    assert code == 0
    assert out.split()[-1] == tenant.company_id
    assert "file" in out  # no keyring backend in tests: the 0600 file
    assert stat.S_IMODE(os.stat(key_file()).st_mode) == 0o600
    assert load_key(tenant.live.url) == tenant.key
    assert tenant.key.encode() not in db.read_bytes()

    code, out, _ = _run(capsys, "sync", "--db", str(db), "--json")
    assert code == 0
    counts = json.loads(out)
    assert {"pushed", "pulled", "merged", "conflicts", "failed", "pending"} <= set(counts)
    assert counts["pushed"] == 3  # the store's pay policy, the person, then the shift
    assert counts["pending"] == 0

    code, out, _ = _run(capsys, "sync", "status", "--db", str(db), "--json")
    status = json.loads(out)
    assert (status["server"], status["company"]) == (tenant.live.url, tenant.company_id)
    assert status["pending"] == 0
    assert status["lastRun"]["outcome"] == "ok"
    code, out, _ = _run(capsys, "sync", "log", "--db", str(db), "--json")
    assert [r["pushed"] for r in json.loads(out)["runs"]] == [3]


def test_a_new_store_is_filled_from_the_company_and_a_full_one_is_refused(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> None:
    first = tmp_path / "first.shiftdesk"
    shift_id = _connected(capsys, first, migrated_file, tenant, key_path)
    url = tenant.live.url
    assert _run(capsys, "sync", "--db", str(first))[0] == 0

    copy = tmp_path / "head-office.shiftdesk"
    code, out, _ = _run(capsys, "sync", "connect", "--db", str(copy), "--server", url)
    assert code == 0, out
    assert "pulled 3" in out  # the pay policy, the person and the shift
    code, out, _ = _run(
        capsys, "shifts", "list", "--db", str(copy), "--from", str(MONDAY), "--to", str(MONDAY),
        "--json",
    )  # fmt: skip
    assert [s["id"] for s in json.loads(out)["shifts"]] == [shift_id]

    other = tmp_path / "other.shiftdesk"
    _set_up(other, migrated_file, tenant)
    before = other.read_bytes()
    code, _, err = _run(capsys, "sync", "connect", "--db", str(other), "--server", url)
    assert code == 1
    assert "cannot be merged" in err
    # the server runs in this process: its JSON log lines share stderr
    assert len([line for line in err.splitlines() if not line.startswith("{")]) == 1
    assert other.read_bytes() == before


def test_a_server_that_does_not_answer_fails_the_run_and_keeps_the_outbox(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> None:
    db = tmp_path / "quay.shiftdesk"
    _connected(capsys, db, migrated_file, tenant, key_path)
    store = open_store(db)
    with store.session() as s:  # point the link at a port nobody listens on
        s.scalars(select(PullCursor)).one().server_url = "http://127.0.0.1:9"
        before = [(e.seq, e.key, e.state) for e in s.scalars(select(OutboxEntry))]
    store.close()
    os.environ["SHIFTDESK_API_KEY"] = tenant.key
    try:
        code, _out, err = _run(capsys, "sync", "--db", str(db))
    finally:
        del os.environ["SHIFTDESK_API_KEY"]
    assert code == 1
    assert "could not be reached" in err
    assert "nothing was lost" in err
    store = open_store(db)
    with store.session() as s:
        after = [(e.seq, e.key, e.state) for e in s.scalars(select(OutboxEntry))]
    store.close()
    assert after == before
    assert len(after) == 3  # the pay policy, the person and the shift


def test_an_unconnected_store_and_a_missing_choice_say_so(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant
) -> None:
    db = tmp_path / "quay.shiftdesk"
    _set_up(db, migrated_file, tenant)
    code, _, err = _run(capsys, "sync", "--db", str(db))
    assert code == 1
    assert "not connected" in err
    code, out, _ = _run(capsys, "sync", "status", "--db", str(db))
    assert out.startswith("not connected · 2 change(s) not yet sent")
    code, _, err = _run(capsys, "sync", "resolve", "abc", "--db", str(db))
    assert code == 2


def test_a_conflict_is_listed_and_resolved_from_the_command_line(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> None:
    quay, hill, shift_id = _two_sites(capsys, tmp_path, migrated_file, tenant, key_path)
    for path, where in ((quay, "Pass"), (hill, "Bar")):
        store = open_store(path)
        with store.session() as s:
            edit_shift(s, shift_id, location=where)
        store.close()
    assert _run(capsys, "sync", "--db", str(quay))[0] == 0
    code, out, _ = _run(capsys, "sync", "--db", str(hill), "--json")
    assert code == 0  # a conflict waiting is a completed run
    assert json.loads(out)["conflicts"] == 1

    code, out, _ = _run(capsys, "sync", "conflicts", "--db", str(hill), "--json")
    (conflict,) = json.loads(out)["conflicts"]
    assert conflict["recordId"] == shift_id
    assert conflict["fields"] == [{"name": "location", "base": "", "mine": "Bar", "theirs": "Pass"}]
    code, _, err = _run(
        capsys, "sync", "resolve", conflict["id"], "--field", "notes=mine", "--db", str(hill)
    )
    assert code == 1
    assert "location" in err
    code, out, _ = _run(
        capsys, "sync", "resolve", conflict["id"], "--field", "location=mine", "--db", str(hill)
    )
    assert code == 0
    assert out.split()[-1] == shift_id
    assert _run(capsys, "sync", "--db", str(hill))[0] == 0
    assert _run(capsys, "sync", "--db", str(quay))[0] == 0
    for path in (quay, hill):
        store = open_store(path)
        with store.session() as s:
            assert s.get(Shift, shift_id).location == "Bar"
            assert not s.scalars(select(OutboxEntry)).all()
        store.close()
    code, out, _ = _run(capsys, "sync", "conflicts", "--db", str(hill))
    assert out.strip() == "no conflicts"


def test_a_refused_operation_is_listed_replayed_and_discarded(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> None:
    quay, hill, _ = _two_sites(capsys, tmp_path, migrated_file, tenant, key_path)
    tuesday = MONDAY + timedelta(days=1)
    made = {}
    for path, start in ((quay, "09:00"), (hill, "12:00")):  # the same person, overlapping
        store = open_store(path)
        with store.session() as s:
            anna = s.scalars(select(Employee.id)).one()
            made[path] = create_shift(
                s, ShiftDraft(resolve_site(s).id, tuesday, start, "17:00", employee_ids=(anna,))
            ).ids[0]
        store.close()
    assert _run(capsys, "sync", "--db", str(quay))[0] == 0
    code, out, _ = _run(capsys, "sync", "--db", str(hill), "--json")
    assert code == 0
    assert json.loads(out)["failed"] == 1
    code, out, _ = _run(capsys, "sync", "failed", "--db", str(hill), "--json")
    (failed,) = json.loads(out)["failed"]
    assert failed["recordId"] == made[hill]
    assert "overlap" in failed["reason"].lower() or "409" in failed["reason"]

    code, out, _ = _run(capsys, "sync", "replay", str(failed["id"]), "--db", str(hill))
    assert code == 0
    code, out, _ = _run(capsys, "sync", "--db", str(hill), "--json")
    assert json.loads(out)["failed"] == 1  # still refused: nothing changed the clash
    code, out, _ = _run(capsys, "sync", "failed", "--db", str(hill), "--json")
    (again,) = json.loads(out)["failed"]
    code, out, _ = _run(capsys, "sync", "discard", str(again["id"]), "--db", str(hill))
    assert code == 0
    store = open_store(hill)
    with store.session() as s:  # the server never had it: gone from here too
        assert s.get(Shift, made[hill]).deleted
        assert (
            s.scalars(select(OutboxEntry).where(OutboxEntry.state == OutboxState.FAILED)).all()
            == []
        )
    store.close()


def test_one_sync_of_a_store_at_a_time_and_a_killed_run_is_said_to_have_stopped(
    capsys, tmp_path: Path, migrated_file: Path, tenant: Tenant, key_path: Path
) -> None:
    db = tmp_path / "quay.shiftdesk"
    _connected(capsys, db, migrated_file, tenant, key_path)
    store = open_store(db)
    with store.session() as s:  # a run whose process was killed mid-way
        s.add(SyncRun())
    store.close()
    with FileLock(f"{db}.sync-lock"):  # another process syncing now
        code, _, err = _run(capsys, "sync", "--db", str(db))
    assert code == 1
    assert "another sync of this store is running" in err
    assert _run(capsys, "sync", "--db", str(db))[0] == 0
    code, out, _ = _run(capsys, "sync", "log", "--db", str(db), "--json")
    runs = json.loads(out)["runs"]
    assert [r["outcome"] for r in runs] == ["ok", "failed"]
    assert "stopped before it finished" in runs[1]["message"]


def test_connect_with_an_empty_key_file_says_so_in_one_line(
    capsys, tmp_path: Path, tenant: Tenant
) -> None:
    empty = tmp_path / "key.txt"
    empty.write_text("\n", encoding="utf-8")
    code, _out, err = _run(
        capsys, "sync", "connect", "--db", str(tmp_path / "office.shiftdesk"),
        "--server", tenant.live.url, "--key-file", str(empty),
    )  # fmt: skip
    assert code != 0
    assert err.strip() == f"shiftdesk: --key-file: {empty} holds no key"
    assert not (tmp_path / "office.shiftdesk").exists()


def test_a_demo_store_joins_an_empty_company_and_its_first_sync_uploads_it_all(
    capsys, tmp_path: Path, tenant: Tenant, key_path: Path
) -> None:
    """The demo queues nothing (it is nobody's offline work); joining queues it all,
    and the server takes every record: leave decided before joining goes as asked,
    then decided, so the server's copy has the same decisions, links and flags."""
    db = tmp_path / "demo.shiftdesk"
    assert _run(capsys, "demo", "--db", str(db), "--employees", "20", "--weeks", "2")[0] == 0
    before = _records(db)
    assert {s for s, _ in before["leaverequests"].values()} >= {"approved", "rejected"}
    assert before["leaveshiftlinks"]  # an approval kept someone on a shift
    code, out, err = _run(
        capsys, "sync", "connect", "--db", str(db), "--server", tenant.live.url,
        "--key-file", str(key_path),
    )  # fmt: skip
    assert code == 0, err
    assert "are queued: the first sync uploads them" in out

    code, out, err = _run(capsys, "sync", "--db", str(db), "--json")
    assert code == 0, err
    counts = json.loads(out)
    assert (counts["failed"], counts["pending"], counts["conflicts"]) == (0, 0, 0), out
    code, out, _ = _run(capsys, "sync", "failed", "--db", str(db), "--json")
    assert json.loads(out)["failed"] == []

    after = _records(db)
    for name, rows in after.items():
        on_server = {i: r for i, r in server_records(tenant, name).items() if r is not None}
        assert set(on_server) == set(rows), name
        assert len(rows) == len(before[name]), name  # the pay policy's id is the company's
    assert {i: s for i, (s, _) in after["leaverequests"].items()} == {
        i: s for i, (s, _) in before["leaverequests"].items()
    }
    server_leave = server_records(tenant, "leaverequests")
    assert {i: r["status"] for i, r in server_leave.items() if r} == {
        i: s for i, (s, _) in before["leaverequests"].items()
    }
    flagged = {i for i, (_, flag) in before["shifts"].items() if flag}
    assert {i for i, r in server_records(tenant, "shifts").items() if r and r["flag"]} == flagged


def _records(path: Path) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Each collection's live records in the store: id -> (status, flag) where the
    record has them."""
    store = open_store(path)
    try:
        with store.session() as s:
            return {
                name: {
                    row.id: (getattr(row, "status", None), getattr(row, "flag", None))
                    for row in s.scalars(select(spec.model).where(spec.model.deleted.is_(False)))
                }
                for name, spec in COLLECTIONS.items()
            }
    finally:
        store.close()
