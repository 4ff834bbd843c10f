"""Shifts as plain rows for listings: whose shifts fall in a date range.

A person works a shift when named on it or when the shift is assigned to their
department (as :func:`core.conflicts.members_of` counts them: active members only),
so "Anna's shifts" here are the same shifts the conflict rules hold against her.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Date, String, and_, column, or_, select, union, values
from sqlalchemy.orm import Session

from core.employees import get_employee
from core.models import Department, Employee, Shift, ShiftDepartment, ShiftEmployee
from core.scheduling import Publication, live_shifts, publication


def shifts_of_employee(
    session: Session, employee: Employee, first: date, last: date
) -> list[Shift]:
    """Live shifts dated ``first``..``last`` that bind ``employee``, in time order."""
    bound = Shift.id.in_(
        select(ShiftEmployee.shift_id).where(ShiftEmployee.employee_id == employee.id)
    )
    if employee.department_id and employee.active:
        bound = or_(
            bound,
            Shift.id.in_(
                select(ShiftDepartment.shift_id).where(
                    ShiftDepartment.department_id == employee.department_id
                )
            ),
        )
    query = select(Shift).where(
        Shift.deleted.is_(False), Shift.shift_date >= first, Shift.shift_date <= last, bound
    )
    return list(session.scalars(query.order_by(Shift.start_utc, Shift.id)))


class BoundShift(NamedTuple):
    """A live shift that binds a person, as plain values."""

    id: str
    shift_date: date
    status: str
    start_utc: datetime
    end_utc: datetime


def shifts_of_employees(
    session: Session, windows: Mapping[str, tuple[date, date]]
) -> dict[str, list[BoundShift]]:
    """:func:`shifts_of_employee` for many people in one statement: per employee id,
    the live shifts that bind them dated in their own ``(first, last)`` window, in
    time order."""
    found: dict[str, list[BoundShift]] = {emp: [] for emp in windows}
    if not windows:
        return found
    wanted = (
        values(column("emp", String), column("first", Date), column("last", Date), name="wanted")
        .data([(emp, first, last) for emp, (first, last) in windows.items()])
        .cte("wanted")
    )
    dated = and_(
        Shift.deleted.is_(False),
        Shift.shift_date >= wanted.c.first,
        Shift.shift_date <= wanted.c.last,
    )
    named = (
        select(wanted.c.emp, Shift.id)
        .join(ShiftEmployee, ShiftEmployee.employee_id == wanted.c.emp)
        .join(Shift, Shift.id == ShiftEmployee.shift_id)
        .where(dated)
    )
    teams = (
        select(wanted.c.emp, Shift.id)
        .join(Employee, Employee.id == wanted.c.emp)
        .join(ShiftDepartment, ShiftDepartment.department_id == Employee.department_id)
        .join(Shift, Shift.id == ShiftDepartment.shift_id)
        .where(Employee.active.is_(True), dated)
    )
    bound = union(named, teams).subquery()  # a shift both named and a team's once
    rows = session.execute(
        select(
            bound.c.emp,
            Shift.id,
            Shift.shift_date,
            Shift.status,
            Shift.start_utc,
            Shift.end_utc,
        )
        .join(Shift, Shift.id == bound.c.id)
        .order_by(Shift.start_utc, Shift.id)
    )
    for emp, *shift in rows:
        found[emp].append(BoundShift(*shift))
    return found


@dataclass(frozen=True)
class Named:
    id: str
    name: str


@dataclass(frozen=True)
class ShiftRow:
    id: str
    date: date
    start: str
    end: str
    location: str
    status: str
    published: bool
    employees: tuple[Named, ...]
    departments: tuple[Named, ...]
    flag: str
    changed_since_published: bool = False

    @property
    def publication(self) -> Publication:
        return publication(self.published, self.changed_since_published)


def shift_rows(
    session: Session, first: date, last: date, *, employee_id: str | None = None
) -> list[ShiftRow]:
    """The shifts of a date range (optionally one person's) with names resolved."""
    if employee_id is None:
        shifts = live_shifts(session, first, last)
    else:
        shifts = shifts_of_employee(session, get_employee(session, employee_id), first, last)
    emp_ids = {e for s in shifts for e in s.employee_ids}
    dept_ids = {d for s in shifts for d in s.assigned_department_ids}
    people = {
        e.id: e.name for e in session.scalars(select(Employee).where(Employee.id.in_(emp_ids)))
    }
    depts = {
        d.id: d.name for d in session.scalars(select(Department).where(Department.id.in_(dept_ids)))
    }
    return [
        ShiftRow(
            id=s.id,
            date=s.shift_date,
            start=s.start_time,
            end=s.end_time,
            location=s.location,
            status=s.status,
            published=s.published,
            employees=tuple(Named(e, people.get(e, e)) for e in s.employee_ids),
            departments=tuple(Named(d, depts.get(d, d)) for d in s.assigned_department_ids),
            flag=s.flag,
            changed_since_published=s.changed_since_published,
        )
        for s in shifts
    ]
