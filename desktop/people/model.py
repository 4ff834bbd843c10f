"""The People page's tables: employees as :func:`core.employees.list_employees` lists
them, and departments as :func:`core.organisation.list_departments` does, each a
snapshot with ids; filtering is a proxy over the employees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from core.employees import EmployeeRow
from core.employment import Employment
from core.organisation import DepartmentRow
from desktop.table import AnyIndex, TitledTableModel

COLUMNS = (
    "Name",
    "Department",
    "Code",
    "Rate",
    "Hours",
    "Employed",
    "Status",
)
NAME, DEPARTMENT, CODE, RATE, HOURS, EMPLOYED, STATUS = range(len(COLUMNS))
#: The row's record id on every cell.
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: A value that sorts right (numbers as numbers, names by last name).
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
NO_DEPARTMENT = "No department"
#: The value the department filter takes for people in none.
NONE_CHOSEN = "-"
INACTIVE = ("#5b6876", "#eef1f4")


def money_text(value: Decimal) -> str:
    """A rate with its cents: ``18.50``, ``20.00``."""
    return f"{value:.2f}"


def plain(value: Decimal) -> str:
    """Hours without trailing zeros: ``40``, ``37.5``."""
    return f"{Decimal(value).normalize():f}"


class EmployeesModel(TitledTableModel):
    titles = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[EmployeeRow] = []
        self.colors: dict[str, str] = {}
        self.currency = ""

    def set_rows(
        self, rows: Sequence[EmployeeRow], colors: Mapping[str, str], currency: str = ""
    ) -> None:
        """``colors``: each department's colour by id, shown beside its name."""
        self.beginResetModel()
        self.rows, self.colors, self.currency = list(rows), dict(colors), currency
        self.endResetModel()

    def row_at(self, row: int) -> EmployeeRow:
        return self.rows[row]

    def row_of(self, employee_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == employee_id), -1)

    def row_total(self) -> int:
        return len(self.rows)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        title = super().headerData(section, orientation, role)
        if section == RATE and self.currency and title:
            return f"{title} ({self.currency})"
        if section == HOURS and title:
            return f"{title} / week"
        return title

    def text(self, row: EmployeeRow, column: int) -> str:
        return (
            row.name,
            row.department or NO_DEPARTMENT,
            row.code or "",
            money_text(row.hourly_rate),
            plain(row.contract_hours),
            Employment(row.employment_start, row.employment_end).span,
            "Active" if row.active else "Inactive",
        )[column]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(row, column)
        if role == ID_ROLE:
            return row.id
        if role == SORT_ROLE:
            if column == NAME:
                return row.name.split(" ", 1)[-1].casefold() + " " + row.name.casefold()
            if column == RATE:
                return float(row.hourly_rate)
            if column == HOURS:
                return float(row.contract_hours)
            if column == EMPLOYED:  # by first day, then last; open ends first
                return f"{row.employment_start or ''} {row.employment_end or ''}"
            return self.text(row, column).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (RATE, HOURS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column == DEPARTMENT:
            color = self.colors.get(row.department_id or "")
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.ToolTipRole and column == NAME and row.email:
            return row.email
        if not row.active and role in (
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.BackgroundRole,
        ):
            fg, bg = INACTIVE
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(fg))
            return QBrush(QColor(bg)) if column == STATUS else None
        return None


class PeopleFilter(QSortFilterProxyModel):
    """Who the page shows: a name or code typed, one department, inactive people or not."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.department = ""
        self.show_inactive = False
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter(
        self,
        *,
        text: str | None = None,
        department: str | None = None,
        inactive: bool | None = None,
    ) -> None:
        self.beginFilterChange()
        if text is not None:
            self.text = text.strip().casefold()
        if department is not None:
            self.department = department
        if inactive is not None:
            self.show_inactive = inactive
        self.endFilterChange()

    def filterAcceptsRow(
        self,
        source_row: int,
        source_parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, EmployeesModel)
        row = model.row_at(source_row)
        if not row.active and not self.show_inactive:
            return False
        if self.department and (row.department_id or NONE_CHOSEN) != self.department:
            return False
        return not self.text or self.text in f"{row.name} {row.code or ''}".casefold()


DEPARTMENT_COLUMNS = ("Department", "People")


class DepartmentsModel(TitledTableModel):
    titles = DEPARTMENT_COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[DepartmentRow] = []

    def set_rows(self, rows: Sequence[DepartmentRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DepartmentRow:
        return self.rows[row]

    def row_of(self, department_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == department_id), -1)

    def row_total(self) -> int:
        return len(self.rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.name if column == 0 else str(row.employees)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(row.color)
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return f"{row.employees} active {'person' if row.employees == 1 else 'people'}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
