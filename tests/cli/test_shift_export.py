from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from cli import main
from core.models import Employee
from core.scheduling import ShiftDraft, create_shift, publish_shifts
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.pdf_structure import page_count, page_size

SUNDAY = MONDAY + timedelta(days=6)


def _export(store: Store, out: Path, *args: str) -> int:
    return main(
        [
            "shifts",
            "export",
            "--from",
            str(MONDAY),
            "--to",
            str(SUNDAY),
            "--out",
            str(out),
            *args,
            "--db",
            str(store.path),
        ]
    )


def _shift(store: Store, org: Org, who: str, day: date, *, publish: bool = True) -> str:
    with store.session() as s:
        dept = s.get(Employee, who).department_id
        result = create_shift(
            s,
            ShiftDraft(org.site_id, day, "22:00", "06:00", employee_ids=(who,), department_id=dept),
        )
        if publish:
            publish_shifts(s, list(result.ids))
    return result.ids[0]


def test_ics_for_one_person_holds_their_published_shifts_at_true_instants(
    store: Store, org: Org, tmp_path: Path, capsys
) -> None:
    with store.session() as s:
        s.get(Employee, org.anna).code = "K1"
    mine = _shift(store, org, org.anna, MONDAY)
    _shift(store, org, org.anna, MONDAY + timedelta(days=1), publish=False)
    _shift(store, org, org.ben, MONDAY)
    out = tmp_path / "anna.ics"
    assert _export(store, out, "--employee", "K1") == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"shifts {MONDAY} to {SUNDAY}: 1 shift", str(out)]
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [mine]
    start = events[0].decoded("dtstart")
    assert start.astimezone(UTC) == datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 22:00 CEST
    assert events[0].decoded("dtend") - start == timedelta(hours=8)


def test_repeated_options_and_drafts_widen_the_export(
    store: Store, org: Org, tmp_path: Path
) -> None:
    ids = {
        _shift(store, org, org.anna, MONDAY),
        _shift(store, org, org.cara, MONDAY),
        _shift(store, org, org.dan, MONDAY + timedelta(days=2), publish=False),
    }
    out = tmp_path / "two.ics"
    assert _export(store, out, "--employee", org.anna, "--department", "Floor", "--drafts") == 0
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert {str(e["uid"]) for e in events} == ids


def test_pdf_has_a_landscape_page_per_department_or_one_combined(
    store: Store, org: Org, tmp_path: Path
) -> None:
    _shift(store, org, org.anna, MONDAY)
    _shift(store, org, org.cara, MONDAY)
    apart, together = tmp_path / "apart.pdf", tmp_path / "together.pdf"
    assert _export(store, apart) == 0
    assert _export(store, together, "--combined") == 0
    assert page_count(apart.read_bytes()) == 2
    assert page_count(together.read_bytes()) == 1
    width, height = page_size(apart.read_bytes())
    assert width > height


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--out", "week.txt"), "week.txt: the file must end in .pdf or .ics"),
        (("--employee", "nobody"), "no employee with id nobody"),
        (("--department", "Bakery"), "Bakery"),
        (("--to", "2026-05-01"), "is before --from"),
        (("--from", "1 June"), "'1 June' is not a date"),
    ],
    ids=["suffix", "employee", "department", "backwards", "date"],
)
def test_bad_input_is_one_sentence_and_exit_1_and_writes_nothing(
    store: Store, org: Org, tmp_path: Path, capsys, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "week.ics"
    argv = ["shifts", "export", "--from", str(MONDAY), "--to", str(SUNDAY), "--out", str(out)]
    for option, value in zip(args[::2], args[1::2], strict=True):
        if option in argv:
            argv[argv.index(option) + 1] = str(tmp_path / value) if option == "--out" else value
        else:
            argv += [option, value]
    assert main([*argv, "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert list(tmp_path.glob("week.*")) == []


def test_out_is_required(store: Store, org: Org, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["shifts", "export", "--from", str(MONDAY), "--to", str(SUNDAY)])
    assert exit_.value.code == 2
    assert "--out" in capsys.readouterr().err
