"""Typed SQLAlchemy models of the local store, one module per aggregate."""

from core.models.attendance import (
    AttendanceApproval,
    AttendanceCorrection,
    AuditEntry,
    ClockEvent,
    PunchKind,
    PunchSource,
)
from core.models.base import Base, Synced, new_id
from core.models.leave import PAID_LEAVE_TYPES, LeaveRequest, LeaveStatus, LeaveType
from core.models.org import Company, Department, Employee, Site
from core.models.outbox import OutboxEntry, OutboxOp
from core.models.policy import PayPolicy
from core.models.schedule import (
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftStatus,
    ShiftTemplate,
)

__all__ = [
    "PAID_LEAVE_TYPES",
    "AttendanceApproval",
    "AttendanceCorrection",
    "AuditEntry",
    "Base",
    "ClockEvent",
    "Company",
    "Department",
    "Employee",
    "LeaveRequest",
    "LeaveStatus",
    "LeaveType",
    "OutboxEntry",
    "OutboxOp",
    "PayPolicy",
    "PunchKind",
    "PunchSource",
    "Shift",
    "ShiftDepartment",
    "ShiftEmployee",
    "ShiftStatus",
    "ShiftTemplate",
    "Site",
    "Synced",
    "new_id",
]
