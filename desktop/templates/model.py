"""Qt models of the Templates view: the template list and an application's dry run.

Both hold plain snapshots taken through core queries; neither keeps a session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy.orm import Session

from core.templates import ProposedShift, TemplateDraft, live_templates, site_zones
from desktop.table import AnyIndex, TitledTableModel
from desktop.templates.rule import describe, from_text
from desktop.theme import CONFLICT, WARNING

#: The template's id, on every row of the list.
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class TemplateItem:
    """A template as the view shows and edits it, with its site's zone."""

    id: str
    site_id: str
    zone: str
    name: str
    description: str
    start_time: str
    end_time: str
    rrule: str
    dtstart: date
    department_id: str | None
    location: str

    def draft(self) -> TemplateDraft:
        """The template as saved, in the shape the editor fills in."""
        return TemplateDraft(
            site_id=self.site_id,
            name=self.name,
            start_time=self.start_time,
            end_time=self.end_time,
            rrule=self.rrule,
            dtstart=self.dtstart,
            description=self.description,
            department_id=self.department_id,
            location=self.location,
        )

    @property
    def summary(self) -> str:
        spec = from_text(self.rrule)
        rule = describe(spec, self.dtstart) if spec else self.rrule
        return f"{self.start_time}–{self.end_time} · {rule}"


def load_templates(session: Session) -> list[TemplateItem]:
    zones = site_zones(session)
    return [
        TemplateItem(
            id=t.id,
            site_id=t.site_id,
            zone=zones.get(t.site_id, "UTC"),
            name=t.name,
            description=t.description,
            start_time=t.start_time,
            end_time=t.end_time,
            rrule=t.rrule,
            dtstart=t.dtstart,
            department_id=t.department_id,
            location=t.location,
        )
        for t in live_templates(session)
    ]


class TemplateListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[TemplateItem] = []

    def set_items(self, items: Sequence[TemplateItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def row_of(self, template_id: str | None) -> int:
        return next((n for n, t in enumerate(self.items) if t.id == template_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.name}\n{item.summary}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.name}, {item.summary}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.description or item.rrule
        if role == ID_ROLE:
            return item.id
        return None


#: What each column of the dry run shows.
COLUMNS = ("Date", "Time", "Who", "Check")
_CONFLICT_BG = QColor("#fdecec")
_WARNING_BG = QColor("#fff6e0")


class ExpansionModel(TitledTableModel):
    """The proposed shifts of a dry run; clashing rows are tinted and say why."""

    titles = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.shifts: tuple[ProposedShift, ...] = ()
        self.names: Mapping[str, str] = {}
        self.only_problems = False
        self._rows: list[ProposedShift] = []

    def set_expansion(self, shifts: Sequence[ProposedShift], names: Mapping[str, str]) -> None:
        self.shifts, self.names = tuple(shifts), dict(names)
        self._refilter()

    def clear(self) -> None:
        self.set_expansion((), {})

    def set_only_problems(self, only: bool) -> None:
        self.only_problems = only
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rows = [s for s in self.shifts if not self.only_problems or s.conflicts or s.warnings]
        self.endResetModel()

    def shift_at(self, row: int) -> ProposedShift:
        return self._rows[row]

    def row_total(self) -> int:
        return len(self._rows)

    def who(self, shift: ProposedShift) -> str:
        if shift.employee_id:
            return self.names.get(shift.employee_id, "?")
        return f"{self.names.get(shift.department_id or '', '?')} (whole department)"

    def check_text(self, shift: ProposedShift, short: bool = False) -> str:
        """What checking found; ``short`` drops the person's name where the row shows it."""
        name = f"{self.who(shift)} "
        reasons = [c.reason for c in shift.conflicts] or [w.reason for w in shift.warnings]
        if short:
            reasons = [r.removeprefix(name) for r in reasons]
        if shift.conflicts:
            return "✖ " + "; ".join(reasons)
        if shift.warnings:
            return "⚠ " + "; ".join(reasons)
        return "✓ Ready"

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        shift, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{shift.shift_date:%a %d %b}",
                f"{shift.start_time}–{shift.end_time}",
                self.who(shift),
                self.check_text(shift, short=True),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.check_text(shift)
        if role == Qt.ItemDataRole.BackgroundRole:
            if shift.conflicts:
                return QBrush(_CONFLICT_BG)
            if shift.warnings:
                return QBrush(_WARNING_BG)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            if shift.conflicts:
                return QBrush(CONFLICT.darker(120))
            if shift.warnings:
                return QBrush(WARNING.darker(150))
            return QBrush(QColor("#2f7a3d"))
        return None
