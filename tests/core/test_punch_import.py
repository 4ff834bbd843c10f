from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.attendance import PunchImportError, import_punches_csv
from core.changes import Changes
from core.errors import ValidationError
from core.models import ClockEvent, Employee, OutboxEntry
from core.store import Store
from tests.conftest import Org
from tests.core.attendance_helpers import punch


@pytest.fixture
def coded(store: Store, org: Org) -> Org:
    with store.session() as s:
        s.get(Employee, org.anna).code = "E001"
        s.get(Employee, org.ben).code = "E002"
    return org


def _count(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(ClockEvent))


def _events(store: Store) -> list[tuple[str, datetime, str, str, str | None]]:
    with store.session() as s:
        rows = s.execute(
            select(
                ClockEvent.employee_id,
                ClockEvent.at_utc,
                ClockEvent.kind,
                ClockEvent.source,
                ClockEvent.device_id,
            ).order_by(ClockEvent.at_utc, ClockEvent.kind)
        )
        return [tuple(r) for r in rows]


def test_imports_by_code_or_id_with_offsets_and_local_times(store: Store, coded: Org) -> None:
    text = (
        "employee,timestamp,kind,device\n"
        "E001,2026-06-01T09:00,in,front-door\n"
        f"{coded.ben},2026-06-01T09:03:00+02:00,in,\n"
        "E001,2026-06-01T15:00:00Z,out,front-door\n"
    )
    with store.session() as s:
        assert import_punches_csv(s, text).imported == 3
    assert _events(store) == [
        (coded.anna, datetime(2026, 6, 1, 7, 0, tzinfo=UTC), "in", "import", "front-door"),
        (coded.ben, datetime(2026, 6, 1, 7, 3, tzinfo=UTC), "in", "import", None),
        (coded.anna, datetime(2026, 6, 1, 15, 0, tzinfo=UTC), "out", "import", "front-door"),
    ]
    with store.session() as s:
        queued = s.scalars(
            select(OutboxEntry.op).where(OutboxEntry.collection == "clockevents")
        ).all()
    assert queued == ["create"] * 3


def test_reads_a_file_with_a_byte_order_mark(store: Store, coded: Org, tmp_path: Path) -> None:
    path = tmp_path / "punches.csv"
    path.write_text("employee,timestamp,kind\nE001,2026-06-01T09:00,in\n", encoding="utf-8-sig")
    with store.session() as s:
        assert import_punches_csv(s, path).imported == 1


def test_every_bad_line_is_named_and_nothing_is_written(store: Store, coded: Org) -> None:
    text = (
        "employee,timestamp,kind\n"
        "E001,2026-06-01T09:00,in\n"
        "E999,2026-06-01T09:00,in\n"
        "E002,yesterday,in\n"
        "E002,2026-06-01T09:00,lunch\n"
        ",2026-06-01T09:00,in\n"
        "E001,2026-06-01T07:00:00+00:00,in\n"
    )
    with store.session() as s, pytest.raises(PunchImportError) as info:
        import_punches_csv(s, text)
    problems = [(p.line, p.field) for p in info.value.problems]
    assert problems == [
        (3, "employee"),
        (4, "timestamp"),
        (5, "kind"),
        (6, "employee"),
        (7, "timestamp"),
    ]
    assert "line 7: timestamp: repeats the punch on line 2" in str(info.value)
    assert "\n" not in str(info.value)
    assert _count(store) == 0


def test_a_punch_already_stored_is_refused_by_line(store: Store, coded: Org) -> None:
    punch(store, coded, coded.anna, "in", datetime(2026, 6, 1, 7, 0, tzinfo=UTC))
    text = "employee,timestamp,kind\nE001,2026-06-01T17:00,out\nE001,2026-06-01T09:00,in\n"
    with store.session() as s, pytest.raises(PunchImportError) as info:
        import_punches_csv(s, text)
    assert str(info.value) == "file: line 3: timestamp: this punch is stored already"
    assert _count(store) == 1


def test_skip_existing_leaves_stored_punches_out_and_counts_them(store: Store, coded: Org) -> None:
    punch(store, coded, coded.anna, "in", datetime(2026, 6, 1, 7, 0, tzinfo=UTC))
    text = "employee,timestamp,kind\nE001,2026-06-01T17:00,out\nE001,2026-06-01T09:00,in\n"
    with store.session() as s:
        result = import_punches_csv(s, text, skip_existing=True)
    assert (result.imported, result.skipped) == (1, 1)
    assert _count(store) == 2
    with store.session() as s:
        again = import_punches_csv(s, text, skip_existing=True)
    assert (again.imported, again.skipped) == (0, 2)
    assert _count(store) == 2


def test_skip_existing_still_refuses_a_file_with_a_bad_line(store: Store, coded: Org) -> None:
    punch(store, coded, coded.anna, "in", datetime(2026, 6, 1, 7, 0, tzinfo=UTC))
    text = "employee,timestamp,kind\nE001,2026-06-01T09:00,in\nE001,2026-06-01T17:00,lunch\n"
    with store.session() as s, pytest.raises(PunchImportError) as info:
        import_punches_csv(s, text, skip_existing=True)
    assert [(p.line, p.field) for p in info.value.problems] == [(3, "kind")]
    assert _count(store) == 1


def test_same_instant_with_another_kind_is_no_duplicate(store: Store, coded: Org) -> None:
    text = "employee,timestamp,kind\nE001,2026-06-01T14:00,out\nE001,2026-06-01T14:00,in\n"
    with store.session() as s:
        assert import_punches_csv(s, text).imported == 2


@pytest.mark.parametrize(
    ("stamp", "words"),
    [("2026-10-25T02:30", "happens twice"), ("2026-03-29T02:30", "does not exist")],
)
def test_local_times_a_dst_change_repeats_or_skips_need_an_offset(
    store: Store, coded: Org, stamp: str, words: str
) -> None:
    with store.session() as s, pytest.raises(PunchImportError) as info:
        import_punches_csv(s, f"employee,timestamp,kind\nE001,{stamp},in\n")
    assert words in str(info.value)
    assert "give an offset" in str(info.value)


def test_header_must_name_the_columns(store: Store, coded: Org) -> None:
    with store.session() as s, pytest.raises(PunchImportError) as info:
        import_punches_csv(s, "who,timestamp,kind\nE001,2026-06-01T09:00,in\n")
    assert str(info.value) == (
        "file: line 1: header: missing column(s) employee; line 1: header: unknown column(s) who"
    )


def test_a_row_with_extra_cells_is_refused(store: Store, coded: Org) -> None:
    with store.session() as s, pytest.raises(PunchImportError) as info:
        import_punches_csv(s, "employee,timestamp,kind\nE001,2026-06-01T09:00,in,door,x\n")
    assert [(p.line, p.field) for p in info.value.problems] == [(2, "row")]


def test_a_file_without_rows_is_refused(store: Store, coded: Org) -> None:
    with store.session() as s, pytest.raises(PunchImportError, match="has no punches"):
        import_punches_csv(s, "employee,timestamp,kind\n")


def test_a_missing_file_names_the_path(store: Store, coded: Org, tmp_path: Path) -> None:
    with store.session() as s, pytest.raises(ValidationError) as info:
        import_punches_csv(s, tmp_path / "nope.csv")
    assert info.value.field == "file"
    assert "nope.csv" in str(info.value)


def _live(store: Store) -> list[tuple[str, datetime, str, str | None]]:
    with store.session() as s:
        rows = s.execute(
            select(ClockEvent.employee_id, ClockEvent.at_utc, ClockEvent.kind, ClockEvent.device_id)
            .where(ClockEvent.deleted.is_(False))
            .order_by(ClockEvent.at_utc, ClockEvent.kind)
        )
        return [tuple(r) for r in rows]


TWO = "employee,timestamp,kind,device\nE001,2026-06-01T17:00,out,door\nE002,2026-06-01T09:00,in,\n"


def test_undo_takes_the_imported_punches_away_and_redo_brings_them_back(
    store: Store, coded: Org
) -> None:
    punch(store, coded, coded.anna, "in", datetime(2026, 6, 1, 7, 0, tzinfo=UTC))
    with store.session() as s:
        result = import_punches_csv(s, TWO)
    assert result.result.changed == Changes.PUNCHES
    assert len(result.result.ids) == 2
    with store.session() as s:
        redo = result.result.undo(s)
    assert _live(store) == [(coded.anna, datetime(2026, 6, 1, 7, 0, tzinfo=UTC), "in", None)]
    with store.session() as s:
        redo.undo(s)
    assert len(_live(store)) == 3


def test_punches_an_undo_took_back_come_back_when_imported_again(store: Store, coded: Org) -> None:
    with store.session() as s:
        first = import_punches_csv(s, TWO)
    with store.session() as s:
        first.result.undo(s)
    with store.session() as s:
        again = import_punches_csv(s, TWO.replace(",door", ",gate"))
    assert (again.imported, again.skipped) == (2, 0)
    assert _count(store) == 2  # the same two records, no twins
    assert [(kind, device) for _, _, kind, device in _live(store)] == [
        ("in", None),
        ("out", "gate"),
    ]
    with store.session() as s:
        again.result.undo(s)
    assert _live(store) == []


def test_an_import_of_punches_all_stored_already_has_no_undo(store: Store, coded: Org) -> None:
    with store.session() as s:
        import_punches_csv(s, TWO)
    with store.session() as s:
        again = import_punches_csv(s, TWO, skip_existing=True)
    assert (again.imported, again.skipped, again.result.applied) == (0, 2, False)
