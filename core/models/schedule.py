"""Templates and shifts, with who and which departments a shift is assigned to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Synced
from core.models.org import Site


class ShiftStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ShiftTemplate(Synced, Base):
    """A recurring shift pattern: local times plus an RFC 5545 RRULE from ``dtstart``."""

    __tablename__ = "shift_template"
    __collection__ = "shifttemplates"

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    rrule: Mapped[str] = mapped_column(Text)
    dtstart: Mapped[date]
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"), default=None)
    location: Mapped[str] = mapped_column(String(200), default="")

    site: Mapped[Site] = relationship()


class Shift(Synced, Base):
    """A shift on a local date; ``start_utc``/``end_utc`` are derived for the rules.

    The derived instants are kept by the operations in ``core.scheduling`` and are
    what conflict queries range over, so a check is an index range, not a scan.
    """

    __tablename__ = "shift"
    __collection__ = "shifts"

    # No index on the company, on (site, start) or on the start alone: a store
    # holds one company and mostly one site, so the first two narrow nothing, no
    # query ranges over the third, and every bulk write paid for all three
    # (migration 0007). Ranges go through ``shift_date``, clash checks through a
    # person's assignments. The server, holding many companies, creates its own.
    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"))
    shift_date: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    start_utc: Mapped[datetime]
    end_utc: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[str | None] = mapped_column(
        ForeignKey("department.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ShiftStatus.SCHEDULED)
    template_id: Mapped[str | None] = mapped_column(ForeignKey("shift_template.id"), default=None)
    published: Mapped[bool] = mapped_column(default=False)
    #: Published, then moved or edited where staff would see it: the published copy
    #: staff have is out of date until the shift is published again. Kept by
    #: core.scheduling; not on the wire (the server keeps its own through the same
    #: operations).
    changed_since_published: Mapped[bool] = mapped_column(default=False, server_default=false())
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Why a supervisor should look again (e.g. kept although leave was approved).
    flag: Mapped[str] = mapped_column(Text, default="")

    site: Mapped[Site] = relationship()
    employees: Mapped[list[ShiftEmployee]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", lazy="selectin"
    )
    departments: Mapped[list[ShiftDepartment]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def employee_ids(self) -> list[str]:
        return sorted(a.employee_id for a in self.employees)

    @property
    def assigned_department_ids(self) -> list[str]:
        return sorted(a.department_id for a in self.departments)

    def assign(self, employee_ids: Sequence[str], department_ids: Sequence[str]) -> None:
        """Make these the shift's people and departments, keeping the rows that stay
        (so an unchanged assignment is no change at all)."""
        kept = [a for a in self.employees if a.employee_id in employee_ids]
        have = {a.employee_id for a in kept}
        new = [ShiftEmployee(employee_id=e) for e in employee_ids if e not in have]
        if new or len(kept) != len(self.employees):
            self.employees = kept + new
        kept_d = [a for a in self.departments if a.department_id in department_ids]
        have = {a.department_id for a in kept_d}
        new_d = [ShiftDepartment(department_id=d) for d in department_ids if d not in have]
        if new_d or len(kept_d) != len(self.departments):
            self.departments = kept_d + new_d


class ShiftEmployee(Base):
    """An employee assigned to a shift; part of the shift's aggregate when syncing."""

    __tablename__ = "shift_employee"

    shift_id: Mapped[str] = mapped_column(
        ForeignKey("shift.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[str] = mapped_column(
        ForeignKey("employee.id"), primary_key=True, index=True
    )

    shift: Mapped[Shift] = relationship(back_populates="employees")


class ShiftDepartment(Base):
    """A department a shift is assigned to: every member counts as assigned."""

    __tablename__ = "shift_department"

    shift_id: Mapped[str] = mapped_column(
        ForeignKey("shift.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[str] = mapped_column(
        ForeignKey("department.id"), primary_key=True, index=True
    )

    shift: Mapped[Shift] = relationship(back_populates="departments")
