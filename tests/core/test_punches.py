"""Recording one punch: checked, append-only, a duplicate refused by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.changes import Changes
from core.employees import deactivate_employee
from core.errors import Duplicate, ValidationError
from core.models import ClockEvent, OutboxEntry
from core.punches import record_punch
from core.store import Store
from tests.conftest import Org

AT = datetime(2026, 6, 1, 8, 2, tzinfo=timezone(timedelta(hours=2)))  # 06:02 UTC


def _punches(store: Store) -> list[tuple]:
    with store.session() as s:
        return [
            (e.employee_id, e.kind, e.at_utc, e.source, e.device_id)
            for e in s.scalars(
                select(ClockEvent).where(ClockEvent.deleted.is_(False)).order_by(ClockEvent.at_utc)
            )
        ]


def test_a_punch_is_stored_in_utc_and_queued_for_sync(store: Store, org: Org) -> None:
    with store.session() as s:
        result = record_punch(s, employee_id=org.anna, kind="in", at=AT, device_id=" door-1 ")
    assert result.changed == Changes.PUNCHES
    assert _punches(store) == [
        (org.anna, "in", datetime(2026, 6, 1, 6, 2, tzinfo=UTC), "manual", "door-1")
    ]
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == result.ids[0])).one()
        assert (entry.collection, entry.op) == ("clockevents", "create")


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"kind": "lunch"}, "kind", "'lunch' is not one of in, out, break_start, break_end"),
        ({"source": "phone"}, "source", "'phone' is not one of manual, lock, import"),
        ({"at": datetime(2026, 6, 1, 8)}, "at", "needs a date, a time and a time zone"),
        ({"employee_id": "nobody"}, "employee", "no employee with id nobody"),
        ({"device_id": "d" * 101}, "device", "is longer than 100 characters"),
    ],
)
def test_a_bad_punch_names_its_field_and_writes_nothing(
    store: Store, org: Org, fields: dict, field: str, problem: str
) -> None:
    values = {"employee_id": org.anna, "kind": "in", "at": AT, **fields}
    with store.session() as s, pytest.raises(ValidationError) as info:
        record_punch(s, **values)
    assert info.value.field == field
    assert info.value.problem.startswith(problem)
    assert _punches(store) == []


def test_an_inactive_person_cannot_punch(store: Store, org: Org) -> None:
    with store.session() as s:
        deactivate_employee(s, org.dan)
    with store.session() as s, pytest.raises(ValidationError) as info:
        record_punch(s, employee_id=org.dan, kind="in", at=AT)
    assert info.value.field == "employee"
    assert "Dan Evans is inactive" in info.value.problem


def test_the_same_punch_twice_is_a_duplicate_named_in_local_time(store: Store, org: Org) -> None:
    with store.session() as s:
        record_punch(s, employee_id=org.anna, kind="in", at=AT)
        record_punch(s, employee_id=org.anna, kind="out", at=AT)  # another kind is another punch
    with store.session() as s, pytest.raises(Duplicate) as info:
        record_punch(s, employee_id=org.anna, kind="in", at=AT.astimezone(UTC), source="lock")
    assert (info.value.field, info.value.problem) == (
        "at",
        "Anna Berg has a clock-in at Mon 01 Jun 2026 08:02:00 already",
    )
    assert len(_punches(store)) == 2


def test_undo_removes_a_punch_and_recording_it_again_brings_it_back(store: Store, org: Org) -> None:
    with store.session() as s:
        first = record_punch(s, employee_id=org.anna, kind="in", at=AT)
    with store.session() as s:
        first.undo(s)
    assert _punches(store) == []
    with store.session() as s:
        again = record_punch(s, employee_id=org.anna, kind="in", at=AT, source="lock")
        assert again.ids == first.ids
        assert s.scalar(select(func.count()).select_from(ClockEvent)) == 1
    assert [p[3] for p in _punches(store)] == ["lock"]
    with store.session() as s:
        again.undo(s)
    assert _punches(store) == []
