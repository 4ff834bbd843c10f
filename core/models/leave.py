"""Leave requests and their states."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Synced
from core.models.org import Employee


class LeaveStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class LeaveType(StrEnum):
    PAID = "paid"
    UNPAID = "unpaid"
    SICK = "sick"
    PARENTAL = "parental"
    OTHER = "other"


#: Leave types that count as paid hours in payroll.
PAID_LEAVE_TYPES = frozenset({LeaveType.PAID, LeaveType.SICK})


class LeaveRequest(Synced, Base):
    """Whole days from ``start_date`` to ``end_date``, or part of one day.

    A part-day request has ``start_time``/``end_time`` and one date.
    """

    __tablename__ = "leave_request"
    __collection__ = "leaverequests"
    __table_args__ = (Index("ix_leave_employee_range", "employee_id", "start_date"),)

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    employee_id: Mapped[str] = mapped_column(ForeignKey("employee.id"))
    leave_type: Mapped[str] = mapped_column(String(16), default=LeaveType.PAID)
    start_date: Mapped[date]
    end_date: Mapped[date]
    start_time: Mapped[str | None] = mapped_column(String(5), default=None)
    end_time: Mapped[str | None] = mapped_column(String(5), default=None)
    status: Mapped[str] = mapped_column(String(16), default=LeaveStatus.PENDING)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(100), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)

    employee: Mapped[Employee] = relationship()

    @property
    def part_day(self) -> bool:
        return self.start_time is not None


class LeaveShiftLink(Synced, Base):
    """A shift the person was scheduled on when their leave was approved: kept on it
    (the note is also on the shift's flag, so ending the leave can take exactly that
    note off again) or taken off it (the leave credits the shift's hours)."""

    __tablename__ = "leave_shift_link"
    __collection__ = "leaveshiftlinks"

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    leave_id: Mapped[str] = mapped_column(ForeignKey("leave_request.id"), index=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shift.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
