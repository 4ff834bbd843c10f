"""The Schedule page's bar: range navigation, span, filters, actions and the legend.

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
from desktop.notice import plural
from desktop.schedule.legend import Legend
from desktop.theme import CONFLICT, WARNING

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
        # 160 px holds "Find a person…" whole and leaves the problems chip room for
        # "178 warnings…" beside the legend on a 1366 px screen.
        self.name_edit.setMinimumWidth(150)
        self.name_edit.setMaximumWidth(160)
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
        self.problems_button.setToolTip(_problems_tip("No conflicts or warnings"))
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
        filters.addWidget(Legend(self))
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(row)
        column.addLayout(filters)

    def _button(self, text: str, icon_name: str, tip: str, shortcut: str = "") -> QToolButton:
        return action_button(self, text, tip, shortcut, icon_name=icon_name, window_wide=True)

    def show_conflicts(self, count: int, checking: bool, warnings: int = 0) -> None:
        """ "3 conflicts" in red, else "12 warnings" in amber, else "No conflicts"; "…"
        while people are still checked. Both counts do not fit the bar at 1366 px
        beside the legend, so the tooltip and accessible text give both."""
        dots = "…" if checking else ""
        conflicts = plural(count, "conflict")
        warned = plural(warnings, "warning")
        if count:
            text = conflicts + dots
        elif warnings:
            text = warned + dots
        else:
            text = "Checking…" if checking else "No conflicts"
        both = f"{conflicts} · {warned}{dots}" if count or warnings else text
        button = self.problems_button
        button.setText(text)
        button.setToolTip(_problems_tip(both))
        button.setAccessibleDescription(f"{both}; press to show only problems")
        # Coloured at the normal weight: bold "99 conflicts…" did not fit the bar.
        color = CONFLICT if count else WARNING.darker(130) if warnings else None
        button.setStyleSheet(f"color: {color.name()};" if color else "")

    def show_range(self, first: date, last: date, span: str) -> None:
        for button in self.span_buttons.buttons():
            button.setChecked(button.property("span") == span)
        if span == "month":
            text = f"{first:%B %Y}"
        elif first.year != last.year:
            text = f"{first:%d %b %Y} – {last:%d %b %Y}"
        else:
            text = f"{first:%d %b} – {last:%d %b %Y}"
        self.range_label.setText(text)
        self.range_label.setAccessibleDescription(text)


def _problems_tip(counts: str) -> str:
    """What the problems chip counts, and what pressing it does."""
    return (
        f"{counts} in the shown range.\nConflicts: shifts that clash (a double booking,"
        " leave, employment dates, a closed pay period).\nWarnings: shifts with short"
        " rest, too many days in a row, a long shift or a week over contract.\nPress to"
        " show only the people with a conflict or warning, and open shifts still to fill."
    )
