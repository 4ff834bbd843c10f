"""Random operations, undos, redos and pulls against a real store, checked against a
model of what an undo must do.

Each operation's effect is read from the store itself: the content of every row
(bookkeeping columns left out, a shift's people and departments as two fields)
before and after, compared. An undo then must either put back exactly those fields
of those rows, where each still holds what the operation left, and nothing else; or,
where one does not (a "remote" change, written as a pull writes, came between),
refuse and change nothing. A redo is the undo of the undo, held to the same rule.
Without remote changes, undoing everything gives back the store as it started.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from core import scheduling
from core.attendance import approve_days, correct_day, import_punches_csv
from core.employees import import_employees_csv
from core.errors import ShiftDeskError
from core.models import (
    AttendanceApproval,
    AttendanceCorrection,
    ClockEvent,
    Company,
    Department,
    Employee,
    LeaveRequest,
    PayPolicy,
    Shift,
    ShiftTemplate,
    Site,
)
from core.organisation import add_department
from core.outbox import APPLYING_REMOTE
from core.results import OpResult
from core.scheduling import (
    ShiftDraft,
    copy_shift,
    copy_week,
    create_shift,
    delete_shifts,
    edit_shift,
    move_shift,
    publish_range,
)
from core.store import Store, open_store
from core.templates import TemplateDraft, apply_template, create_template
from core.undo import ABSENT, BOOKKEEPING, UndoRefused
from tests.conftest import MONDAY, Org

MODELS = (
    Company,
    Site,
    PayPolicy,
    Department,
    Employee,
    ShiftTemplate,
    Shift,
    LeaveRequest,
    ClockEvent,
    AttendanceCorrection,
    AttendanceApproval,
)
TIMES = [("06:00", "14:00"), ("09:00", "17:00"), ("14:00", "22:00"), ("22:00", "06:00")]
DAYS = st.integers(min_value=0, max_value=13)
#: The fields a "remote" change may change, by model.
PULLED: dict[type, list[str]] = {
    Shift: ["location", "notes", "published", "deleted", "employee_ids"],
    ShiftTemplate: ["location", "name"],
    Department: ["color", "name"],
    AttendanceCorrection: ["reason"],
    AttendanceApproval: ["approved_by"],
}

Key = tuple[str, str]  # (table, id)
Snapshot = dict[Key, dict[str, Any]]
Touched = dict[tuple[Key, str], tuple[Any, Any]]


def snapshot(store: Store) -> Snapshot:
    """Every row's content, as the undo recorder sees a row; values as SQLite stores
    them (the model only ever compares them with each other)."""
    found: Snapshot = {}
    with store.engine.connect() as conn:
        for model in MODELS:
            names = [a.key for a in inspect(model).column_attrs if a.key not in BOOKKEEPING]
            table = model.__tablename__
            for row in conn.exec_driver_sql(f"SELECT id, {', '.join(names)} FROM {table}"):
                found[(table, row[0])] = dict(zip(names, row[1:], strict=True))
        for name, table, column in (
            ("employee_ids", "shift_employee", "employee_id"),
            ("department_ids", "shift_department", "department_id"),
        ):
            lists: dict[str, list[str]] = {}
            for shift_id, value in conn.exec_driver_sql(f"SELECT shift_id, {column} FROM {table}"):
                lists.setdefault(shift_id, []).append(value)
            for (kind, rid), fields in found.items():
                if kind == "shift":
                    fields[name] = tuple(sorted(lists.get(rid, ())))
    return found


def diff(before: Snapshot, after: Snapshot) -> Touched:
    """The fields that differ, with their value before and after (ABSENT: no row)."""
    touched: Touched = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, {}), after.get(key, {})
        for name in old.keys() | new.keys():
            was, now = old.get(name, ABSENT), new.get(name, ABSENT)
            if was is ABSENT or now is ABSENT or was != now:
                touched[(key, name)] = (was, now)
    return touched


def live(state: Snapshot) -> Snapshot:
    """Rows that are not (soft-)deleted: a deleted row counts as no row."""
    return {k: v for k, v in state.items() if not v.get("deleted", False)}


class Entry:
    """An applied result on a stack, with what it changed in the store."""

    def __init__(self, name: str, result: OpResult, touched: Touched) -> None:
        self.name, self.result, self.touched = name, result, touched


class UndoMachine(RuleBasedStateMachine):
    migrated: Path

    def __init__(self) -> None:
        super().__init__()
        # Ids from a counter, not at random: rules pick records among the store's, and
        # hypothesis replays an example only if the same draws pick the same records.
        made = itertools.count(1)
        self._patched = (uuid.uuid4, scheduling.new_ids)
        uuid.uuid4 = lambda: uuid.UUID(int=next(made), version=4)  # type: ignore[assignment]
        scheduling.new_ids = lambda n: [str(uuid.uuid4()) for _ in range(n)]  # type: ignore[assignment]
        self.folder = Path(tempfile.mkdtemp(prefix="undo-machine-"))
        shutil.copyfile(self.migrated, self.folder / "store.shiftdesk")
        self.store = open_store(self.folder / "store.shiftdesk")
        self.org = Org(self.store)
        self.people = (self.org.anna, self.org.ben, self.org.cara, self.org.dan)
        self.start = self.state = snapshot(self.store)
        self.undos: list[Entry] = []
        self.redos: list[Entry] = []
        self.remote_changes = 0
        self.refusals = 0
        self.counter = itertools.count(1)

    def teardown(self) -> None:
        uuid.uuid4, scheduling.new_ids = self._patched  # type: ignore[assignment]
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- running operations ---------------------------------------------------------

    def run(self, name: str, operation: Callable[[Session], Any]) -> None:
        """Run one operation in its own session, as the desktop does; an applied one
        goes on the undo stack (and clears the redo stack), anything else must have
        written nothing."""
        before = self.state
        try:
            with self.store.session() as s:
                result = operation(s)
        except ShiftDeskError:
            assert snapshot(self.store) == before, f"{name} failed but wrote"
            return
        # A punch import hands back its counts, with the operation in ``result``.
        applied = result if isinstance(result, OpResult) else result.result
        after = self.state = snapshot(self.store)
        if not applied.applied:
            assert after == before, f"{name} did not apply but wrote"
            return
        self.undos.append(Entry(name, applied, diff(before, after)))
        self.redos.clear()

    def live_ids(self, model: type) -> list[str]:
        with self.store.session() as s:
            query = select(model.id).where(model.deleted.is_(False)).order_by(model.id)
            return list(s.scalars(query))

    def pick(self, data: st.DataObject, model: type) -> str | None:
        ids = self.live_ids(model)
        return data.draw(st.sampled_from(ids)) if ids else None

    @rule(
        who=st.lists(st.integers(0, 3), min_size=1, max_size=2, unique=True),
        day=DAYS,
        times=st.sampled_from(TIMES),
        team=st.booleans(),
    )
    def create(self, who: list[int], day: int, times: tuple[str, str], team: bool) -> None:
        draft = ShiftDraft(
            self.org.site_id,
            MONDAY + timedelta(days=day),
            *times,
            employee_ids=tuple(self.people[n] for n in who),
            department_ids=(self.org.kitchen_id,) if team else (),
        )
        self.run("create", lambda s: create_shift(s, draft))

    @rule(data=st.data(), what=st.sampled_from(["location", "notes", "times", "people"]))
    def edit(self, data: st.DataObject, what: str) -> None:
        sid = self.pick(data, Shift)
        if sid is None:
            return
        if what == "times":
            start, end = data.draw(st.sampled_from(TIMES))
            changes: dict[str, Any] = {"start_time": start, "end_time": end}
        elif what == "people":
            who = data.draw(st.lists(st.sampled_from(self.people), max_size=2, unique=True))
            changes = {"employee_ids": tuple(who)}
        else:
            changes = {what: f"{what} {next(self.counter)}"}
        self.run("edit", lambda s: edit_shift(s, sid, **changes))

    @rule(data=st.data(), day=DAYS, who=st.one_of(st.none(), st.integers(0, 3)))
    def move(self, data: st.DataObject, day: int, who: int | None) -> None:
        sid = self.pick(data, Shift)
        if sid is None:
            return
        person = None if who is None else self.people[who]
        self.run(
            "move",
            lambda s: move_shift(s, sid, day=MONDAY + timedelta(days=day), employee_id=person),
        )

    @rule(data=st.data(), day=DAYS)
    def copy(self, data: st.DataObject, day: int) -> None:
        sid = self.pick(data, Shift)
        if sid is not None:
            self.run("copy", lambda s: copy_shift(s, sid, day=MONDAY + timedelta(days=day)))

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        ids = self.live_ids(Shift)
        if ids:
            chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))
            self.run("delete", lambda s: delete_shifts(s, chosen))

    @rule(first=DAYS, length=st.integers(0, 13))
    def publish(self, first: int, length: int) -> None:
        start = MONDAY + timedelta(days=first)
        self.run("publish", lambda s: publish_range(s, start, start + timedelta(days=length)))

    @rule(weeks=st.sampled_from([(0, 1), (1, 0), (0, 2), (1, 2)]))
    def copy_week(self, weeks: tuple[int, int]) -> None:
        source, target = (MONDAY + timedelta(weeks=w) for w in weeks)
        self.run("copy week", lambda s: copy_week(s, source, target))

    @rule(
        times=st.sampled_from(TIMES),
        who=st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
        team=st.booleans(),
        weeks=st.integers(1, 2),
    )
    def apply_template(
        self, times: tuple[str, str], who: list[int], team: bool, weeks: int
    ) -> None:
        """A new template (its own undo step), then applying it (a bulk write)."""
        name = f"Template {next(self.counter)}"
        draft = TemplateDraft(self.org.site_id, name, *times, "FREQ=WEEKLY;BYDAY=MO,WE,SA", MONDAY)
        self.run("create template", lambda s: create_template(s, draft))
        with self.store.session() as s:
            found = s.scalars(select(ShiftTemplate.id).where(ShiftTemplate.name == name)).first()
        if found is None:
            return
        people = [self.people[n] for n in who]
        departments = [self.org.floor_id] if team else []
        last = MONDAY + timedelta(weeks=weeks, days=-1)
        self.run(
            "apply template",
            lambda s: apply_template(s, found, MONDAY, last, people, departments),
        )

    @rule()
    def add_department(self) -> None:
        name = f"Team {next(self.counter)}"
        self.run("add department", lambda s: add_department(s, name))

    @rule(who=st.integers(0, 3), day=st.integers(0, 6), minutes=st.integers(0, 90))
    def correct(self, who: int, day: int, minutes: int) -> None:
        self.run(
            "correct",
            lambda s: correct_day(
                s,
                employee_id=self.people[who],
                work_date=MONDAY + timedelta(days=day),
                break_minutes=minutes,
                reason=f"fix {next(self.counter)}",
                author="sam",
            ),
        )

    @rule(
        days=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6)), min_size=1, max_size=3),
        actor=st.sampled_from(["sam", "kim"]),
    )
    def approve(self, days: list[tuple[int, int]], actor: str) -> None:
        chosen = [(self.people[w], MONDAY + timedelta(days=d)) for w, d in days]
        self.run("approve", lambda s: approve_days(s, days=chosen, actor=actor))

    @rule(
        rows=st.lists(
            st.tuples(st.integers(100, 103), st.sampled_from(["Fisher", "Lang"])),
            min_size=1,
            max_size=3,
            unique_by=lambda r: r[0],
        ),
        team=st.sampled_from(["", "Kitchen", "Cellar"]),
    )
    def import_employees(self, rows: list[tuple[int, str]], team: str) -> None:
        text = "first_name,last_name,code,department\n" + "".join(
            f"Eva,{last},E{code},{team}\n" for code, last in rows
        )
        self.run("import employees", lambda s: import_employees_csv(s, text))

    @rule(
        punches=st.lists(
            st.tuples(st.integers(0, 1), st.integers(0, 3), st.sampled_from(["in", "out"])),
            min_size=1,
            max_size=4,
            unique=True,
        ),
        device=st.sampled_from(["", "door", "gate"]),
    )
    def import_punches(self, punches: list[tuple[int, int, str]], device: str) -> None:
        """Punches from a small set, so files repeat stored and undone punches."""
        lines = [
            f"{self.people[who]},"
            f"{datetime.combine(MONDAY + timedelta(days=day), time(8), UTC).isoformat()},"
            f"{kind},{device}\n"
            for who, day, kind in punches
        ]
        text = "employee,timestamp,kind,device\n" + "".join(lines)
        self.run("import punches", lambda s: import_punches_csv(s, text, skip_existing=True))

    # --- another site's change, applied as a pull applies it -----------------------

    def pull(self, data: st.DataObject, model: type, rid: str) -> str | None:
        """Change one field of a row as applying another site's change does (nothing
        queued to send); the field's name, or None if the value drawn was its own."""
        name = data.draw(st.sampled_from(PULLED[model]))
        with self.store.session() as s:
            s.info[APPLYING_REMOTE] = True
            row = s.get(model, rid)
            if name == "employee_ids":
                who = data.draw(st.lists(st.sampled_from(self.people), max_size=2, unique=True))
                if tuple(sorted(who)) == tuple(row.employee_ids):
                    return None
                row.assign(who, row.assigned_department_ids)
            elif name in ("published", "deleted"):
                setattr(row, name, not getattr(row, name))
            elif name == "color":
                row.color = "#123456" if row.color != "#123456" else "#654321"
            else:
                setattr(row, name, f"remote {next(self.counter)}")
        self.remote_changes += 1
        self.state = snapshot(self.store)
        return name

    @rule(data=st.data(), model=st.sampled_from(list(PULLED)))
    def remote_change(self, data: st.DataObject, model: type) -> None:
        with self.store.session() as s:
            ids = list(s.scalars(select(model.id).order_by(model.id)))
        if ids:
            self.pull(data, model, data.draw(st.sampled_from(ids)))

    @precondition(lambda self: self.undos)
    @rule(data=st.data())
    def remote_change_then_undo(self, data: st.DataObject) -> None:
        """A pull changes a field of a record the newest step would put back: the undo
        refuses, writing nothing, if it would put that field back, and applies if not."""
        entry = self.undos[-1]
        models = {m.__tablename__: m for m in PULLED}
        rows = sorted({key for key, _ in entry.touched if key[0] in models})
        if not rows:
            return
        table, rid = data.draw(st.sampled_from(rows))
        clean = not self.stale(entry)
        name = self.pull(data, models[table], rid)
        if name is None:
            return
        applied = self.undo()
        if clean:
            touching = ((table, rid), name) in entry.touched
            assert applied != touching, f"undo of {entry.name} after a pull of {table}.{name}"

    # --- undo and redo ----------------------------------------------------------------

    def stale(self, entry: Entry) -> list[tuple[Key, str]]:
        """The fields its step would put back that no longer hold what it left."""
        return [
            (key, name)
            for (key, name), (_, left) in entry.touched.items()
            if self.state.get(key, {}).get(name, ABSENT) != left
        ]

    def flip(self, entry: Entry) -> Entry | None:
        """Apply an entry's undo as the model says it must go: put back exactly what
        its operation changed, or refuse and write nothing. The entry that reverses
        it, or None when refused (and dropped, as the desktop drops it)."""
        assert entry.result.undo is not None
        before = self.state
        if self.stale(entry):
            with pytest.raises(UndoRefused), self.store.session() as s:
                entry.result.undo(s)
            assert snapshot(self.store) == before, f"a refused undo of {entry.name} wrote"
            self.refusals += 1
            return None
        with self.store.session() as s:
            reverse = entry.result.undo(s)
        after = self.state = snapshot(self.store)
        expected = {key: dict(fields) for key, fields in before.items()}
        for (key, name), (was, _) in entry.touched.items():
            if was is not ABSENT:
                expected[key][name] = was
            elif name == "deleted":  # a created row: its undo deletes it, softly
                expected[key][name] = True
        assert after == expected, f"undo of {entry.name} did not put back exactly its changes"
        return Entry(f"undo of {entry.name}", reverse, diff(before, after))

    def undo(self) -> bool:
        """Undo the newest step; whether it applied."""
        reverse = self.flip(self.undos.pop())
        if reverse is not None:
            self.redos.append(reverse)
        return reverse is not None

    def redo(self) -> bool:
        reverse = self.flip(self.redos.pop())
        if reverse is not None:
            self.undos.append(reverse)
        return reverse is not None

    @precondition(lambda self: self.undos)
    @rule(times=st.integers(1, 3))
    def undo_some(self, times: int) -> None:
        for _ in range(min(times, len(self.undos))):
            self.undo()

    @precondition(lambda self: self.redos)
    @rule(times=st.integers(1, 3))
    def redo_some(self, times: int) -> None:
        for _ in range(min(times, len(self.redos))):
            self.redo()

    @precondition(lambda self: self.undos)
    @rule()
    def undo_everything(self) -> None:
        while self.undos:
            self.undo()
        if not self.remote_changes:
            assert live(self.state) == live(self.start)

    @invariant()
    def nothing_is_refused_without_a_remote_change(self) -> None:
        assert self.remote_changes or not self.refusals


def test_undo_and_redo_put_back_exactly_what_changed_or_refuse(migrated_file: Path) -> None:
    UndoMachine.migrated = migrated_file
    run_state_machine_as_test(
        UndoMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
