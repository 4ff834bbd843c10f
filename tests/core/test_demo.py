from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from core.conflicts import load_index
from core.demo import build_demo
from core.leave import OPEN_STATUSES, overlapping_request
from core.models import ClockEvent, Employee, LeaveRequest, OutboxEntry, Shift, ShiftTemplate
from core.store import Store, open_store

START = date(2026, 1, 5)


def _fingerprint(store: Store) -> list[tuple]:
    with store.session() as s:
        people = {e.id: e.code for e in s.scalars(select(Employee))}
        return sorted(
            (s.shift_date, s.start_time, s.end_time, tuple(people[e] for e in s.employee_ids))
            for s in s.scalars(select(Shift))
        )


def test_same_seed_same_company(tmp_path: Path) -> None:
    a, b = open_store(tmp_path / "a.shiftdesk"), open_store(tmp_path / "b.shiftdesk")
    build_demo(a, employees=12, weeks=2, seed=7, start=START)
    build_demo(b, employees=12, weeks=2, seed=7, start=START)
    assert _fingerprint(a) == _fingerprint(b)
    a.close()
    b.close()


def test_demo_has_something_for_every_view(tmp_path: Path) -> None:
    store = open_store(tmp_path / "demo.shiftdesk")
    build_demo(store, employees=20, weeks=3, seed=1, start=START)
    with store.session() as s:
        count = lambda model: s.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Employee) == 20
        assert count(ShiftTemplate) >= 5
        assert count(Shift) > 20 * 3 * 3
        assert count(ClockEvent) > 100  # the rota started in the past
        assert {leave.status for leave in s.scalars(select(LeaveRequest))} >= {
            "approved",
            "pending",
            "rejected",
        }
        assert count(OutboxEntry) == 0
        shifts = s.scalars(select(Shift)).all()
        emp_ids = {e for sh in shifts for e in sh.employee_ids}
        index = load_index(
            s, emp_ids, min(x.start_utc for x in shifts), max(x.end_utc for x in shifts)
        )
        clashing = [
            sh
            for sh in shifts
            if index.check(
                sh.employee_ids, sh.start_utc, sh.end_utc, sh.shift_date, frozenset({sh.id})
            ).conflicts
        ]
    store.close()
    assert clashing, "the demo leaves a few conflicts for the supervisor to find"


def test_demo_never_writes_two_overlapping_open_requests_for_one_person(tmp_path: Path) -> None:
    store = open_store(tmp_path / "demo.shiftdesk")
    # 70 people: the demo's request pattern comes back to the same people.
    build_demo(store, employees=70, weeks=1, seed=3, start=START)
    with store.session() as s:
        requests = list(s.scalars(select(LeaveRequest)))
        people = [r.employee_id for r in requests if r.status in OPEN_STATUSES]
        assert len(people) > len(set(people))  # someone holds several open requests
        clashes = [
            r
            for r in requests
            if r.status in OPEN_STATUSES and overlapping_request(s, r, "Europe/Berlin") is not None
        ]
    store.close()
    assert clashes == []
