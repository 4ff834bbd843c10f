"""Leave requests on the server: the state machine and the clash check on approval.

The transition table is core's business. Until ``core.leave`` (with
``LEAVE_TRANSITIONS`` and the approve/reject/cancel operations) is on main, the
table is read through :func:`transitions` alone, so switching is a one-line change.
The clash check is core's: :mod:`core.conflicts` finds the shifts an approval
would cover.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from core.conflicts import leave_instants, load_index
from core.errors import ConflictError
from core.models import Employee, LeaveRequest, LeaveStatus
from core.timeutil import parse_hhmm, utcnow
from core.wire import INVALID, Problem, WireError
from server.envelope import ApiError

_TRANSITIONS: Mapping[str, frozenset[str]] = {
    LeaveStatus.PENDING: frozenset(
        {LeaveStatus.APPROVED, LeaveStatus.REJECTED, LeaveStatus.CANCELLED}
    ),
    LeaveStatus.APPROVED: frozenset({LeaveStatus.CANCELLED}),
    LeaveStatus.REJECTED: frozenset(),
    LeaveStatus.CANCELLED: frozenset(),
}


def transitions() -> Mapping[str, frozenset[str]]:
    """Which status may follow which; becomes ``core.leave.LEAVE_TRANSITIONS``."""
    return _TRANSITIONS


def check_shape(leave: LeaveRequest) -> None:
    """Dates in order; a part day has both times, on one date, start before end."""
    problems = []
    if leave.end_date < leave.start_date:
        problems.append(Problem("endDate", INVALID, "must not be before startDate"))
    if (leave.start_time is None) != (leave.end_time is None):
        name = "endTime" if leave.end_time is None else "startTime"
        problems.append(Problem(name, INVALID, "a part day needs both startTime and endTime"))
    elif leave.start_time is not None and leave.end_time is not None:
        if leave.start_date != leave.end_date:
            problems.append(Problem("endDate", INVALID, "a part day covers one date"))
        if parse_hhmm(leave.end_time) <= parse_hhmm(leave.start_time):
            problems.append(Problem("endTime", INVALID, "must be after startTime"))
    if problems:
        raise WireError(problems)


def clashing_shifts(session: Session, leave: LeaveRequest) -> list:
    """Core's conflicts of the shifts this leave would cover once approved."""
    employee = session.get(Employee, leave.employee_id)
    assert employee is not None
    start, end = leave_instants(leave, employee.site.timezone)
    index = load_index(session, [employee.id], start, end, company_id=leave.company_id)
    check = index.check([employee.id], start, end, leave.start_date, frozenset({leave.id}))
    return [c for c in check.conflicts if c.kind == "overlap"]


def change_status(
    session: Session, leave: LeaveRequest, to: str, actor: str, *, keep_shifts: bool = False
) -> None:
    """Move the request to ``to``: 422 when the state machine forbids it, 409 when an
    approval would clash with assigned shifts (unless they are to be kept)."""
    if to == leave.status:
        return
    if to not in transitions().get(leave.status, frozenset()):
        raise ApiError(
            422,
            "ILLEGAL_TRANSITION",
            f"a {leave.status} leave request cannot become {to}",
            {"from": leave.status, "to": to, "allowed": sorted(transitions()[leave.status])},
        )
    if to == LeaveStatus.APPROVED and not keep_shifts:
        clashes = clashing_shifts(session, leave)
        if clashes:
            raise ConflictError(clashes)
    leave.status = to
    if to in (LeaveStatus.APPROVED, LeaveStatus.REJECTED):
        leave.decided_by = actor
        leave.decided_at = utcnow()
