"""Every command that creates a record prints its id as the last word of its output,
so a script takes it with ``awk '{print $NF}'``; warnings go to stderr, never into
that output. (``server create-key`` prints the key itself last: the one thing a
script cannot look up later.)"""

from __future__ import annotations

import shlex
from datetime import timedelta
from pathlib import Path

import pytest

from cli import main
from core.models import (
    AttendanceApproval,
    AttendanceCorrection,
    Department,
    LeaveRequest,
    Shift,
    ShiftTemplate,
    Site,
)
from core.store import Store, open_store
from server import admin, auth
from server.tables import ApiKey
from tests.conftest import MONDAY, Org

#: A shift of Anna's on Monday, which the next day's early shift is too close to.
MONDAY_SHIFT = "shifts add --employee {anna} --date {monday} --start 09:00 --end 17:00"

#: (what runs first, the command that creates, the model of its record, a warning it gives)
CASES = [
    ("", "departments add 'Front desk' --color '#336699'", Department, ""),
    ("", MONDAY_SHIFT + " --location 'Main hall'", Shift, ""),
    (
        MONDAY_SHIFT,
        "shifts add --employee {anna} --date {tuesday} --start 01:00 --end 05:00",
        Shift,
        "warning: Anna Berg would rest only 8 h",
    ),
    (
        "",
        "templates add --name 'Night watch' --start 06:00 --end 06:00"
        " --rrule FREQ=WEEKLY;BYDAY=MO --dtstart {monday}",
        ShiftTemplate,
        "warning: lasts 24 hours",
    ),
    (
        "",
        "leave request --employee {anna} --from {monday} --type paid --reason 'family visit'",
        LeaveRequest,
        "",
    ),
    (
        "",
        "attendance correct --employee {anna} --date {monday} --in 09:05"
        " --reason 'forgot to punch' --by 'Mia Kern'",
        AttendanceCorrection,
        "",
    ),
    (
        "",
        "attendance approve --employee {anna} --date {monday} --by 'Mia Kern'",
        AttendanceApproval,
        "",
    ),
]


@pytest.mark.parametrize(
    ("before", "command", "model", "warning"), CASES, ids=[c[1].split(" --")[0] for c in CASES]
)
def test_a_created_records_id_is_the_last_word_of_one_line(
    store: Store,
    org: Org,
    capsys: pytest.CaptureFixture[str],
    before: str,
    command: str,
    model: type,
    warning: str,
) -> None:
    def run(line: str) -> int:
        words = {"anna": org.anna, "monday": MONDAY, "tuesday": MONDAY + timedelta(days=1)}
        return main([*shlex.split(line.format(**words)), "--db", str(store.path)])

    if before:
        assert run(before) == 0
        capsys.readouterr()
    assert run(command) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    record_id = captured.out.split()[-1]
    with store.session() as s:
        record = s.get(model, record_id)
        assert record is not None
        assert not record.deleted
    if warning:
        assert warning in captured.err
        assert "warning" not in captured.out
    else:
        assert captured.err == ""


def test_setup_prints_the_new_sites_id_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.shiftdesk"
    argv = ["setup", "--db", str(path), "--company", "Harbour View", "--site", "Old Quay"]
    assert main([*argv, "--timezone", "Europe/Lisbon"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    store = open_store(path, create=False)
    try:
        with store.session() as s:
            site = s.get(Site, captured.out.split()[-1])
            assert site is not None
            assert (site.name, site.timezone) == ("Old Quay", "Europe/Lisbon")
    finally:
        store.close()


def test_server_create_company_prints_its_id_and_create_key_the_key_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "server.sqlite3")
    assert main(["server", "create-company", "Acme Ltd", "--db", db]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    company_id = out.split()[-1]
    argv = ["server", "create-key", "--company", company_id, "--scopes", "leave:read"]
    assert main([*argv, "--name", "payroll script", "--db", db]) == 0
    secret = capsys.readouterr().out.split()[-1]
    with admin.transaction(db) as session:
        principal = auth.authenticate(session, secret)
        assert principal is not None
        assert principal.company_id == company_id
        assert session.get(ApiKey, principal.key_id).name == "payroll script"
