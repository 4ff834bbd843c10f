"""The recurrence builder: frequency, interval, weekdays, day of month, and an end.

It only turns its controls into a :class:`RuleSpec` and back; the editor writes
the rule text from it and asks core whether the rule is good.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

from desktop.dates import DateEdit, to_date, to_qdate
from desktop.templates.rule import DAY_NAMES, LONG_DAY_NAMES, POSITIONS, WEEKDAYS, RuleSpec

_FREQ_TEXT = (("DAILY", "Daily"), ("WEEKLY", "Weekly"), ("MONTHLY", "Monthly"))
_UNITS = {"DAILY": ("day", "days"), "WEEKLY": ("week", "weeks"), "MONTHLY": ("month", "months")}
ENDS = (("never", "Never"), ("until", "On date"), ("count", "After"))


class RuleBuilder(QWidget):
    #: The user changed a control; the editor reads :meth:`spec`.
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Recurrence builder")
        self.freq = QComboBox(self)
        self.freq.setAccessibleName("Frequency")
        for code, text in _FREQ_TEXT:
            self.freq.addItem(text, code)
        self.interval = QSpinBox(self)
        self.interval.setRange(1, 99)
        self.interval.setAccessibleName("Repeat every")
        self.unit = QLabel(self)
        self.day_buttons: dict[str, QToolButton] = {}
        days_row = QHBoxLayout()
        days_row.setSpacing(3)
        for code in WEEKDAYS:
            button = QToolButton(self)
            button.setText(DAY_NAMES[code])
            button.setCheckable(True)
            button.setAccessibleName(LONG_DAY_NAMES[code])
            button.setObjectName("DayToggle")
            self.day_buttons[code] = button
            days_row.addWidget(button)
        days_row.addStretch(1)
        self.days = QWidget(self)
        self.days.setLayout(days_row)
        days_row.setContentsMargins(0, 0, 0, 0)

        self.by_day = QRadioButton("On day", self)
        self.month_day = QComboBox(self)
        self.month_day.setAccessibleName("Day of the month")
        for n in range(1, 32):
            self.month_day.addItem(str(n), n)
        self.month_day.addItem("last", -1)
        self.by_weekday = QRadioButton("On the", self)
        self.position = QComboBox(self)
        self.position.setAccessibleName("Which weekday of the month")
        for n, text in POSITIONS.items():
            self.position.addItem(text, n)
        self.weekday = QComboBox(self)
        self.weekday.setAccessibleName("Weekday")
        for code in WEEKDAYS:
            self.weekday.addItem(LONG_DAY_NAMES[code], code)
        self.month_mode = QButtonGroup(self)
        self.month_mode.addButton(self.by_day)
        self.month_mode.addButton(self.by_weekday)
        self.by_day.setChecked(True)
        month_row = QHBoxLayout()
        month_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.by_day, self.month_day, self.by_weekday, self.position, self.weekday):
            month_row.addWidget(widget)
        month_row.addStretch(1)
        self.month = QWidget(self)
        self.month.setLayout(month_row)

        self.ends = QComboBox(self)
        self.ends.setAccessibleName("Ends")
        for code, text in ENDS:
            self.ends.addItem(text, code)
        self.until = DateEdit(self)
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("ddd dd MMM yyyy")
        self.until.setAccessibleName("Last date")
        self.count = QSpinBox(self)
        self.count.setRange(1, 999)
        self.count.setSuffix(" times")
        self.count.setAccessibleName("Number of occurrences")
        ends_row = QHBoxLayout()
        ends_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.ends, self.until, self.count):
            ends_row.addWidget(widget)
        ends_row.addStretch(1)

        every_row = QHBoxLayout()
        every_row.setContentsMargins(0, 0, 0, 0)
        every_row.addWidget(self.freq)
        every_row.addSpacing(12)
        every_row.addWidget(QLabel("every", self))
        every_row.addWidget(self.interval)
        every_row.addWidget(self.unit)
        every_row.addStretch(1)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(6)
        self.days_label = QLabel("On", self)
        self.month_label = QLabel("Falls", self)
        grid.addWidget(QLabel("Repeats", self), 0, 0)
        grid.addLayout(every_row, 0, 1)
        grid.addWidget(self.days_label, 1, 0)
        grid.addWidget(self.days, 1, 1)
        grid.addWidget(self.month_label, 2, 0)
        grid.addWidget(self.month, 2, 1)
        grid.addWidget(QLabel("Ends", self), 3, 0)
        grid.addLayout(ends_row, 3, 1)
        grid.setColumnStretch(1, 1)

        for signal in (
            self.freq.currentIndexChanged,
            self.interval.valueChanged,
            self.month_day.currentIndexChanged,
            self.position.currentIndexChanged,
            self.weekday.currentIndexChanged,
            self.ends.currentIndexChanged,
            self.until.dateChanged,
            self.count.valueChanged,
        ):
            signal.connect(self._changed)
        self.month_mode.buttonClicked.connect(self._changed)
        for button in self.day_buttons.values():
            button.toggled.connect(self._changed)
        self._arrange()

    def _changed(self, *_args: object) -> None:
        self._arrange()
        self.edited.emit()

    def _arrange(self) -> None:
        """Show the controls the frequency uses, and the end's own field."""
        freq = str(self.freq.currentData())
        self.days.setVisible(freq == "WEEKLY")
        self.days_label.setVisible(freq == "WEEKLY")
        self.month.setVisible(freq == "MONTHLY")
        self.month_label.setVisible(freq == "MONTHLY")
        one, many = _UNITS[freq]
        self.unit.setText(one if self.interval.value() == 1 else many)
        self.month_day.setEnabled(self.by_day.isChecked())
        self.position.setEnabled(self.by_weekday.isChecked())
        self.weekday.setEnabled(self.by_weekday.isChecked())
        ends = self.ends.currentData()
        self.until.setVisible(ends == "until")
        self.count.setVisible(ends == "count")

    def spec(self) -> RuleSpec:
        freq = str(self.freq.currentData())
        by_weekday = freq == "MONTHLY" and self.by_weekday.isChecked()
        ends = self.ends.currentData()
        return RuleSpec(
            freq=freq,
            interval=self.interval.value(),
            weekdays=tuple(c for c, b in self.day_buttons.items() if b.isChecked()),
            month_day=self.month_day.currentData()
            if freq == "MONTHLY" and not by_weekday
            else None,
            position=self.position.currentData() if by_weekday else None,
            weekday=self.weekday.currentData() if by_weekday else None,
            until=to_date(self.until.date()) if ends == "until" else None,
            count=self.count.value() if ends == "count" else None,
        )

    def set_spec(self, spec: RuleSpec, start: date) -> None:
        """Show a rule without reporting it as an edit; gaps are filled from ``start``."""
        widgets = [
            self.freq,
            self.interval,
            self.month_day,
            self.position,
            self.weekday,
            self.ends,
            self.until,
            self.count,
            *self.day_buttons.values(),
        ]
        for widget in widgets:
            widget.blockSignals(True)
        self.freq.setCurrentIndex(max(self.freq.findData(spec.freq), 0))
        self.interval.setValue(spec.interval)
        for code, button in self.day_buttons.items():
            button.setChecked(code in spec.weekdays)
        self.month_day.setCurrentIndex(
            max(self.month_day.findData(spec.month_day if spec.month_day else start.day), 0)
        )
        by_weekday = spec.position is not None
        (self.by_weekday if by_weekday else self.by_day).setChecked(True)
        self.position.setCurrentIndex(max(self.position.findData(spec.position or 1), 0))
        self.weekday.setCurrentIndex(
            max(self.weekday.findData(spec.weekday or WEEKDAYS[start.weekday()]), 0)
        )
        ends = "until" if spec.until else "count" if spec.count else "never"
        self.ends.setCurrentIndex(max(self.ends.findData(ends), 0))
        # A rule without an end offers one a month after the start when "On date" is chosen.
        self.until.setDate(to_qdate(spec.until) if spec.until else to_qdate(start).addMonths(1))
        self.count.setValue(spec.count or 10)
        for widget in widgets:
            widget.blockSignals(False)
        self._arrange()
