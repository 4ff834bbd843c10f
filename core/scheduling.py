"""Every schedule edit a supervisor can make, as one function each.

Each operation validates, checks conflicts through :mod:`core.conflicts`, applies
nothing when a hard conflict is found, and returns an :class:`OpResult` whose
``undo`` (recorded by :mod:`core.undo`, per shift and field) puts back what it
changed, where nobody changed it since. The grid, the command line and the server
call these same functions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.util import identity_key

from core import outbox, undo
from core.bulk import gc_paused, insert_columns, new_ids
from core.changes import Changes
from core.conflicts import (
    CLEAR,
    Busy,
    ConflictIndex,
    Proposed,
    RosterRules,
    autoflush,
    load_index,
    members_by_department,
    shift_label,
)
from core.errors import NotFound, ValidationError
from core.models import (
    Department,
    Employee,
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftStatus,
    Site,
    new_id,
)
from core.pay_periods import NOTHING_CLOSED, ClosedDays, closed_and_rules, refuse_shifts
from core.results import Check, Conflict, OpResult, RuleWarning, Skipped
from core.timeutil import parse_hhmm, shift_instants, shift_time_problem, utcnow
from core.workload import Workload

SHIFTS = Changes.SHIFTS
NO_PROBLEMS = Check()

#: The content of a shift, as drafts carry it.
CONTENT_FIELDS = (
    "site_id",
    "shift_date",
    "start_time",
    "end_time",
    "location",
    "department_id",
    "status",
    "template_id",
    "published",
    "notes",
)


#: What staff see of a published shift: a change to one of these makes it "changed
#: since published" until it is published again.
PUBLISHED_FIELDS = (
    "shift_date",
    "start_time",
    "end_time",
    "employee_ids",
    "department_ids",
    "location",
    "status",
)


class Publication(StrEnum):
    """Where a shift stands with the staff who see published shifts."""

    DRAFT = "not published"
    PUBLISHED = "published"
    CHANGED = "changed since published"


def publication(published: bool, changed_since_published: bool) -> Publication:
    if not published:
        return Publication.DRAFT
    return Publication.CHANGED if changed_since_published else Publication.PUBLISHED


def _publication_after(shift: Shift, before: ShiftDraft, after: ShiftDraft) -> bool:
    """The shift's "changed since published" mark once ``before`` became ``after``:
    a draft (or a shift published by this edit) has none, an edit staff would see
    sets it, anything else keeps it (only publishing clears it: :func:`publish_shifts`).
    """
    if not (before.published and after.published):
        return False
    if any(getattr(before, f) != getattr(after, f) for f in PUBLISHED_FIELDS):
        return True
    return shift.changed_since_published


@dataclass(frozen=True)
class ShiftDraft:
    """A shift as plain values, before it is written."""

    site_id: str
    shift_date: date
    start_time: str
    end_time: str
    employee_ids: tuple[str, ...] = ()
    department_ids: tuple[str, ...] = ()
    location: str = ""
    department_id: str | None = None
    status: str = ShiftStatus.SCHEDULED
    notes: str = ""
    template_id: str | None = None
    published: bool = False

    @classmethod
    def of(cls, shift: Shift) -> ShiftDraft:
        return cls(
            **{name: getattr(shift, name) for name in CONTENT_FIELDS},
            employee_ids=tuple(shift.employee_ids),
            department_ids=tuple(shift.assigned_department_ids),
        )

    @classmethod
    def of_row(cls, row: Any) -> ShiftDraft:
        """As :meth:`of`, from a row of the shift's columns whose ``employee_ids`` and
        ``assigned_department_ids`` are each joined into one text (or None)."""
        return cls(
            **{name: getattr(row, name) for name in CONTENT_FIELDS},
            employee_ids=_split(row.employee_ids),
            department_ids=_split(row.assigned_department_ids),
        )


#: What joins a list of ids into one text in SQL (no id holds it).
JOINED = "\x1f"


def _split(joined: str | None) -> tuple[str, ...]:
    return tuple(sorted(joined.split(JOINED))) if joined else ()


@dataclass(frozen=True)
class Placed:
    """A validated draft with its absolute instants and the people it binds."""

    draft: ShiftDraft
    company_id: str
    start_utc: Any
    end_utc: Any
    people: tuple[str, ...] = field(default=())
    #: What the times alone say (a 24-hour shift), whoever else is busy.
    warnings: tuple[RuleWarning, ...] = ()
    #: A start or end that does not exist locally (a DST gap): never written as is.
    time_problem: ValidationError | None = None


def day_long_warnings(
    start_time: str, end_time: str, employee_id: str = ""
) -> tuple[RuleWarning, ...]:
    """A shift whose end equals its start lasts 24 hours (the end is the next day).

    That is allowed, but it is more often a slip than a plan, so every path that
    takes shift times (single edits, bulk work, templates) reports it from here.
    """
    if parse_hhmm(start_time, "start") != parse_hhmm(end_time, "end"):
        return ()
    return (
        RuleWarning(
            "24_hours",
            employee_id,
            f"lasts 24 hours: start and end are both {start_time.strip()}",
        ),
    )


class SiteFacts(NamedTuple):
    """What validating a draft reads of its site (a :class:`Site` has them too)."""

    company_id: str
    timezone: str


def _validate(
    session: Session, draft: ShiftDraft, sites: Mapping[str, SiteFacts | Site] | None = None
) -> Placed:
    """One draft for a single-shift operation: a time that does not exist is refused."""
    placed = _validate_all(session, [draft], sites)[0]
    if placed.time_problem is not None:
        raise placed.time_problem
    return placed


# Built once, as Core statements (see core.conflicts): every hover of a drag and every
# write on the server validates a draft.
_EMPLOYEE = Employee.__table__.c
_DEPARTMENT = Department.__table__.c
_EMPLOYEES = select(
    _EMPLOYEE.id, _EMPLOYEE.first_name, _EMPLOYEE.last_name, _EMPLOYEE.active, _EMPLOYEE.deleted
).where(_EMPLOYEE.id.in_(bindparam("ids", expanding=True)))
_DEPARTMENTS = select(_DEPARTMENT.id, _DEPARTMENT.deleted).where(
    _DEPARTMENT.id.in_(bindparam("ids", expanding=True))
)


#: What validating a draft reads of each person (:data:`_EMPLOYEES`).
_VALIDATED = frozenset(("id", "first_name", "last_name", "active", "deleted"))


def _held_employees(session: Session, ids: Sequence[str]) -> dict[str, Employee] | None:
    """The people ``ids`` as the session holds them, when it holds every one with
    what validation reads loaded and unchanged since (the server read them to check
    a write's references): the same values :data:`_EMPLOYEES` would read, at no
    statement. None when any is not held so."""
    held = {}
    for emp_id in ids:
        emp = session.identity_map.get(identity_key(Employee, emp_id))
        if emp is None:
            return None
        state = inspect(emp)
        if state.modified or not state.persistent or state.unloaded & _VALIDATED:
            return None
        held[emp_id] = emp
    return held


def _validate_all(
    session: Session,
    drafts: Sequence[ShiftDraft],
    known: Mapping[str, SiteFacts | Site] | None = None,
) -> list[Placed]:
    """Validate drafts with one query per kind of record, however many drafts there are.
    ``known`` holds sites the caller read already."""
    # A draft's site is most often loaded already, with the shift it came from (_get).
    sites = {
        site_id: (known or {}).get(site_id) or session.get(Site, site_id)
        for site_id in {d.site_id for d in drafts}
    }
    # Plain values, read once: a Site's attributes cost an ORM lookup per draft.
    facts = {
        site_id: SiteFacts(site.company_id, site.timezone) if site is not None else None
        for site_id, site in sites.items()
    }
    emp_ids = list({e for d in drafts for e in d.employee_ids})
    dept_ids = list(
        {x for d in drafts for x in d.department_ids}
        | {d.department_id for d in drafts if d.department_id}
    )
    if emp_ids or dept_ids:
        autoflush(session)
    employees = _held_employees(session, emp_ids)
    if employees is None:
        employees = {e.id: e for e in session.execute(_EMPLOYEES, {"ids": emp_ids})}
    departments = (
        {x.id: x for x in session.execute(_DEPARTMENTS, {"ids": dept_ids})} if dept_ids else {}
    )
    members = members_by_department(session, {x for d in drafts for x in d.department_ids})
    statuses = {s.value for s in ShiftStatus}
    checked: dict[tuple[tuple[str, ...], tuple[str, ...], str | None], tuple[str, ...]] = {}
    instants: dict[
        tuple[date, str, str, str], tuple[datetime, datetime, ValidationError | None]
    ] = {}
    whole_day: dict[tuple[str, str], bool] = {}
    placed = []
    for draft in drafts:
        site = facts.get(draft.site_id)
        if site is None:
            raise ValidationError("site", f"no site with id {draft.site_id}")
        if draft.status not in statuses:
            choices = ", ".join(s.value for s in ShiftStatus)
            raise ValidationError("status", f"{draft.status!r} is not one of {choices}")
        when = (draft.shift_date, draft.start_time, draft.end_time, site.timezone)
        if when not in instants:
            instants[when] = (*shift_instants(*when), shift_time_problem(*when))
        start, end, time_problem = instants[when]
        assignment = (draft.employee_ids, draft.department_ids, draft.department_id)
        people = checked.get(assignment)
        if people is None:
            for emp_id in draft.employee_ids:
                emp = employees.get(emp_id)
                if emp is None or emp.deleted:
                    raise ValidationError("employee", f"no employee with id {emp_id}")
                if not emp.active:
                    name = f"{emp.first_name} {emp.last_name}".strip()
                    raise ValidationError("employee", f"{name} is inactive")
            for dept_id in _departments_named(draft):
                dept = departments.get(dept_id)
                if dept is None or dept.deleted:
                    raise ValidationError("department", f"no department with id {dept_id}")
            bound = dict.fromkeys(draft.employee_ids)
            for dept_id in draft.department_ids:
                bound.update(dict.fromkeys(members[dept_id]))
            people = checked[assignment] = tuple(bound)
        times = (draft.start_time, draft.end_time)
        day_long = whole_day.get(times)
        if day_long is None:  # a template's shifts share their times: parse them once
            day_long = whole_day[times] = bool(day_long_warnings(*times))
        warnings = day_long_warnings(*times, people[0] if people else "") if day_long else ()
        placed.append(Placed(draft, site.company_id, start, end, people, warnings, time_problem))
    return placed


def _departments_named(draft: ShiftDraft) -> tuple[str, ...]:
    return (*draft.department_ids, *((draft.department_id,) if draft.department_id else ()))


def _check(
    index: ConflictIndex,
    placed: Placed,
    exclude: frozenset[str],
    workload: Workload | None = None,
    closed: ClosedDays = NOTHING_CLOSED,
) -> Check:
    # A closed pay period refuses any shift paid in it, cancelled ones included.
    shut = closed.conflict(placed.draft.site_id, placed.draft.shift_date, placed.end_utc)
    if shut is not None:
        return Check((shut,), placed.warnings)
    if placed.draft.status == ShiftStatus.CANCELLED:
        return Check(warnings=placed.warnings)
    day = placed.draft.shift_date
    named = placed.draft.employee_ids
    # A whole-department shift binds the members employed that day; a person named
    # on it outside their employment is an ``employment`` conflict.
    people = tuple(p for p in placed.people if p in named or index.employed_on(p, day))
    if people != placed.people:
        placed = replace(placed, people=people)
    found = index.check(placed.people, placed.start_utc, placed.end_utc, day, exclude)
    workload_warnings = _workload_warnings(index, placed, exclude, workload)
    if not placed.warnings and not workload_warnings:
        return found  # nearly always the one shared clear answer
    return Check(found.conflicts, placed.warnings + found.warnings + workload_warnings)


def _workload_warnings(
    index: ConflictIndex, placed: Placed, exclude: frozenset[str], workload: Workload | None
) -> tuple[RuleWarning, ...]:
    """A long shift, a week over contract (see :mod:`core.workload`); a 24-hour
    shift already says how long it is."""
    if workload is None:
        return ()
    found = workload.warnings(
        index, placed.people, placed.start_utc, placed.end_utc, placed.draft.shift_date, exclude
    )
    if any(w.kind == "24_hours" for w in placed.warnings):
        found = tuple(w for w in found if w.kind != "long_shift")
    return found


def _index_for(session: Session, placed: Placed, rules: RosterRules | None = None) -> ConflictIndex:
    return load_index(
        session,
        placed.people,
        placed.start_utc,
        placed.end_utc,
        company_id=placed.company_id,
        rules=rules,
    )


def check_draft(
    session: Session,
    draft: ShiftDraft,
    exclude: Iterable[str] = (),
    *,
    closed: ClosedDays | None = None,
    sites: Mapping[str, SiteFacts | Site] | None = None,
) -> Check:
    """Would this shift clash? What the grid asks while a drag hovers over a cell.
    ``closed`` is the closed pay periods, ``sites`` the draft's site, when the caller
    read them already."""
    placed = _validate(session, draft, sites)
    rules = None
    if closed is None:
        closed, rules = closed_and_rules(session, placed.company_id)
    index = _index_for(session, placed, rules)
    return _check(index, placed, frozenset(exclude), Workload.of(index), closed)


def _leaving_closed(closed: ClosedDays, site_id: str, shift_date: date, end_utc: datetime) -> Check:
    """A shift paid in a closed period cannot be moved (or changed) out of it either."""
    shut = closed.conflict(site_id, shift_date, end_utc)
    return Check((shut,)) if shut is not None else NO_PROBLEMS


# --- writing a shift's state ------------------------------------------------------------


def _write_state(
    session: Session, shift_id: str, state: Mapping[str, Any] | None, *, new: bool = False
) -> None:
    """Make the shift hold ``state`` (its content fields and assignments), creating it
    if need be; None deletes it (softly). Fields that already hold their value are not
    touched, so the undo recorder sees only what moved. ``new``: no row holds
    ``shift_id`` (an id just made), so none is looked up."""
    shift = None if new else session.get(Shift, shift_id)
    if state is None:
        if shift is not None and not shift.deleted:
            shift.deleted = True
        return
    site = session.get(Site, state["site_id"])
    assert site is not None
    if shift is None:
        shift = Shift(id=shift_id, company_id=site.company_id)
        session.add(shift)
    if shift.deleted is not False:
        shift.deleted = False
    for name in CONTENT_FIELDS:
        if getattr(shift, name) != state[name]:
            setattr(shift, name, state[name])
    start, end = shift_instants(shift.shift_date, shift.start_time, shift.end_time, site.timezone)
    if shift.start_utc != start:
        shift.start_utc = start
    if shift.end_utc != end:
        shift.end_utc = end
    shift.assign(state["employee_ids"], state["department_ids"])


#: A shift with its people, departments and site in one statement (not four): what
#: every edit and move of it reads.
_SHIFT = (
    select(Shift)
    .where(Shift.id == bindparam("id"))
    .options(joinedload(Shift.employees), joinedload(Shift.departments), joinedload(Shift.site))
)


def _get(session: Session, shift_id: str) -> Shift:
    """The live shift, with its people, departments and site. One the session holds
    with all of them loaded (the server read it to check its If-Match) is taken as
    held: the statement would return that very object, its loaded values kept."""
    held = session.identity_map.get(identity_key(Shift, shift_id))
    if held is not None and not inspect(held).unloaded:
        shift: Shift | None = held
    else:
        shift = session.scalars(_SHIFT, {"id": shift_id}).unique().one_or_none()
    if shift is None or shift.deleted:
        raise NotFound("shift", shift_id)
    return shift


# --- single-shift operations ----------------------------------------------------------


def create_shift(
    session: Session, draft: ShiftDraft, *, shift_id: str | None = None, unheld: bool = False
) -> OpResult:
    """A new shift, ``shift_id`` or an id made here. ``unheld``: the caller knows no
    row holds ``shift_id`` (it made the id just now), so it is not looked up; a given
    id is otherwise (a site's own id may name a record the store holds already)."""
    check = check_draft(session, draft)
    if not check.ok:
        return OpResult(conflicts=check.conflicts, warnings=check.warnings)
    new = shift_id or new_id()
    with undo.recording(session) as recorder:
        _write_state(session, new, _state_of(draft), new=shift_id is None or unheld)
    return recorder.result(warnings=check.warnings)


def _state_of(draft: ShiftDraft) -> dict[str, Any]:
    state = {name: getattr(draft, name) for name in CONTENT_FIELDS}
    state["employee_ids"] = tuple(draft.employee_ids)
    state["department_ids"] = tuple(draft.department_ids)
    return state


def edit_shift(session: Session, shift_id: str, **changes: Any) -> OpResult:
    """Change any of a shift's fields (those of :class:`ShiftDraft`).

    A published shift edited where staff would see it (:data:`PUBLISHED_FIELDS`)
    becomes "changed since published" until it is published again; ``published=False``
    makes it a draft.
    """
    shift = _get(session, shift_id)
    for key in ("employee_ids", "department_ids"):
        if key in changes:
            changes[key] = tuple(changes[key])
    try:
        draft = replace(ShiftDraft.of(shift), **changes)
    except TypeError as exc:
        raise ValidationError("shift", str(exc)) from exc
    placed = _validate(session, draft)
    closed, rules = closed_and_rules(session, placed.company_id)
    leaving = _leaving_closed(closed, shift.site_id, shift.shift_date, shift.end_utc)
    if not leaving.ok:
        return OpResult(conflicts=leaving.conflicts)
    index = _index_for(session, placed, rules)
    check = _check(index, placed, frozenset({shift_id}), Workload.of(index), closed)
    if not check.ok:
        return OpResult(conflicts=check.conflicts, warnings=check.warnings)
    with undo.recording(session) as recorder:
        _write_edit(session, shift, draft)
    return recorder.result(warnings=check.warnings, ids=(shift_id,))


def _write_edit(session: Session, shift: Shift, draft: ShiftDraft) -> None:
    """Make a live shift hold ``draft``, marked changed since published where staff
    would see the change (:func:`_publication_after`)."""
    changed = _publication_after(shift, ShiftDraft.of(shift), draft)
    _write_state(session, shift.id, _state_of(draft))
    if shift.changed_since_published != changed:
        shift.changed_since_published = changed


def _moved_draft(
    draft: ShiftDraft, day: date | None, employee_id: str | None, from_employee_id: str | None
) -> ShiftDraft:
    if day is not None:
        draft = replace(draft, shift_date=day)
    if employee_id is not None:
        people = list(draft.employee_ids)
        source = from_employee_id or (people[0] if len(people) == 1 else None)
        if source is not None and source in people:
            people[people.index(source)] = employee_id
        elif employee_id not in people:
            people.append(employee_id)
        draft = replace(draft, employee_ids=tuple(dict.fromkeys(people)))
    return draft


def preview_move(
    session: Session,
    shift_id: str,
    *,
    day: date | None = None,
    employee_id: str | None = None,
    from_employee_id: str | None = None,
    copy: bool = False,
) -> Check:
    """The conflicts a move (or, with ``copy``, a copy) would meet; nothing is written."""
    shift = _previewed(session, shift_id)
    draft = _moved_draft(ShiftDraft.of_row(shift), day, employee_id, from_employee_id)
    closed = ClosedDays.load(session, shift.company_id)
    if not copy:
        leaving = _leaving_closed(closed, shift.site_id, shift.shift_date, shift.end_utc)
        if not leaving.ok:
            return leaving
    site = {shift.site_id: SiteFacts(shift.site_company_id, shift.timezone)}
    exclude = () if copy else (shift_id,)
    return check_draft(session, draft, exclude, closed=closed, sites=site)


_SHIFT_C = Shift.__table__.c
_SITE_C = Site.__table__.c
#: What a drop preview reads of the dragged shift, as one Core row (a preview writes
#: nothing, so it needs no record): its content, its people and departments (each
#: list joined into one text), its company, and its site's company and zone.
_PREVIEWED = (
    select(
        *(_SHIFT_C[name] for name in CONTENT_FIELDS),
        _SHIFT_C.company_id,
        _SHIFT_C.end_utc,
        _SHIFT_C.deleted,
        _SITE_C.company_id.label("site_company_id"),
        _SITE_C.timezone,
        *(
            select(func.aggregate_strings(table.c[column], JOINED))
            .where(table.c.shift_id == _SHIFT_C.id)
            .scalar_subquery()
            .label(name)
            for name, table, column in (
                ("employee_ids", ShiftEmployee.__table__, "employee_id"),
                ("assigned_department_ids", ShiftDepartment.__table__, "department_id"),
            )
        ),
    )
    .join_from(Shift.__table__, Site.__table__, _SITE_C.id == _SHIFT_C.site_id)
    .where(_SHIFT_C.id == bindparam("id"))
)


def _previewed(session: Session, shift_id: str) -> Any:
    """The live shift as :data:`_PREVIEWED` reads it; NotFound as :func:`_get` says it."""
    autoflush(session)
    row = session.execute(_PREVIEWED, {"id": shift_id}).first()
    if row is None or row.deleted:
        raise NotFound("shift", shift_id)
    return row


def move_shift(
    session: Session,
    shift_id: str,
    *,
    day: date | None = None,
    employee_id: str | None = None,
    from_employee_id: str | None = None,
) -> OpResult:
    """Move to another day and/or person; ``from_employee_id`` says which person's row
    it left when the shift has several."""
    shift = _get(session, shift_id)
    before = ShiftDraft.of(shift)
    draft = _moved_draft(before, day, employee_id, from_employee_id)
    return edit_shift(session, shift_id, **_diff(before, draft))


def copy_shift(
    session: Session,
    shift_id: str,
    *,
    day: date | None = None,
    employee_id: str | None = None,
    from_employee_id: str | None = None,
) -> OpResult:
    """A copy (not yet published) on another day and/or for another person."""
    shift = _get(session, shift_id)
    draft = _moved_draft(ShiftDraft.of(shift), day, employee_id, from_employee_id)
    if employee_id is not None:
        draft = replace(draft, employee_ids=(employee_id,))
    return create_shift(session, replace(draft, published=False))


def _diff(old: ShiftDraft, new: ShiftDraft) -> dict[str, Any]:
    return {k: v for k, v in vars(new).items() if vars(old)[k] != v}


def delete_shifts(session: Session, shift_ids: Sequence[str]) -> OpResult:
    """Delete shifts (softly, so the delete syncs); any paid in a closed pay period
    refuses the whole deletion (:class:`core.pay_periods.PeriodClosed`)."""
    shifts = [_get(session, sid) for sid in dict.fromkeys(shift_ids)]
    refuse_shifts(session, shifts)
    with undo.recording(session) as recorder:
        for shift in shifts:
            shift.deleted = True
    return recorder.result()


# --- bulk operations -------------------------------------------------------------------


@dataclass(frozen=True)
class BulkPlan:
    """Shifts a bulk operation would write, and those it leaves out for a conflict."""

    accepted: tuple[Placed, ...]
    #: Each proposal left out, named, with all its reasons (counted once).
    rejected: tuple[Skipped, ...]
    check: Check
    #: Every draft in the order given, with what checking it found.
    items: tuple[tuple[Placed, Check], ...] = ()

    @property
    def warned(self) -> int:
        """The shifts it would write that have a warning, each counted once."""
        return sum(1 for _, check in self.items if check.warnings and not check.conflicts)


def plan_bulk(session: Session, drafts: Sequence[ShiftDraft]) -> BulkPlan:
    """Check many drafts against the store *and each other*, loading the range once.

    A draft whose start or end does not exist locally (a DST gap) does not stop
    the batch: it is left out like a clashing one, with a ``time`` conflict saying
    why, so the supervisor sees that one occurrence among the rest and can add it
    by hand at another time.
    """
    with gc_paused():
        return _plan_bulk(session, drafts)


def _plan_bulk(session: Session, drafts: Sequence[ShiftDraft], *, screen: bool = True) -> BulkPlan:
    """The plan; ``screen`` passes, without a check each, the drafts of people whom
    no check could find anything for (:func:`_screened`), giving the same plan as
    checking every draft in turn (``screen=False``, which the tests compare it to)."""
    placed = _validate_all(session, drafts) if drafts else []
    if not placed:
        return BulkPlan((), (), Check())
    people = {p for item in placed for p in item.people}
    index = load_index(
        session,
        people,
        min(p.start_utc for p in placed),
        max(p.end_utc for p in placed),
        company_id=placed[0].company_id,
    )
    workload = Workload.of(index)
    closed = ClosedDays.load(session, placed[0].company_id)
    accepted: list[Placed] = []
    rejected: list[tuple[Placed, tuple[Conflict, ...]]] = []
    items: list[tuple[Placed, Check]] = []
    warnings = []
    clear = _screened(index, workload, closed, placed) if screen else [False] * len(placed)
    for n, item in enumerate(placed):
        if clear[n]:  # what checking it would say: nothing (nor will its people's later checks)
            items.append((item, CLEAR))
            accepted.append(item)
            continue
        if item.time_problem is not None:
            who = item.people[0] if item.people else ""
            problem = Conflict("time", who, "", item.time_problem.problem)
            check = Check((problem,), item.warnings)
        else:
            check = _check(index, item, frozenset(), workload, closed)
        items.append((item, check))
        if check.conflicts:
            rejected.append((item, check.conflicts))
            continue
        accepted.append(item)
        warnings.extend(check.warnings)
        d = item.draft
        label = shift_label(d.shift_date, d.start_time, d.end_time) + " (in this batch)"
        for person in item.people:
            busy = Busy(person, item.start_utc, item.end_utc, f"new:{n}", label, d.shift_date)
            index.add_shift(busy)
            workload.add(busy)
    conflicts = tuple(c for _, cs in rejected for c in cs)
    return BulkPlan(
        tuple(accepted),
        _named(session, index, rejected),
        Check(conflicts, tuple(warnings)),
        tuple(items),
    )


def _screened(
    index: ConflictIndex, workload: Workload, closed: ClosedDays, placed: Sequence[Placed]
) -> list[bool]:
    """Which placed drafts a bulk plan may pass unchecked: the checks of a year of
    shifts, one by one, cost more than writing them, and nearly all find nothing.

    A draft passes when it has no problem of its own (a time, a 24-hour or a long
    shift, a closed period: those take the full check) and each
    of its people is undisturbed by everything their drafts and loaded shifts
    could do to each other (:meth:`ConflictIndex.undisturbed`,
    :meth:`Workload.within_contract`). Then its check would find nothing whatever
    else was accepted before it, and leaving it out of the index changes nothing
    the remaining checks can find either: its people's checks find nothing."""
    proposed: dict[str, list[Proposed]] = {}
    for item in placed:
        if item.time_problem is None:  # never written, so never in the index
            when = Proposed(item.start_utc, item.end_utc, item.draft.shift_date)
            for person in item.people:
                proposed.setdefault(person, []).append(when)
    quiet = {
        person
        for person, mine in proposed.items()
        if index.undisturbed(person, mine) and workload.within_contract(index, person, mine)
    }
    longest = workload.max_shift
    return [
        item.time_problem is None
        and not item.warnings
        and quiet.issuperset(item.people)
        and (longest is None or item.end_utc - item.start_utc <= longest)
        and (not closed.periods or closed.conflict(d.site_id, d.shift_date, item.end_utc) is None)
        for item in placed
        for d in (item.draft,)
    ]


def _named(
    session: Session, index: ConflictIndex, rejected: Sequence[tuple[Placed, tuple[Conflict, ...]]]
) -> tuple[Skipped, ...]:
    """The left-out proposals as the supervisor reads them: who, when, and why."""
    dept_ids = {x for p, _ in rejected for x in p.draft.department_ids}
    departments = (
        dict(
            session.execute(
                select(Department.id, Department.name).where(Department.id.in_(dept_ids))
            ).all()
        )
        if dept_ids
        else {}
    )
    found = []
    for item, conflicts in rejected:
        d = item.draft
        who = [index.names.get(e, e) for e in d.employee_ids] + [
            f"{departments.get(x, x)} (department)" for x in d.department_ids
        ]
        label = shift_label(d.shift_date, d.start_time, d.end_time)
        found.append(
            Skipped(
                f"{', '.join(who) or 'open shift'} {label}",
                d.shift_date,
                d.start_time,
                d.end_time,
                d.employee_ids,
                d.department_ids,
                conflicts,
            )
        )
    return tuple(found)


def write_bulk(session: Session, plan: BulkPlan) -> OpResult:
    """Insert the accepted shifts in one statement per table, with their outbox rows.

    Conflicting drafts were left out by :func:`plan_bulk`; they come back as the
    result's ``skipped`` so the caller can show what was not written. Shifts are
    written in time order with ids in sorted order, so that SQLite's indexes take
    each batch in order instead of scattering it (several times faster at a year).
    """
    if not plan.accepted:
        return OpResult(warnings=plan.check.warnings, skipped=plan.rejected)
    with gc_paused(), undo.recording(session) as recorder:
        ids = _insert_shifts(session, plan.accepted)
    return recorder.result(
        warnings=plan.check.warnings, ids=ids, skipped=plan.rejected, warned=plan.warned
    )


def _insert_shifts(session: Session, placed: Sequence[Placed]) -> tuple[str, ...]:
    """Write placed drafts past the ORM, tell the undo recorders, and return their ids."""
    now = utcnow()
    accepted = sorted(placed, key=lambda p: p.start_utc)
    n = len(accepted)
    ids = sorted(new_ids(n))  # sorted ids append to the id indexes instead of scattering
    drafts = [p.draft for p in accepted]
    by_field = zip(*map(attrgetter(*CONTENT_FIELDS), drafts), strict=False)  # empty if none
    shift_columns: dict[str, Sequence[Any]] = dict(zip(CONTENT_FIELDS, by_field, strict=False))
    shift_columns.update(
        id=ids,
        company_id=[p.company_id for p in accepted],
        start_utc=[p.start_utc for p in accepted],
        end_utc=[p.end_utc for p in accepted],
    )
    stamps = {"dirty": True, "deleted": False, "created_at": now, "updated_at": now}
    insert_columns(session, Shift.__table__, n, shift_columns, stamps)
    emp_pairs = [(sid, e) for sid, d in zip(ids, drafts, strict=True) for e in d.employee_ids]
    insert_columns(
        session,
        ShiftEmployee.__table__,
        len(emp_pairs),
        {"shift_id": [p[0] for p in emp_pairs], "employee_id": [p[1] for p in emp_pairs]},
        {},
    )
    dept_pairs = [(sid, x) for sid, d in zip(ids, drafts, strict=True) for x in d.department_ids]
    insert_columns(
        session,
        ShiftDepartment.__table__,
        len(dept_pairs),
        {"shift_id": [p[0] for p in dept_pairs], "department_id": [p[1] for p in dept_pairs]},
        {},
    )
    outbox.enqueue_many(session, Shift, ids)
    undo.note_inserted(
        session,
        Shift,
        ids,
        shift_columns,
        stamps,
        employee_ids=_sorted_each(d.employee_ids for d in drafts),
        department_ids=_sorted_each(d.department_ids for d in drafts),
    )
    return tuple(ids)


def _sorted_each(groups: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each group of ids sorted; most hold one id or none, and stay as they are
    (sorting a year's 104,000 one-id tuples again cost a tenth of writing them)."""
    return [ids if len(ids) < 2 else tuple(sorted(ids)) for ids in groups]


def live_shifts(
    session: Session, first: date, last: date, *, site_id: str | None = None
) -> list[Shift]:
    query = select(Shift).where(
        Shift.deleted.is_(False), Shift.shift_date >= first, Shift.shift_date <= last
    )
    if site_id:
        query = query.where(Shift.site_id == site_id)
    return list(session.scalars(query.order_by(Shift.shift_date, Shift.start_time)))


def copy_week(
    session: Session,
    source_start: date,
    target_start: date,
    *,
    site_id: str | None = None,
    shift_ids: Collection[str] | None = None,
    employee_ids: Collection[str] | None = None,
    department_ids: Collection[str] = (),
) -> OpResult:
    """Copy a week's live shifts onto another week, unpublished; clashing ones are
    skipped and named in the result's ``skipped`` while the rest apply.

    What a supervisor sees narrows it (:func:`core.roster.copy_scope`): only
    ``shift_ids``; only ``employee_ids`` of the people on them. A shift assigned to
    a whole department stays so for ``department_ids`` (teams shown whole) and
    otherwise goes to those of its members who are wanted, by name; a shift with
    nobody on it (an open shift) stays open.
    """
    if source_start == target_start:
        raise ValidationError("target", "the target week is the source week")
    offset = target_start - source_start
    wanted = set(employee_ids) if employee_ids is not None else None
    only = set(shift_ids) if shift_ids is not None else None
    shifts = [
        shift
        for shift in live_shifts(
            session, source_start, source_start + timedelta(days=6), site_id=site_id
        )
        if shift.status != ShiftStatus.CANCELLED and (only is None or shift.id in only)
    ]
    members = (
        members_by_department(session, {d for s in shifts for d in s.assigned_department_ids})
        if wanted is not None
        else {}
    )
    drafts = []
    for shift in shifts:
        draft = ShiftDraft.of(shift)
        if wanted is not None and (draft.employee_ids or draft.department_ids):
            teams = tuple(d for d in draft.department_ids if d in department_ids)
            named = [e for e in draft.employee_ids if e in wanted]
            for dept in draft.department_ids:
                if dept not in teams:
                    named += [m for m in members[dept] if m in wanted]
            people = tuple(dict.fromkeys(named))
            if not people and not teams:
                continue
            draft = replace(draft, employee_ids=people, department_ids=teams)
        drafts.append(
            replace(
                draft,
                shift_date=draft.shift_date + offset,
                published=False,
                status=ShiftStatus.SCHEDULED,
            )
        )
    return write_bulk(session, plan_bulk(session, drafts))


def publish_range(
    session: Session, first: date, last: date, *, site_id: str | None = None
) -> OpResult:
    """Publish every unpublished or changed-since-published live shift in the range
    (staff see published shifts)."""
    return publish_shifts(
        session, [s.id for s in live_shifts(session, first, last, site_id=site_id)]
    )


def needs_publishing(published: bool, changed_since_published: bool) -> bool:
    """A draft, or a published shift changed since: what Publish acts on."""
    return publication(published, changed_since_published) is not Publication.PUBLISHED


def publish_shifts(session: Session, shift_ids: Sequence[str]) -> OpResult:
    """Publish these shifts: drafts become published, changed ones published again."""
    shifts = [
        s
        for s in (_get(session, sid) for sid in dict.fromkeys(shift_ids))
        if needs_publishing(s.published, s.changed_since_published)
    ]
    if not shifts:
        return OpResult()
    refuse_shifts(session, shifts)
    with undo.recording(session) as recorder:
        for shift in shifts:
            if not shift.published:
                shift.published = True
            if shift.changed_since_published:
                shift.changed_since_published = False
    return recorder.result(ids=tuple(s.id for s in shifts))


def fill_open_shifts(session: Session, assignments: Sequence[tuple[str, str]]) -> OpResult:
    """Put one person on each of these open shifts (shift id, employee id), as one
    operation: what auto-fill applies.

    Each is checked as :func:`edit_shift` checks a single one, against the store
    and against the shifts filled before it in the batch, through one index loaded
    for all (bulk work must not load a window per shift). A shift deleted or given
    someone since, or one that now clashes, is left out and named in the result's
    ``skipped`` while the rest apply.
    """
    rejected: list[tuple[Placed, tuple[Conflict, ...]]] = []
    gone: list[Skipped] = []
    wanted: list[tuple[Shift, ShiftDraft]] = []
    # Every shift with its people and departments in three queries, not three each.
    loaded = {
        shift.id: shift
        for shift in session.scalars(
            select(Shift)
            .where(Shift.id.in_([shift_id for shift_id, _ in assignments]))
            .options(selectinload(Shift.employees), selectinload(Shift.departments))
        )
    }
    for shift_id, employee_id in assignments:
        shift = loaded.get(shift_id)
        if shift is None or shift.deleted or shift.employee_ids or shift.assigned_department_ids:
            why = "was deleted" if shift is None or shift.deleted else "has someone on it now"
            gone.append(_not_open(shift_id, employee_id, shift, why))
            continue
        wanted.append((shift, replace(ShiftDraft.of(shift), employee_ids=(employee_id,))))
    if not wanted:
        return OpResult(skipped=tuple(gone))
    with gc_paused():
        placed = _validate_all(session, [draft for _, draft in wanted])
        people = {p for item in placed for p in item.people}
        company_id = placed[0].company_id
        index = load_index(
            session,
            people,
            min(p.start_utc for p in placed),
            max(p.end_utc for p in placed),
            company_id=company_id,
        )
        workload = Workload.of(index)
        accepted: list[tuple[Shift, Placed]] = []
        warnings: list[RuleWarning] = []
        for (shift, _), item in zip(wanted, placed, strict=True):
            check = _check(index, item, frozenset({shift.id}), workload)
            if item.time_problem is not None or check.conflicts:
                rejected.append((item, check.conflicts or (_time_conflict(item),)))
                continue
            accepted.append((shift, item))
            warnings.extend(check.warnings)
            label = shift_label(shift.shift_date, shift.start_time, shift.end_time)
            for person in item.people:
                busy = Busy(person, item.start_utc, item.end_utc, shift.id, label, shift.shift_date)
                index.add_shift(busy)
                workload.add(busy)
        skipped = (*gone, *_named(session, index, rejected))
        if not accepted:
            return OpResult(skipped=skipped)
        with undo.recording(session) as recorder, session.no_autoflush:
            for shift, item in accepted:  # flushed once, as the recording ends
                _write_edit(session, shift, item.draft)
    return recorder.result(
        warnings=tuple(warnings), ids=tuple(s.id for s, _ in accepted), skipped=skipped
    )


def _time_conflict(item: Placed) -> Conflict:
    assert item.time_problem is not None
    return Conflict("time", item.people[0] if item.people else "", "", item.time_problem.problem)


def _not_open(shift_id: str, employee_id: str, shift: Shift | None, why: str) -> Skipped:
    """A shift a fill left out because it is no longer open, named as the others are."""
    if shift is None:
        return Skipped(
            f"shift {shift_id}",
            date.min,
            "",
            "",
            (employee_id,),
            (),
            (Conflict("gone", employee_id, shift_id, f"the shift {why}"),),
        )
    label = shift_label(shift.shift_date, shift.start_time, shift.end_time)
    return Skipped(
        label,
        shift.shift_date,
        shift.start_time,
        shift.end_time,
        (employee_id,),
        (),
        (Conflict("filled", employee_id, shift_id, f"the shift {why}"),),
    )
