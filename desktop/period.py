"""A period picker for reports: a week, a month or custom dates, stepped back and forth.

Attendance and payroll both look at a period, so they share this one widget. Weeks
and months come from :func:`core.roster.range_for` (as the schedule's do); a custom
period steps by its own length.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from core.roster import range_for, step
from desktop.dates import DateEdit
from desktop.theme import icon

SPANS = (("week", "Week"), ("month", "Month"), ("custom", "Custom"))


def describe(first: date, last: date) -> str:
    """A period as a person says it: ``15 – 21 Jun 2026``, ``June 2026``."""
    following = last + timedelta(days=1)
    if first.day == 1 and following.day == 1 and (following - first).days <= 31:
        return f"{first:%B %Y}"
    if first.year != last.year:
        return f"{first:%d %b %Y} – {last:%d %b %Y}"
    if first.month != last.month:
        return f"{first:%d %b} – {last:%d %b %Y}"
    return f"{first:%d} – {last:%d %b %Y}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class PeriodPicker(QWidget):
    """Emits ``changed(first, last)`` whenever the period moves."""

    changed = Signal(object, object)

    def __init__(
        self, parent: QWidget | None = None, span: str = "week", weeks_back: int = 0
    ) -> None:
        """``weeks_back`` puts a week span that many weeks before this one when the picker
        opens or a saved week is restored (Attendance reviews last week, not this one)."""
        super().__init__(parent)
        self.setAccessibleName("Period")
        self._span = span
        self._weeks_back = weeks_back
        start = "week" if span == "custom" else span
        self._first, self._last = range_for(self._home(start), start)
        self.prev_button = self._step_button("previous", "Previous period", "Alt+Left", -1)
        self.next_button = self._step_button("next", "Next period", "Alt+Right", 1)
        self.label = QLabel(self)
        self.label.setObjectName("RangeLabel")
        self.label.setAccessibleName("Shown period")
        self.label.setMinimumWidth(200)
        self.span_buttons = QButtonGroup(self)
        self.from_edit = self._date_edit("From")
        self.to_edit = self._date_edit("To")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.prev_button)
        row.addWidget(self.next_button)
        row.addWidget(self.label)
        for key, text in SPANS:
            button = QToolButton(self)
            button.setText(text)
            button.setCheckable(True)
            button.setAccessibleName(f"{text} period")
            button.setProperty("span", key)
            self.span_buttons.addButton(button)
            row.addWidget(button)
        row.addWidget(self.from_edit)
        row.addWidget(self.to_edit)
        self.span_buttons.buttonClicked.connect(
            lambda button: self.set_span(str(button.property("span")))
        )
        self.from_edit.dateChanged.connect(self._custom_edited)
        self.to_edit.dateChanged.connect(self._custom_edited)
        self._show()

    def _step_button(self, name: str, tip: str, shortcut: str, direction: int) -> QToolButton:
        button = QToolButton(self)
        action = QAction(icon(name), tip, self)
        action.setToolTip(f"{tip} ({shortcut})")
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: self.go(direction))
        button.setDefaultAction(action)
        button.setAccessibleName(tip)
        return button

    def _date_edit(self, name: str) -> DateEdit:
        edit = DateEdit(self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setAccessibleName(f"{name} date")
        edit.setToolTip(f"{name} (inclusive)")
        return edit

    # --- state -------------------------------------------------------------------------

    def _home(self, span: str) -> date:
        """The day a fresh ``span`` opens on: today, or ``weeks_back`` weeks ago for weeks."""
        back = self._weeks_back if span == "week" else 0
        return date.today() - timedelta(weeks=back)

    @property
    def span(self) -> str:
        return self._span

    @property
    def period(self) -> tuple[date, date]:
        return self._first, self._last

    def set_span(self, span: str, anchor: date | None = None) -> None:
        """Show the week or month holding ``anchor`` (default: the current period's start);
        "custom" keeps the current dates and lets them be edited."""
        self._span = span if span in dict(SPANS) else "week"
        if self._span != "custom":
            self._first, self._last = range_for(anchor or self._first, self._span)
        self._show()
        self.changed.emit(self._first, self._last)

    def set_custom(self, first: date, last: date) -> None:
        self._span = "custom"
        self._first, self._last = first, max(first, last)
        self._show()
        self.changed.emit(self._first, self._last)

    def go(self, direction: int) -> None:
        if self._span == "custom":
            length = (self._last - self._first).days + 1
            self._first += timedelta(days=length * direction)
            self._last += timedelta(days=length * direction)
        else:
            self._first, self._last = range_for(
                step(self._first, self._span, direction), self._span
            )
        self._show()
        self.changed.emit(self._first, self._last)

    def _custom_edited(self) -> None:
        if self._span != "custom":
            return
        first = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        if (first, last) == (self._first, self._last):
            return
        self.set_custom(first, last)

    def _show(self) -> None:
        for button in self.span_buttons.buttons():
            button.setChecked(button.property("span") == self._span)
        custom = self._span == "custom"
        for edit, day in ((self.from_edit, self._first), (self.to_edit, self._last)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)
            edit.setVisible(custom)
        self.label.setText(describe(self._first, self._last))

    # --- settings ------------------------------------------------------------------------

    def save_state(self, settings: QSettings, prefix: str) -> None:
        settings.setValue(f"{prefix}/span", self._span)
        settings.setValue(f"{prefix}/first", self._first.isoformat())
        settings.setValue(f"{prefix}/last", self._last.isoformat())

    def restore_state(self, settings: QSettings, prefix: str) -> None:
        span = str(settings.value(f"{prefix}/span", self._span))
        if span == "custom":
            try:
                first = date.fromisoformat(str(settings.value(f"{prefix}/first")))
                last = date.fromisoformat(str(settings.value(f"{prefix}/last")))
            except ValueError:
                return
            self.set_custom(first, last)
        else:
            self.set_span(span, self._home(span))
