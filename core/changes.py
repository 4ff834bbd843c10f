"""The kinds of data an operation (or a pull) moved, so each view refreshes only those.

One typed flag instead of strings spelled in two layers: a view listens for
``Changes.SHIFTS | Changes.LEAVE`` and a typo is an AttributeError, not a view
that silently never refreshes. :func:`of_model` says which kind a row belongs to,
so the undo recorder and the replica derive ``changed`` from the rows they wrote.
"""

from __future__ import annotations

from enum import Flag, auto

from core.models import (
    AttendanceApproval,
    AttendanceCorrection,
    ClockEvent,
    Company,
    Department,
    Employee,
    LeaveRequest,
    LeaveShiftLink,
    PayPeriod,
    PayPolicy,
    Shift,
    ShiftTemplate,
    Site,
)


class Changes(Flag):
    NONE = 0
    #: The company, its sites and its pay policy.
    ORGANISATION = auto()
    DEPARTMENTS = auto()
    EMPLOYEES = auto()
    TEMPLATES = auto()
    SHIFTS = auto()
    LEAVE = auto()
    #: Clock events (punches).
    PUNCHES = auto()
    #: Attendance corrections and approvals.
    ATTENDANCE = auto()
    #: The outbox, conflicts and sync runs: what the sync view and the status bar show.
    SYNC = auto()
    #: Pay periods closed or reopened.
    PAY_PERIODS = auto()


_BY_MODEL: dict[type, Changes] = {
    Company: Changes.ORGANISATION,
    Site: Changes.ORGANISATION,
    PayPolicy: Changes.ORGANISATION,
    Department: Changes.DEPARTMENTS,
    Employee: Changes.EMPLOYEES,
    ShiftTemplate: Changes.TEMPLATES,
    Shift: Changes.SHIFTS,
    LeaveRequest: Changes.LEAVE,
    LeaveShiftLink: Changes.LEAVE,
    ClockEvent: Changes.PUNCHES,
    AttendanceCorrection: Changes.ATTENDANCE,
    AttendanceApproval: Changes.ATTENDANCE,
    PayPeriod: Changes.PAY_PERIODS,
}


def of_model(model: type) -> Changes:
    """The kind of data rows of ``model`` are; NONE for bookkeeping tables."""
    for klass in model.__mro__:
        if klass in _BY_MODEL:
            return _BY_MODEL[klass]
    return Changes.NONE
