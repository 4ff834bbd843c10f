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
from core.models.leave import (
    PAID_LEAVE_TYPES,
    LeaveRequest,
    LeaveShiftLink,
    LeaveStatus,
    LeaveType,
)
from core.models.org import Company, Department, Employee, Site
from core.models.outbox import OutboxEntry, OutboxOp, OutboxState
from core.models.period import PayPeriod
from core.models.policy import PayPolicy
from core.models.schedule import (
    Shift,
    ShiftDepartment,
    ShiftEmployee,
    ShiftStatus,
    ShiftTemplate,
)
from core.models.sync import ConflictStatus, PullCursor, RunOutcome, SyncConflict, SyncRun

__all__ = [
    "PAID_LEAVE_TYPES",
    "AttendanceApproval",
    "AttendanceCorrection",
    "AuditEntry",
    "Base",
    "ClockEvent",
    "Company",
    "ConflictStatus",
    "Department",
    "Employee",
    "LeaveRequest",
    "LeaveShiftLink",
    "LeaveStatus",
    "LeaveType",
    "OutboxEntry",
    "OutboxOp",
    "OutboxState",
    "PayPeriod",
    "PayPolicy",
    "PullCursor",
    "PunchKind",
    "PunchSource",
    "RunOutcome",
    "Shift",
    "ShiftDepartment",
    "ShiftEmployee",
    "ShiftStatus",
    "ShiftTemplate",
    "Site",
    "SyncConflict",
    "SyncRun",
    "Synced",
    "new_id",
]
