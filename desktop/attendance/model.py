"""Qt models of the Attendance view over one :func:`core.attendance.attendance` snapshot.

:class:`DayModel` has one row per employee-day (people in name order, then their
days); :class:`TotalsModel` one row per person with the period's sums. Both hold
plain values handed over by the page and never open a session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from core.attendance import DayRecord, Person
from core.money import hours, minutes_to_hours
from core.timeutil import to_local
from desktop.attendance.flags import LOOKS, problem_chips, status_chips
from desktop.table import AnyIndex, TableModel

DAY_ROLE = Qt.ItemDataRole.UserRole + 1
CHIPS_ROLE = Qt.ItemDataRole.UserRole + 2
MUTED = QColor("#6b7785")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Snapshot:
    """What the view shows: the people (name order), their department names, their days."""

    people: Mapping[str, Person]
    departments: Mapping[str, str]
    days: tuple[DayRecord, ...]

    @classmethod
    def empty(cls) -> Snapshot:
        return cls({}, {}, ())


def clock(instant: datetime | None, day: DayRecord) -> str:
    """Local ``HH:MM``; ``(+1)`` when it falls on the next day (an overnight shift)."""
    if instant is None:
        return ""
    local = to_local(instant, day.timezone)
    offset = (local.date() - day.work_date).days
    return f"{local:%H:%M}" + (f" ({offset:+d})" if offset else "")


def hours_text(minutes: int) -> str:
    return f"{hours(minutes_to_hours(minutes))}"


def has_problem(day: DayRecord) -> bool:
    return day.has_problem


def _scheduled(day: DayRecord) -> str:
    return ", ".join(f"{clock(s.start, day)}–{clock(s.end, day)}" for s in day.shifts)


def _blank_zero(value: int) -> str:
    return str(value) if value else ""


Row = TypeVar("Row")


@dataclass(frozen=True)
class Column(Generic[Row]):
    header: str
    text: Callable[[Row], str]
    align: Qt.AlignmentFlag = LEFT
    tip: str = ""


class _ColumnsModel(TableModel):
    """A table of :class:`Column` s: their headers, tips and alignment."""

    columns: tuple[Column[Any], ...] = ()

    def column_total(self) -> int:
        return len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        return None


DAY_COLUMNS: tuple[Column[DayRecord], ...] = (
    Column("Employee", lambda d: ""),  # filled from the snapshot's people
    Column("Date", lambda d: f"{d.work_date:%a %d %b}"),
    Column("Scheduled", _scheduled, tip="Shift times, local"),
    Column("In", lambda d: clock(d.first_in, d), tip="First clock-in"),
    Column("Out", lambda d: clock(d.last_out, d), tip="Last clock-out"),
    Column("Break min", lambda d: _blank_zero(d.break_minutes), RIGHT),
    Column("Worked h", lambda d: hours_text(d.worked_minutes) if d.worked_minutes else "", RIGHT),
    Column("Late min", lambda d: _blank_zero(d.late_minutes), RIGHT, "Beyond the grace period"),
    Column("Early min", lambda d: _blank_zero(d.early_minutes), RIGHT, "Left before shift end"),
    Column(
        "Overtime h",
        lambda d: hours_text(d.overtime_minutes) if d.overtime_minutes else "",
        RIGHT,
        "Daily and weekly overtime",
    ),
    Column("Status", lambda d: ", ".join(c.text for c in status_chips(d))),
    Column("Flags", lambda d: ", ".join(c.text for c in problem_chips(d))),
)
NAME, STATUS, FLAGS = 0, 10, 11


def _status_tip(day: DayRecord) -> str:
    lines = []
    c = day.correction
    if c is not None:
        lines.append(f"Corrected by {c.author}: {c.reason}")
        if c.excused:
            lines.append("Excused: lateness, early leave and absence forgiven")
    if day.approved:
        assert day.approved_at is not None
        when = to_local(day.approved_at, day.timezone)
        lines.append(f"Approved by {day.approved_by} on {when:%d %b %H:%M}")
    elif day.approved_at is not None:
        lines.append("Corrected after its approval: approve it again")
    return "\n".join(lines)


def _flags_tip(day: DayRecord) -> str:
    return "\n".join(f"{LOOKS[str(f)].label}: {LOOKS[str(f)].explains}" for f in day.flags)


class DayModel(_ColumnsModel):
    columns = DAY_COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshot = Snapshot.empty()
        self._rows: list[DayRecord] = []

    def set_snapshot(self, snapshot: Snapshot, days: Sequence[DayRecord]) -> None:
        """Show ``days`` (a filtered part of ``snapshot.days``), by person then date."""
        rank = {pid: n for n, pid in enumerate(snapshot.people)}
        self.beginResetModel()
        self._snapshot = snapshot
        self._rows = sorted(days, key=lambda d: (rank[d.employee_id], d.work_date))
        self.endResetModel()

    def day(self, row: int) -> DayRecord:
        return self._rows[row]

    def row_of(self, employee_id: str, work_date: date) -> int:
        for n, d in enumerate(self._rows):
            if (d.employee_id, d.work_date) == (employee_id, work_date):
                return n
        return -1

    def name(self, day: DayRecord) -> str:
        return self._snapshot.people[day.employee_id].name

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        day = self._rows[index.row()]
        column = index.column()
        if role == DAY_ROLE:
            return day
        if role == CHIPS_ROLE:
            if column == FLAGS:
                return problem_chips(day)
            if column == STATUS:
                return status_chips(day)
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.name(day) if column == NAME else DAY_COLUMNS[column].text(day)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return DAY_COLUMNS[column].align
        if role == Qt.ItemDataRole.ForegroundRole and column == NAME:
            first_of_person = index.row() == 0 or (
                self._rows[index.row() - 1].employee_id != day.employee_id
            )
            return None if first_of_person else MUTED
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATUS:
                return _status_tip(day) or None
            if column == FLAGS:
                return _flags_tip(day) or None
            if column == NAME:
                return self._snapshot.departments.get(day.employee_id) or None
        return None


@dataclass(frozen=True)
class PersonTotals:
    """A person's period at a glance: sums of the days' minutes, counts of days."""

    person: Person
    department: str
    days: int
    scheduled_minutes: int
    worked_minutes: int
    late_minutes: int
    early_minutes: int
    overtime_minutes: int
    problem_days: int
    approved_days: int

    @classmethod
    def of(cls, person: Person, department: str, days: Sequence[DayRecord]) -> PersonTotals:
        return cls(
            person,
            department,
            len(days),
            sum(d.scheduled_minutes for d in days),
            sum(d.worked_minutes for d in days),
            sum(d.late_minutes for d in days),
            sum(d.early_minutes for d in days),
            sum(d.overtime_minutes for d in days),
            sum(1 for d in days if has_problem(d)),
            sum(1 for d in days if d.approved),
        )


TOTAL_COLUMNS: tuple[Column[PersonTotals], ...] = (
    Column("Employee", lambda t: t.person.name),
    Column("Department", lambda t: t.department),
    Column("Days", lambda t: str(t.days), RIGHT),
    Column("Scheduled h", lambda t: hours_text(t.scheduled_minutes), RIGHT),
    Column("Worked h", lambda t: hours_text(t.worked_minutes), RIGHT),
    Column("Late min", lambda t: str(t.late_minutes), RIGHT),
    Column("Early min", lambda t: str(t.early_minutes), RIGHT),
    Column("Overtime h", lambda t: hours_text(t.overtime_minutes), RIGHT),
    Column("Days with problems", lambda t: str(t.problem_days), RIGHT),
    Column("Approved", lambda t: f"{t.approved_days} of {t.days}", RIGHT),
)
PROBLEM_COLUMN = 8
APPROVED_COLUMN = 9


class TotalsModel(_ColumnsModel):
    columns = TOTAL_COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PersonTotals] = []

    def set_snapshot(self, snapshot: Snapshot, days: Sequence[DayRecord]) -> None:
        """One row per person who has a day among ``days``."""
        by_person: dict[str, list[DayRecord]] = {}
        for day in days:
            by_person.setdefault(day.employee_id, []).append(day)
        self.beginResetModel()
        self._rows = [
            PersonTotals.of(person, snapshot.departments.get(pid, ""), by_person[pid])
            for pid, person in snapshot.people.items()
            if pid in by_person
        ]
        self.endResetModel()

    def totals(self, row: int) -> PersonTotals:
        return self._rows[row]

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = TOTAL_COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.column() == PROBLEM_COLUMN and row.problem_days:
                return QColor(LOOKS["absent"].foreground)
            if index.column() == APPROVED_COLUMN and row.days and row.approved_days == row.days:
                return QColor(LOOKS["approved"].foreground)
        return None
