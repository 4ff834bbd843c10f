"""The grid's Qt model: a snapshot from :func:`core.roster.load_roster`, nothing more.

Rows are department bands followed by their people (a collapsed band hides its
people); columns are days. The model answers with plain values and never opens a
session; the page hands it a fresh snapshot whenever data moves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt

from core.labour import LabourPlan
from core.results import Check
from core.roster import (
    NO_DEPARTMENT,
    DayTotal,
    Roster,
    RosterDepartment,
    RosterEmployee,
    RosterLeave,
    RosterShift,
)
from desktop.notice import plural
from desktop.schedule.labour import day_tooltip
from desktop.table import AnyIndex, TableModel
from sync.describe import field_label
from sync.merge import DELETED

CELL_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
#: A shift with nothing wrong (a Check is immutable: one serves every such shift).
NO_PROBLEM = Check()


class RowKind(IntEnum):
    DEPARTMENT = 0
    EMPLOYEE = 1
    #: A department's shifts with nobody on them, under its band.
    OPEN = 2


#: The row header of a department's open shifts.
OPEN_SHIFTS = "Open shifts"


@dataclass(frozen=True)
class RowInfo:
    kind: RowKind
    department: RosterDepartment
    employee: RosterEmployee | None = None
    collapsed: bool = False


@dataclass(frozen=True)
class CellInfo:
    """Everything the delegate paints in one cell."""

    row: RowInfo
    day: date
    today: bool
    shifts: tuple[RosterShift, ...] = ()
    problems: tuple[Check, ...] = ()
    leave: RosterLeave | None = None
    #: Per shift, why it is in conflict with the server ("" when it is not).
    out_of_sync: tuple[str, ...] = ()
    #: Per shift, the other department it counts under ("" for the row's own team's).
    elsewhere: tuple[str, ...] = ()
    #: Department bands: how many shifts and hours the team has that day, open ones
    #: included, and how many of them are open (nobody on them yet).
    team_shifts: int = 0
    team_hours: Decimal = Decimal(0)
    team_open: int = 0
    #: A person's day outside their employment: why ("Starts on 5 Dec 2026"), else "".
    off: str = ""
    #: A day of a closed pay period: what core says of it ("Pay period 1–30 Nov 2026
    #: closed by anna on …"), else "". Nothing on it can change.
    closed: str = ""

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


def _same_rows(rows: list[RowInfo], other: list[RowInfo]) -> bool:
    """``rows == other``, with each pair of bands compared once rather than once per
    row of theirs: a band compares all its people, so a month of 500 people spent
    more on this than on the rest of showing the new snapshot."""
    if len(rows) != len(other):
        return False
    same: set[tuple[int, int]] = set()
    for mine, theirs in zip(rows, other, strict=True):
        if (mine.kind, mine.employee, mine.collapsed) != (
            theirs.kind,
            theirs.employee,
            theirs.collapsed,
        ):
            return False
        pair = (id(mine.department), id(theirs.department))
        if pair not in same:
            if mine.department != theirs.department:
                return False
            same.add(pair)
    return True


def _runs(closed: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """The runs of columns with a note, as (first, last) column."""
    runs: list[tuple[int, int]] = []
    for column, note in enumerate(closed):
        if note and runs and runs[-1][1] == column - 1:
            runs[-1] = (runs[-1][0], column)
        elif note:
            runs.append((column, column))
    return tuple(runs)


def band_text(cell: CellInfo) -> str:
    """A department's day: "4 shifts · 32 h · 1 open"."""
    if not cell.team_shifts:
        return ""
    hours = f"{cell.team_hours.normalize():f}".rstrip(".")
    text = f"{plural(cell.team_shifts, 'shift')} · {hours} h"
    return f"{text} · {cell.team_open} open" if cell.team_open else text


def borrowed_from(roster: Roster, info: RowInfo) -> str:
    """ "from Maintenance" for a person borrowed into this band, "" in their own."""
    employee = info.employee
    if employee is None or not info.department.borrows(employee):
        return ""
    home = roster.department_names.get(employee.department_id or "", NO_DEPARTMENT)
    return f"from {home}"


def shift_text(shift: RosterShift) -> str:
    where = f" {shift.location}" if shift.location else ""
    state = (
        " (cancelled)"
        if shift.cancelled
        else " (changed since published)"
        if shift.changed_since_published and shift.published
        else ""
        if shift.published
        else " (not published)"
    )
    return f"{shift.start_time}–{shift.end_time}{where}{state}"


def conflict_reason(fields: Sequence[str]) -> str:
    """Why a record is marked: its open sync conflict, the fields in words."""
    if DELETED in fields:
        what = "deleted on one side and changed on the other"
    elif fields:
        names = [field_label(f) for f in fields]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        what = f"{listed} changed on both sides"
    else:
        what = "changed on both sides"
    return f"Conflict with the server: {what} — resolve it in Sync"


def cell_tooltip(cell: CellInfo) -> str:
    lines = [cell.closed] if cell.closed else []
    if cell.off:
        lines.append(cell.off)
    if cell.leave is not None:
        lines.append(cell.leave.label)
    for n, (shift, check) in enumerate(zip(cell.shifts, cell.problems, strict=True)):
        lines.append(shift_text(shift))
        if n < len(cell.elsewhere) and cell.elsewhere[n]:
            lines.append(f"  {cell.elsewhere[n]} shift (counts there)")
        if n < len(cell.out_of_sync) and cell.out_of_sync[n]:
            lines.append(f"  ⇄ {cell.out_of_sync[n]}")
        lines += [f"  ✖ {c.reason}" for c in check.conflicts]
        lines += [f"  ⚠ {w.reason}" for w in check.warnings]
        if shift.flag:
            lines.append(f"  ⚑ {shift.flag}")
        if shift.notes:
            lines.append(f"  {shift.notes}")
    return "\n".join(lines)


class RosterModel(TableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roster = Roster(date.today(), date.today(), ())
        self._days: list[date] = [date.today()]
        self._rows: list[RowInfo] = []
        self._collapsed: set[str | None] = set()
        self._today = date.today()
        self._problems: dict[tuple[str, str], Check] = {}
        self._row_of: dict[str, int] = {}
        self._open_row_of: dict[str | None, int] = {}
        #: Shift id → why it is in conflict with the server.
        self._out_of_sync: dict[str, str] = {}
        #: Hours and cost per day of the snapshot (None until the page prices one).
        self._labour: LabourPlan | None = None
        #: Only people with a conflict or warning (and open shifts to fill) shown.
        self._only_problems = False
        #: People with a conflict or warning on a shown shift (as checked so far).
        self._troubled: set[str] = set()
        #: Department bands' day totals of the snapshot, as they are first painted.
        self._band_totals: dict[tuple[str | None, date], DayTotal] = {}
        #: Per column, what core says of its day when a closed pay period holds it
        #: (core.pay_periods.closed_notes), else "": looked up once per snapshot.
        self._closed: tuple[str, ...] = ("",)
        #: The runs of closed columns (first, last), which the view shades whole.
        self._closed_runs: tuple[tuple[int, int], ...] = ()

    # --- snapshot -------------------------------------------------------------------

    @property
    def roster(self) -> Roster:
        return self._roster

    @property
    def days(self) -> list[date]:
        return self._days

    @property
    def labour(self) -> LabourPlan | None:
        return self._labour

    def set_roster(
        self,
        roster: Roster,
        today: date | None = None,
        sync_conflicts: Mapping[str, Sequence[str]] | None = None,
        labour: LabourPlan | None = None,
        closed: Mapping[date, str] | None = None,
    ) -> None:
        """Show a new snapshot; a same-shaped one refreshes in place (scroll and
        selection stay), anything else resets the model. ``sync_conflicts`` maps the
        shifts with an open conflict with the server to the fields it is about;
        ``labour`` is the snapshot's hours and cost (core.labour), for the headers;
        ``closed`` the days of closed pay periods with core's note of each."""
        self._today = today or date.today()
        self._closed = tuple((closed or {}).get(day, "") for day in roster.days)
        self._closed_runs = _runs(self._closed)
        self._labour = labour
        self._band_totals = {}
        self._out_of_sync = {
            sid: conflict_reason(fields) for sid, fields in (sync_conflicts or {}).items()
        }
        self._problems = dict(roster.problems)
        self._troubled = {emp for _sid, emp in self._problems}
        rows = self._build_rows(roster)
        same_shape = _same_rows(rows, self._rows) and roster.days == self._days
        if same_shape:
            self._roster = roster
            if rows:
                last = self.index(len(rows) - 1, len(self._days) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
                # The row headers show each person's scheduled hours: repaint them too.
                self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(rows) - 1)
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._days) - 1)
            return
        self.beginResetModel()
        self._roster, self._days = roster, roster.days
        self._set_rows(rows)
        self.endResetModel()

    def set_labour(self, labour: LabourPlan | None) -> None:
        """The snapshot's hours and cost arrived (the page prices after showing it)."""
        self._labour = labour
        if self._days:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._days) - 1)

    def add_problems(self, found: dict[tuple[str, str], Check], employee_ids: list[str]) -> None:
        """Conflicts and warnings that arrived for these people (see core.roster)."""
        self._problems.update(found)
        troubled = {emp for _sid, emp in found}
        if self._only_problems and troubled - self._troubled:
            self._troubled |= troubled
            self._reshape()  # people with a problem join the rows shown
            return
        self._troubled |= troubled
        rows = [self._row_of[e] for e in employee_ids if e in self._row_of]
        if rows and self._days:
            last = len(self._days) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def problems_of(self, shift_id: str, employee_id: str) -> Check:
        return self._problems.get((shift_id, employee_id), NO_PROBLEM)

    def conflict_count(self) -> int:
        """Shown shifts with a conflict (checked so far), each counted once however
        many of its people it clashes for."""
        return len({sid for (sid, _emp), check in self._problems.items() if check.conflicts})

    def warning_count(self) -> int:
        """Shown shifts with a warning (short rest, days in a row, a long shift, a week
        over contract) and no conflict, each counted once."""
        clashing = {sid for (sid, _emp), check in self._problems.items() if check.conflicts}
        return len(
            {
                sid
                for (sid, _emp), check in self._problems.items()
                if check.warnings and sid not in clashing
            }
        )

    @property
    def only_problems(self) -> bool:
        return self._only_problems

    def set_only_problems(self, only: bool) -> None:
        """Show only people with a conflict or warning, and open shifts to fill."""
        self._only_problems = only
        self._reshape()

    def _build_rows(self, roster: Roster) -> list[RowInfo]:
        rows = []
        for dept in roster.departments:
            people = dept.employees
            has_open = roster.has_open(dept.id)
            if self._only_problems:
                people = tuple(e for e in people if e.id in self._troubled)
                has_open = any(
                    not s.cancelled
                    for (key, _day), shifts in roster.open_cells.items()
                    if key == dept.id
                    for s in shifts
                )
                if not people and not has_open:
                    continue
            collapsed = dept.id in self._collapsed
            rows.append(RowInfo(RowKind.DEPARTMENT, dept, collapsed=collapsed))
            if collapsed:
                continue
            if has_open:
                rows.append(RowInfo(RowKind.OPEN, dept))
            rows += [RowInfo(RowKind.EMPLOYEE, dept, emp) for emp in people]
        return rows

    @property
    def collapsed(self) -> frozenset[str | None]:
        return frozenset(self._collapsed)

    def set_collapsed(self, department_ids: set[str | None]) -> None:
        self._collapsed = set(department_ids)
        self._reshape()

    def toggle_department(self, department_id: str | None) -> None:
        self._collapsed ^= {department_id}
        self._reshape()

    def _reshape(self) -> None:
        self.beginResetModel()
        self._set_rows(self._build_rows(self._roster))
        self.endResetModel()

    def _set_rows(self, rows: list[RowInfo]) -> None:
        self._rows = rows
        # A person borrowed into another band is found at their own team's row.
        self._row_of = {}
        for n, info in enumerate(rows):
            if info.employee and (
                info.employee.id not in self._row_of or not info.department.borrows(info.employee)
            ):
                self._row_of[info.employee.id] = n
        self._open_row_of = {
            info.department.id: n for n, info in enumerate(rows) if info.kind == RowKind.OPEN
        }

    # --- lookups the view and delegate use -------------------------------------------

    def row_info(self, row: int) -> RowInfo:
        return self._rows[row]

    def row_of(self, employee_id: str) -> int:
        return self._row_of.get(employee_id, -1)

    def index_of(self, employee_id: str, day: date) -> QModelIndex:
        row = self.row_of(employee_id)
        if row < 0 or day not in self._days:
            return QModelIndex()
        return self.index(row, self._days.index(day))

    def open_row_of(self, department_id: str | None) -> int:
        return self._open_row_of.get(department_id, -1)

    def index_of_open(self, department_id: str | None, day: date) -> QModelIndex:
        """The cell of a department's open shifts on a day (invalid when not shown)."""
        row = self.open_row_of(department_id)
        if row < 0 or day not in self._days:
            return QModelIndex()
        return self.index(row, self._days.index(day))

    def uncovered(self, day: date) -> int:
        return self._roster.uncovered(day)

    def closed(self, column: int) -> str:
        """Core's note of the column's day when a closed pay period holds it, else ""."""
        return self._closed[column] if 0 <= column < len(self._closed) else ""

    @property
    def closed_runs(self) -> tuple[tuple[int, int], ...]:
        """The closed columns as runs of (first, last): a closed week is one."""
        return self._closed_runs

    def cell(self, index: AnyIndex) -> CellInfo:
        info = self._rows[index.row()]
        column = index.column()
        day = self._days[column]
        closed = self._closed[column]
        if info.kind == RowKind.DEPARTMENT:
            total = self.band_total(info.department, day)
            return CellInfo(
                info,
                day,
                day == self._today,
                team_shifts=total.shifts,
                team_hours=total.hours,
                team_open=total.open,
                closed=closed,
            )
        if info.employee is None:
            shifts = self._roster.open_on(info.department.id, day)
            return CellInfo(
                info,
                day,
                day == self._today,
                shifts,
                tuple(Check() for _ in shifts),
                out_of_sync=tuple(self._out_of_sync.get(s.id, "") for s in shifts),
                closed=closed,
            )
        employee = info.employee
        emp = employee.id
        roster = self._roster
        leave = roster.leave.get((emp, day))
        off = employee.employment.off_on(day) or ""
        if (emp, day) not in roster.cells:  # half a month's cells: nothing to look up
            return CellInfo(info, day, day == self._today, leave=leave, off=off, closed=closed)
        shifts = roster.row_shifts(info.department, employee, day)
        problems = self._problems
        no_problem = NO_PROBLEM
        return CellInfo(
            info,
            day,
            day == self._today,
            shifts,
            tuple(problems.get((s.id, emp), no_problem) for s in shifts),
            leave,
            tuple(self._out_of_sync.get(s.id, "") for s in shifts),
            off=off,
            elsewhere=tuple(self._elsewhere(info, s) for s in shifts),
            closed=closed,
        )

    def band_total(self, department: RosterDepartment, day: date) -> DayTotal:
        """A band's day (core.roster's ``department_day``). A band's day walks the whole
        team, so the first ask walks it once for every day, and the snapshot keeps them."""
        key = (department.id, day)
        total = self._band_totals.get(key)
        if total is None:
            for when, found in self._roster.department_days(department).items():
                self._band_totals[(department.id, when)] = found
            total = self._band_totals[key]
        return total

    def _elsewhere(self, info: RowInfo, shift: RosterShift) -> str:
        """The other team a shift in a person's own row belongs to, "" for theirs."""
        assert info.employee is not None
        team = shift.department_for(info.employee)
        if team == info.department.id or team is None:
            return ""
        return self._roster.department_names.get(team, "")

    def lines(self, row: int) -> int:
        """The most shifts any day of this row holds: how tall the row must be."""
        info = self._rows[row]
        if info.kind == RowKind.OPEN:
            return max(
                (len(self._roster.open_on(info.department.id, d)) for d in self._days), default=0
            )
        if info.employee is None:
            return 0
        return max(
            (len(self._roster.row_shifts(info.department, info.employee, d)) for d in self._days),
            default=0,
        )

    # --- QAbstractTableModel ------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._rows)

    def column_total(self) -> int:
        return len(self._days)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == CELL_ROLE:
            return self.cell(index)
        if role == ROW_ROLE:
            return self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            cell = self.cell(index)
            if cell.row.kind == RowKind.DEPARTMENT:
                return band_text(cell)
            parts = (
                ([cell.off] if cell.off else [])
                + ([cell.leave.label] if cell.leave else [])
                + [shift_text(s) for s in cell.shifts]
            )
            return "; ".join(parts)
        if role == Qt.ItemDataRole.ToolTipRole:
            cell = self.cell(index)
            if cell.row.kind != RowKind.DEPARTMENT:
                return cell_tooltip(cell)
            return "\n".join(t for t in (cell.closed, band_text(cell)) if t)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._days)
        ):
            day = self._days[section]
            uncovered = self._roster.uncovered(day)
            closed = self._closed[section]
            if self._labour is None:
                return closed or None
            waiting = f"\n{plural(uncovered, 'open shift')} to fill" if uncovered else ""
            note = f"\n{closed}" if closed else ""
            return day_tooltip(self._labour, day) + waiting + note
        if role not in (Qt.ItemDataRole.DisplayRole, ROW_ROLE):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._days):
                return None
            day = self._days[section]
            uncovered = self._roster.uncovered(day)
            text = f"{day:%a %d %b} · {uncovered} open" if uncovered else f"{day:%a %d %b}"
            return f"{text} · closed" if self._closed[section] else text
        if not 0 <= section < len(self._rows):
            return None
        info = self._rows[section]
        if role == ROW_ROLE:
            return info
        if info.kind == RowKind.OPEN:
            return OPEN_SHIFTS
        if info.employee is None:
            return info.department.name
        origin = borrowed_from(self._roster, info)
        return f"{info.employee.name} ({origin})" if origin else info.employee.name
