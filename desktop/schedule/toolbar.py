"""The Schedule page's bar: range navigation, span, filters and actions (the legend
sits under the grid, beside the labour totals, so the bar fits a 1366 px screen).

Only widgets live here; the page connects them and decides what they do.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.controls import action_button, person_search
from desktop.theme import CONFLICT

SPANS = (("week", "Week"), ("two_weeks", "2 weeks"), ("month", "Month"))


class ScheduleToolbar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScheduleToolbar")
        row = QHBoxLayout()
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(6)
        self.today_button = self._button("Today", "today", "Go to today", "Ctrl+T")
        self.prev_button = self._button("", "previous", "Previous range", "Alt+Left")
        self.prev_button.setAccessibleName("Previous range")
        self.prev_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.next_button = self._button("", "next", "Next range", "Alt+Right")
        self.next_button.setAccessibleName("Next range")
        self.next_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.range_label = QLabel(self)
        self.range_label.setObjectName("RangeLabel")
        self.range_label.setAccessibleName("Shown range")
        self.range_label.setMinimumWidth(230)
        row.addWidget(self.today_button)
        row.addWidget(self.prev_button)
        row.addWidget(self.next_button)
        row.addWidget(self.range_label)
        self.span_buttons = QButtonGroup(self)
        for key, text in SPANS:
            button = QToolButton(self)
            button.setText(text)
            button.setCheckable(True)
            button.setAccessibleName(f"Show {text.lower()}")
            button.setProperty("span", key)
            self.span_buttons.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.site_box = QComboBox(self)
        self.site_box.setAccessibleName("Site")
        self.department_box = QComboBox(self)
        self.department_box.setAccessibleName("Filter by department")
        self.department_box.setMinimumWidth(150)
        self.location_box = QComboBox(self)
        self.location_box.setAccessibleName("Filter by location")
        self.location_box.setMinimumWidth(150)
        self.name_edit = person_search(self)
        self.new_button = self._button("New shift", "add", "Add a shift", "Ctrl+N")
        self.copy_button = self._button(
            "Copy last week",
            "copy-week",
            "Copy the previous week's shifts that the filters show into this week",
        )
        self.publish_button = self._button(
            "Publish",
            "publish",
            "Publish the unpublished shifts shown: this range, as filtered",
            "Ctrl+P",
        )
        for widget in (self.new_button, self.copy_button, self.publish_button):
            row.addWidget(widget)
        filters = QHBoxLayout()
        filters.setContentsMargins(12, 0, 12, 8)
        filters.setSpacing(6)
        # The count of clashing shifts is also the "only problems" filter, one chip,
        # so the bar still fits a 1366 px screen beside the legend.
        self.problems_button = QToolButton(self)
        self.problems_button.setObjectName("ProblemsFilter")
        self.problems_button.setCheckable(True)
        self.problems_button.setAccessibleName("Show only problems")
        self.problems_button.setToolTip(
            "Shifts in the shown range that clash (a double booking, leave, rest time,"
            " days in a row).\nPress to show only the people with a conflict or warning,"
            " and open shifts still to fill."
        )
        self.department_box.setMinimumWidth(140)
        self.location_box.setMinimumWidth(140)
        for widget in (
            self.site_box,
            self.department_box,
            self.location_box,
            self.name_edit,
            self.problems_button,
        ):
            filters.addWidget(widget)
        filters.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(row)
        column.addLayout(filters)

    def _button(self, text: str, icon_name: str, tip: str, shortcut: str = "") -> QToolButton:
        return action_button(self, text, tip, shortcut, icon_name=icon_name, window_wide=True)

    def show_conflicts(self, count: int, checking: bool) -> None:
        """ "3 conflicts" in red, "No conflicts"; "…" while people are still checked."""
        if count:
            text = f"{count:,} conflict{'s' if count != 1 else ''}" + ("…" if checking else "")
        else:
            text = "Checking…" if checking else "No conflicts"
        button = self.problems_button
        button.setText(text)
        button.setAccessibleDescription(f"{text}; press to show only problems")
        button.setStyleSheet(f"color: {CONFLICT.name()}; font-weight: 600;" if count else "")

    def show_range(self, first: date, last: date, span: str) -> None:
        for button in self.span_buttons.buttons():
            button.setChecked(button.property("span") == span)
        if span == "month":
            text = f"{first:%B %Y}"
        elif first.year != last.year:
            text = f"{first:%d %b %Y} – {last:%d %b %Y}"
        else:
            text = f"{first:%d %b} – {last:%d %b %Y}"
        if span == "week" and first <= date.today() <= last:
            text += "  ·  this week"
        self.range_label.setText(text)
        self.range_label.setAccessibleDescription(text)
