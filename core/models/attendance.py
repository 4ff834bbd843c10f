"""Punches (append-only) and the supervisor's corrections to derived attendance."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Synced, new_id
from core.timeutil import utcnow


class PunchKind(StrEnum):
    IN = "in"
    OUT = "out"
    BREAK_START = "break_start"
    BREAK_END = "break_end"


class PunchSource(StrEnum):
    MANUAL = "manual"
    LOCK = "lock"
    IMPORT = "import"


class ClockEvent(Synced, Base):
    """One punch at a UTC instant; never edited, so it cannot conflict when syncing."""

    __tablename__ = "clock_event"
    __collection__ = "clockevents"
    #: Never changed or removed once the server has it (see core.undo).
    __append_only__ = True
    __table_args__ = (
        UniqueConstraint("employee_id", "at_utc", "kind"),
        Index("ix_clock_event_employee_at", "employee_id", "at_utc"),
    )

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employee.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at_utc: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default=PunchSource.MANUAL)
    device_id: Mapped[str | None] = mapped_column(String(100), default=None)


class AttendanceCorrection(Synced, Base):
    """A supervisor's override of one employee-day, kept beside the punches it corrects.

    Each field left ``None`` keeps what the punches say; the newest correction of a
    day wins. Sign-off is an :class:`AttendanceApproval`.
    """

    __tablename__ = "attendance_correction"
    __collection__ = "attendancecorrections"
    __table_args__ = (Index("ix_correction_employee_day", "employee_id", "work_date"),)

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employee.id"))
    work_date: Mapped[date]
    clock_in: Mapped[datetime | None] = mapped_column(default=None)
    clock_out: Mapped[datetime | None] = mapped_column(default=None)
    break_minutes: Mapped[int | None] = mapped_column(default=None)
    excused: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))


class AuditEntry(Base):
    """Who did what to which record, and why; written by operations that need a trail."""

    __tablename__ = "audit_entry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    record_kind: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class AttendanceApproval(Synced, Base):
    """A supervisor's sign-off of one employee-day as it then stood."""

    __tablename__ = "attendance_approval"
    __collection__ = "attendanceapprovals"
    __table_args__ = (UniqueConstraint("employee_id", "work_date"),)

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employee.id"))
    work_date: Mapped[date]
    approved_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
