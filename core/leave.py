"""Leave: asking for it, deciding on it, and what an approval does to the roster.

Every operation computes the state it wants and hands it to :func:`_apply`, which
writes it under :mod:`core.undo`'s recorder: leave rows, the people an approval took
off shifts, the shifts' flags and the kept-on-shift links all go back in one step,
field by field. The clash rule itself is :mod:`core.conflicts`'
(``leave_instants`` and ``overlaps``).

A decision (approve, reject, cancel) travels to the server as its action
(``POST /v1/leaverequests/<id>/approve?onClash=keep``; :func:`core.outbox.action`),
not as a write of ``status``: the server runs these same functions, so what the
action writes there (the flags and links of "keep", their removal at cancellation)
is not queued here, while the shifts "unassign" frees are, ahead of the action.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import outbox, undo
from core.changes import Changes
from core.conflicts import leave_instants, leave_label, members_of, overlaps, shift_label
from core.employment import Employment
from core.errors import IllegalState, NotFound, ValidationError
from core.models import (
    Department,
    Employee,
    LeaveRequest,
    LeaveShiftLink,
    LeaveStatus,
    LeaveType,
    Shift,
    ShiftStatus,
    Site,
    new_id,
)
from core.pay_periods import refuse_days
from core.results import Conflict, OpResult, RuleWarning
from core.shift_list import BoundShift, shifts_of_employee, shifts_of_employees
from core.timeutil import parse_hhmm, utcnow

LEAVE = Changes.LEAVE
SHIFTS = Changes.SHIFTS

#: Which status a request may move to from each status; the server reuses it.
LEAVE_TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        LeaveStatus.PENDING: frozenset(
            {LeaveStatus.APPROVED, LeaveStatus.REJECTED, LeaveStatus.CANCELLED}
        ),
        LeaveStatus.APPROVED: frozenset({LeaveStatus.CANCELLED}),
        LeaveStatus.REJECTED: frozenset(),
        LeaveStatus.CANCELLED: frozenset(),
    }
)

#: Requests that hold their dates: another request of the person may not overlap them.
OPEN_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)

#: The columns that make up a request, as snapshots and undo see it.
LEAVE_FIELDS = (
    "company_id",
    "employee_id",
    "leave_type",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "status",
    "reason",
    "decided_by",
    "decided_at",
)


class ClashChoice(StrEnum):
    """What to do with shifts an approved leave covers."""

    UNASSIGN = "unassign"  # take the person off them (an emptied shift stays open)
    KEEP = "keep"  # leave them on, with the shift flagged for a second look


def check_transition(current: str, target: str) -> None:
    """Raise unless a request in ``current`` may become ``target``."""
    allowed = LEAVE_TRANSITIONS.get(current)
    if allowed is None:
        raise ValidationError("status", f"{current!r} is not a leave status")
    if target not in allowed:
        then = f"it can only become {' or '.join(sorted(allowed))}" if allowed else "that is final"
        raise IllegalState("status", f"the request is {current}, so it cannot be {target}; {then}")


# --- state and exact undo ---------------------------------------------------------------


def _leave_state(leave: LeaveRequest | None) -> dict[str, Any] | None:
    if leave is None or leave.deleted:
        return None
    return {name: getattr(leave, name) for name in LEAVE_FIELDS}


def _write_leave(session: Session, leave_id: str, state: Mapping[str, Any]) -> None:
    leave = session.get(LeaveRequest, leave_id)
    if leave is None:
        session.add(LeaveRequest(id=leave_id, **state))
        return
    if leave.deleted:
        leave.deleted = False
    for name in LEAVE_FIELDS:
        if getattr(leave, name) != state[name]:
            setattr(leave, name, state[name])


#: The fields a decision sets: its action stands for them.
DECISION_FIELDS = ("status", "decided_by", "decided_at")

#: Namespace of kept-on-shift link ids (:func:`link_id`).
LINK_NAMESPACE = uuid.UUID("0b3f3c1e-6a55-4d0e-9a52-6c1f0d7e4a11")


def link_id(leave_id: str, shift_id: str) -> str:
    """The id of the link a "keep" approval of ``leave_id`` writes for ``shift_id``: the
    same wherever the decision is applied, so a site's link and the server's are one
    record."""
    return str(uuid.uuid5(LINK_NAMESPACE, f"{leave_id}:{shift_id}"))


#: A shift's assignments as the outbox names them: what taking a person off changes.
ASSIGNMENT_FIELDS = ("employee_ids", "assigned_department_ids")


@dataclass(frozen=True)
class _Decision:
    """A decision on one request, as the action that carries it to the server."""

    leave_id: str
    action: str
    params: Mapping[str, Any] | None = None
    #: Links to write, shift id → note ("keep").
    links: Mapping[str, str] | None = None
    #: Links to end (cancellation).
    unlinks: Sequence[str] = ()


def _apply(
    session: Session,
    leaves: Mapping[str, Mapping[str, Any]],
    assignments: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType({}),
    flags: Mapping[str, str] = MappingProxyType({}),
    decision: _Decision | None = None,
) -> OpResult:
    """Write leave states, shifts' assignments (people, departments), shift flags and a
    decision's links as one recorded step, so undo puts back exactly the fields written,
    if nobody changed them since. With ``decision``, the request's status travels as
    the decision's action, after the assignments, and the flags and links with it."""
    with undo.recording(session) as recorder:
        deciding = (
            nullcontext(None)
            if decision is None
            else outbox.action(
                session,
                _get(session, decision.leave_id),
                decision.action,
                decision.params,
                sets=DECISION_FIELDS,
            )
        )
        with deciding as action:
            for lid, state in leaves.items():
                _write_leave(session, lid, state)
            for sid, (people, departments) in assignments.items():
                shift = _shift(session, sid)
                if action is not None:  # the server's own handling of the action does it
                    action.cover(shift, ASSIGNMENT_FIELDS)
                shift.assign(people, departments)
            for sid, flag in flags.items():
                shift = _shift(session, sid)
                if action is not None:
                    action.cover(shift, ["flag"])
                if shift.flag != flag:
                    shift.flag = flag
            if decision is not None:
                _write_links(session, decision, action)
    touched = tuple(dict.fromkeys([*assignments, *flags]))
    result = recorder.result(ids=(*leaves, *touched))
    return result if decision is None else _travelling(result, decision, tuple(flags))


def _covering(action: outbox.Decision, decision: _Decision, flagged: Sequence[str]) -> None:
    """Name what the decision's action writes on the server besides the request."""
    for shift_id in flagged:
        action.cover((Shift, shift_id), ["flag"])
    for shift_id in decision.links or {}:
        action.cover((Shift, shift_id), ASSIGNMENT_FIELDS)
        action.cover((LeaveShiftLink, link_id(decision.leave_id, shift_id)))
    for lid in decision.unlinks:
        action.cover((LeaveShiftLink, lid))


def _travelling(result: OpResult, decision: _Decision, flagged: Sequence[str]) -> OpResult:
    """The decision's result whose undo withdraws its action while it is unsent (the
    server never hears of either) and whose redo queues it again; a decision the
    server has is reversed only by another one."""
    undo_fn = result.undo
    if undo_fn is None:
        return result

    def undo_decision(session: Session) -> OpResult:
        leave = _get(session, decision.leave_id)
        try:
            with outbox.withdrawal(session, leave, decision.action, sets=DECISION_FIELDS) as action:
                _covering(action, decision, flagged)
                back = undo_fn(session)
        except outbox.AlreadySent as exc:
            raise ValidationError(
                "status",
                f"the request was {leave.status} at the server already;"
                " only a new decision can change it",
            ) from exc
        return _redoing(back, decision, flagged)

    return replace(result, undo=undo_decision)


def _redoing(result: OpResult, decision: _Decision, flagged: Sequence[str]) -> OpResult:
    redo_fn = result.undo
    if redo_fn is None:
        return result

    def redo_decision(session: Session) -> OpResult:
        leave = _get(session, decision.leave_id)
        with outbox.action(
            session, leave, decision.action, decision.params, sets=DECISION_FIELDS
        ) as action:
            _covering(action, decision, flagged)
            again = redo_fn(session)
        return _travelling(again, decision, flagged)

    return replace(result, undo=redo_decision)


def _write_links(session: Session, decision: _Decision, action: outbox.Decision | None) -> None:
    leave = _get(session, decision.leave_id)
    for shift_id, note in (decision.links or {}).items():
        lid = link_id(leave.id, shift_id)
        if action is not None:
            action.cover((LeaveShiftLink, lid))
        link = session.get(LeaveShiftLink, lid)
        if link is None:
            session.add(
                LeaveShiftLink(
                    id=lid,
                    company_id=leave.company_id,
                    leave_id=leave.id,
                    shift_id=shift_id,
                    note=note,
                )
            )
            continue
        link.deleted = False
        if link.note != note:
            link.note = note
    for lid in decision.unlinks:
        link = session.get(LeaveShiftLink, lid)
        if action is not None:
            action.cover((LeaveShiftLink, lid))
        if link is not None and not link.deleted:
            link.deleted = True


def _shift(session: Session, shift_id: str) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound("shift", shift_id)
    return shift


def _get(session: Session, leave_id: str) -> LeaveRequest:
    leave = session.get(LeaveRequest, leave_id)
    if leave is None or leave.deleted:
        raise NotFound("leave request", leave_id)
    return leave


# --- requesting ---------------------------------------------------------------------------


def span(leave: LeaveRequest) -> str:
    """The dates of a request as people write them: ``2026-06-01 to 2026-06-03``."""
    dates = (
        f"{leave.start_date}"
        if leave.start_date == leave.end_date
        else f"{leave.start_date} to {leave.end_date}"
    )
    return f"{dates} {leave.start_time}–{leave.end_time}" if leave.start_time else dates


def _times(
    start_date: date, end_date: date, start_time: str | None, end_time: str | None
) -> tuple[str | None, str | None]:
    """Validated part-day times (both or neither), written as ``HH:MM``."""
    start_time, end_time = start_time or None, end_time or None
    if start_time is None and end_time is None:
        return None, None
    if start_time is None or end_time is None:
        missing = "start_time" if start_time is None else "end_time"
        raise ValidationError(missing, "a part-day leave needs both a start and an end time")
    if start_date != end_date:
        raise ValidationError("end_date", "a part-day leave is on one date; give one date")
    start, end = parse_hhmm(start_time, "start_time"), parse_hhmm(end_time, "end_time")
    if end <= start:
        raise ValidationError("end_time", f"{end_time} is not after the start time {start_time}")
    return f"{start:%H:%M}", f"{end:%H:%M}"


def overlapping_request(
    session: Session, candidate: LeaveRequest, tz_name: str
) -> LeaveRequest | None:
    """Another open request of the same person whose time overlaps the candidate's.

    Anything that writes requests (asking, editing, the demo) asks here first, so
    a person never holds two open requests for the same time.
    """
    start, end = leave_instants(candidate, tz_name)
    others = session.scalars(
        select(LeaveRequest)
        .where(
            LeaveRequest.employee_id == candidate.employee_id,
            LeaveRequest.status.in_(OPEN_STATUSES),
            LeaveRequest.deleted.is_(False),
            LeaveRequest.id != candidate.id,
            LeaveRequest.start_date <= candidate.end_date,
            LeaveRequest.end_date >= candidate.start_date,
        )
        .order_by(LeaveRequest.start_date)
    )
    return next((o for o in others if overlaps(start, end, *leave_instants(o, tz_name))), None)


def _request_state(
    session: Session,
    *,
    leave_id: str,
    employee_id: str,
    start_date: date,
    end_date: date,
    leave_type: str,
    start_time: str | None,
    end_time: str | None,
    reason: str,
) -> dict[str, Any]:
    """A pending request's state after every rule of asking for leave."""
    employee = session.get(Employee, employee_id)
    if employee is None or employee.deleted:
        raise ValidationError("employee", f"no employee with id {employee_id}")
    if not employee.active:
        raise ValidationError("employee", f"{employee.name} is inactive")
    if leave_type not in set(LeaveType):
        choices = ", ".join(t.value for t in LeaveType)
        raise ValidationError("leave_type", f"{leave_type!r} is not one of {choices}")
    if end_date < start_date:
        raise ValidationError("end_date", f"{end_date} is before the start date {start_date}")
    start_time, end_time = _times(start_date, end_date, start_time, end_time)
    _refuse_outside_employment(employee, start_date, end_date)
    refuse_days(session, employee.company_id, start_date, end_date, field="start_date")
    state: dict[str, Any] = {
        "company_id": employee.company_id,
        "employee_id": employee.id,
        "leave_type": LeaveType(leave_type).value,
        "start_date": start_date,
        "end_date": end_date,
        "start_time": start_time,
        "end_time": end_time,
        "status": LeaveStatus.PENDING.value,
        "reason": reason.strip(),
        "decided_by": None,
        "decided_at": None,
    }
    other = overlapping_request(session, LeaveRequest(id=leave_id, **state), employee.site.timezone)
    if other is not None:
        raise ValidationError(
            "start_date",
            f"{employee.name} already has {'an' if other.status[0] in 'aeiou' else 'a'}"
            f" {other.status} {other.leave_type} leave request"
            f" for {span(other)}",
        )
    return state


def _refuse_outside_employment(employee: Employee, start_date: date, end_date: date) -> None:
    """Leave is time off work: only days the person is employed on can be taken."""
    employment = Employment.of(employee)
    for field, day in (("start_date", start_date), ("end_date", end_date)):
        why = employment.outside(employee.name, day)
        if why is not None:
            raise ValidationError(field, f"{why}; leave can be taken only on days of employment")


def request_leave(
    session: Session,
    *,
    employee_id: str,
    start_date: date,
    end_date: date,
    leave_type: str,
    start_time: str | None = None,
    end_time: str | None = None,
    reason: str = "",
    leave_id: str | None = None,
) -> OpResult:
    """A new pending request; refused if it overlaps another open one of the person,
    touches a day of a closed pay period or a day the person is not employed on.

    ``leave_id`` is for a request made elsewhere (a site's offline copy on the server).
    """
    leave_id = leave_id or new_id()
    state = _request_state(
        session,
        leave_id=leave_id,
        employee_id=employee_id,
        start_date=start_date,
        end_date=end_date,
        leave_type=leave_type,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
    )
    return _apply(session, {leave_id: state})


#: What an edit of a pending request may change.
EDITABLE_FIELDS = (
    "employee_id",
    "leave_type",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "reason",
)


def edit_leave(session: Session, leave_id: str, **changes: Any) -> OpResult:
    """Change a pending request under the same rules as asking anew. A decided request
    changes only through its transitions: cancel it and ask again."""
    leave = _get(session, leave_id)
    for name in changes:
        if name not in EDITABLE_FIELDS:
            raise ValidationError(name, "cannot be changed by an edit")
    if leave.status != LeaveStatus.PENDING:
        raise IllegalState(
            "status", f"the request is {leave.status}; only a pending request can be changed"
        )
    current = {name: getattr(leave, name) for name in EDITABLE_FIELDS}
    state = _request_state(session, leave_id=leave_id, **{**current, **changes})
    return _apply(session, {leave_id: state})


# --- clashes ------------------------------------------------------------------------------


def leave_clashes(session: Session, leave_id: str) -> list[Shift]:
    """Live, non-cancelled shifts of the person (named or through their department)
    that the leave covers any part of, judged on absolute instants."""
    leave = _get(session, leave_id)
    employee = leave.employee
    start, end = leave_instants(leave, employee.site.timezone)
    # A shift dated the day before can run overnight into the leave.
    shifts = shifts_of_employee(
        session, employee, leave.start_date - timedelta(days=1), leave.end_date
    )
    return _covered(shifts, start, end)


_Bound = TypeVar("_Bound", Shift, BoundShift)


def _covered(shifts: Sequence[_Bound], start: datetime, end: datetime) -> list[_Bound]:
    """The shifts, not cancelled, that leave from ``start`` to ``end`` touches."""
    return [
        s
        for s in shifts
        if s.status != ShiftStatus.CANCELLED and overlaps(start, end, s.start_utc, s.end_utc)
    ]


#: Requests whose clashes matter: one waiting for a decision, and one approved with
#: the person kept on shifts it covers.
CLASHING_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


def clash_counts(session: Session, leave_ids: Sequence[str]) -> dict[str, int]:
    """How many shifts each pending or approved request clashes with, as
    :func:`leave_clashes` judges them, for a whole list: two statements (the
    requests with their people's zones, then the people's shifts), however many."""
    rows = session.execute(
        select(LeaveRequest, Site.timezone)
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .join(Site, Site.id == Employee.site_id)
        .where(
            LeaveRequest.id.in_(list(leave_ids)),
            LeaveRequest.deleted.is_(False),
            LeaveRequest.status.in_(CLASHING_STATUSES),
        )
    ).all()
    by_person: dict[str, list[LeaveRequest]] = {}
    for leave, _ in rows:
        by_person.setdefault(leave.employee_id, []).append(leave)
    # A shift dated the day before a request can run overnight into it.
    shifts = shifts_of_employees(
        session,
        {
            emp: (
                min(r.start_date for r in requests) - timedelta(days=1),
                max(r.end_date for r in requests),
            )
            for emp, requests in by_person.items()
        },
    )
    counts: dict[str, int] = {}
    for leave, tz_name in rows:
        start, end = leave_instants(leave, tz_name)
        counts[leave.id] = len(_covered(shifts[leave.employee_id], start, end))
    return counts


def _label(shift: Shift) -> str:
    return shift_label(shift.shift_date, shift.start_time, shift.end_time)


def _via_department(shift: Shift, employee: Employee) -> bool:
    return employee.id not in shift.employee_ids


def approval_conflicts(session: Session, leave_id: str) -> tuple[Conflict, ...]:
    """What approving would clash with, one readable reason per shift; writes nothing."""
    return _as_conflicts(_get(session, leave_id).employee, leave_clashes(session, leave_id))


def _as_conflicts(employee: Employee, clashes: list[Shift]) -> tuple[Conflict, ...]:
    dept = employee.department.name if employee.department else "their department"
    return tuple(
        Conflict(
            "leave",
            employee.id,
            shift.id,
            f"{employee.name} works {_label(shift)}"
            + (f" (assigned through {dept})" if _via_department(shift, employee) else ""),
        )
        for shift in clashes
    )


# --- deciding -----------------------------------------------------------------------------


def _decided(leave: LeaveRequest, status: str, actor: str) -> dict[str, Any]:
    check_transition(leave.status, status)
    if not actor.strip():
        raise ValidationError("actor", "say who decides")
    state = _leave_state(leave)
    assert state is not None
    return {**state, "status": status, "decided_by": actor.strip(), "decided_at": utcnow()}


def _unassigned(
    session: Session, shift: Shift, employee: Employee
) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], list[RuleWarning]]:
    """The shift's people and departments without ``employee``. A department assignment
    cannot drop one member, so it becomes the department's other active members named
    one by one."""
    people = [e for e in shift.employee_ids if e != employee.id]
    departments = list(shift.assigned_department_ids)
    warnings: list[RuleWarning] = []
    dept_id = employee.department_id
    if dept_id in departments:
        departments.remove(dept_id)
        others = [m for m in members_of(session, [dept_id]) if m != employee.id]
        people += [m for m in others if m not in people]
        dept = session.get(Department, dept_id)
        warnings.append(
            RuleWarning(
                "department_split",
                employee.id,
                f"{_label(shift)} was assigned to {dept.name if dept else 'a department'};"
                f" its other members are now assigned by name, without {employee.name}",
            )
        )
    if not people and not departments:
        warnings.append(
            RuleWarning("open_shift", employee.id, f"{_label(shift)} is now an open shift")
        )
    return (tuple(people), tuple(departments)), warnings


def approve_leave(
    session: Session, leave_id: str, *, actor: str, on_clash: str | None = None
) -> OpResult:
    """Approve a pending request; refused, as asking is, when it touches a day of a
    closed pay period or a day the person is not employed on (dates set since).

    With shifts it clashes with and no ``on_clash``, nothing is applied and the
    result's ``conflicts`` name each shift. ``"unassign"`` takes the person off them
    (a shift left with nobody stays, as an open shift); ``"keep"`` leaves them on and
    sets each shift's ``flag`` to say why. Either way each shift is linked to the
    request, so the leave credits the hours the person was scheduled.
    """
    leave = _get(session, leave_id)
    _refuse_closed(session, leave)
    _refuse_outside_employment(leave.employee, leave.start_date, leave.end_date)
    decided = _decided(leave, LeaveStatus.APPROVED, actor)
    if on_clash is not None and on_clash not in set(ClashChoice):
        raise ValidationError("on_clash", f"{on_clash!r} is not one of unassign, keep")
    clashes = leave_clashes(session, leave_id)
    if clashes and on_clash is None:
        return OpResult(conflicts=_as_conflicts(leave.employee, clashes))
    employee = leave.employee
    shifts: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    flags: dict[str, str] = {}
    notes: dict[str, str] = {}
    warnings: list[RuleWarning] = []
    for shift in clashes:
        if on_clash == ClashChoice.UNASSIGN:
            shifts[shift.id], found = _unassigned(session, shift, employee)
            warnings.extend(found)
            # The link remembers the person was scheduled there: the leave credits
            # those hours (core.attendance), and the shift's flag stays as it was.
            notes[shift.id] = (
                f"{employee.name} {leave_label(leave)} and was taken off this shift"
                f" when {decided['decided_by']} approved it."
            )
        else:
            notes[shift.id] = (
                f"{employee.name} {leave_label(leave)} but was kept on this shift"
                f" when {decided['decided_by']} approved it."
            )
            flags[shift.id] = f"{shift.flag} {notes[shift.id]}".strip()
    decision = _Decision(leave_id, "approve", {"onClash": on_clash}, links=notes)
    result = _apply(session, {leave_id: decided}, shifts, flags, decision)
    return replace(result, warnings=tuple(warnings))


def kept_links(session: Session, leave_id: str) -> list[LeaveShiftLink]:
    """The live shift links of a request: the shifts its approval kept the person on
    (with the note it put on each) or took them off."""
    return list(
        session.scalars(
            select(LeaveShiftLink)
            .where(LeaveShiftLink.leave_id == leave_id, LeaveShiftLink.deleted.is_(False))
            .order_by(LeaveShiftLink.shift_id)
        )
    )


def _flags_cleared(session: Session, links: Sequence[LeaveShiftLink]) -> dict[str, str]:
    """Each linked shift's flag without the note the link says the leave put there (and
    nothing a supervisor wrote there)."""
    cleared: dict[str, str] = {}
    for link in links:
        shift = session.get(Shift, link.shift_id)
        if shift is None:
            continue
        flag = cleared.get(shift.id, shift.flag)
        if link.note and link.note in flag:
            cleared[shift.id] = " ".join(flag.replace(link.note, "").split())
    return cleared


def _refuse_closed(session: Session, leave: LeaveRequest) -> None:
    """A decision on leave touching a closed pay period would change what it paid."""
    refuse_days(session, leave.company_id, leave.start_date, leave.end_date, field="start_date")


def reject_leave(session: Session, leave_id: str, *, actor: str) -> OpResult:
    leave = _get(session, leave_id)
    _refuse_closed(session, leave)
    decided = _decided(leave, LeaveStatus.REJECTED, actor)
    return _apply(session, {leave_id: decided}, decision=_Decision(leave_id, "reject"))


def cancel_leave(session: Session, leave_id: str, *, actor: str) -> OpResult:
    """Withdraw a pending or approved request.

    The clash is over, so the notes a "keep" approval put on shifts come off
    (undo puts them back); people taken off shifts at approval stay off, as
    the roster may have been filled since.
    """
    leave = _get(session, leave_id)
    _refuse_closed(session, leave)
    decided = _decided(leave, LeaveStatus.CANCELLED, actor)
    links = kept_links(session, leave_id)
    decision = _Decision(leave_id, "cancel", unlinks=[link.id for link in links])
    return _apply(
        session, {leave_id: decided}, flags=_flags_cleared(session, links), decision=decision
    )


def delete_leave(session: Session, leave_id: str) -> OpResult:
    """Remove a request that never took effect (pending, rejected or cancelled), such
    as one entered by mistake. An approved one changed the schedule: cancel it."""
    leave = _get(session, leave_id)
    if leave.status == LeaveStatus.APPROVED:
        raise IllegalState("status", "the request is approved; cancel it rather than delete it")
    with undo.recording(session) as recorder:
        leave.deleted = True
    return recorder.result(ids=(leave_id,))


# --- listing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveRow:
    id: str
    employee_id: str
    employee: str
    leave_type: str
    start_date: date
    end_date: date
    start_time: str | None
    end_time: str | None
    status: str
    reason: str
    decided_by: str | None
    decided_at: datetime | None


def list_leave(
    session: Session,
    *,
    status: str | None = None,
    employee_id: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[LeaveRow]:
    """Requests, newest dates last; a date range keeps those overlapping it."""
    if status is not None and status not in set(LeaveStatus):
        choices = ", ".join(s.value for s in LeaveStatus)
        raise ValidationError("status", f"{status!r} is not one of {choices}")
    query = (
        select(LeaveRequest, Employee)
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .where(LeaveRequest.deleted.is_(False))
    )
    if status is not None:
        query = query.where(LeaveRequest.status == status)
    if employee_id is not None:
        query = query.where(LeaveRequest.employee_id == employee_id)
    if first is not None:
        query = query.where(LeaveRequest.end_date >= first)
    if last is not None:
        query = query.where(LeaveRequest.start_date <= last)
    query = query.order_by(
        LeaveRequest.start_date, Employee.last_name, Employee.first_name, LeaveRequest.id
    )
    return [
        LeaveRow(
            id=leave.id,
            employee_id=emp.id,
            employee=emp.name,
            leave_type=leave.leave_type,
            start_date=leave.start_date,
            end_date=leave.end_date,
            start_time=leave.start_time,
            end_time=leave.end_time,
            status=leave.status,
            reason=leave.reason,
            decided_by=leave.decided_by,
            decided_at=leave.decided_at,
        )
        for leave, emp in session.execute(query)
    ]
