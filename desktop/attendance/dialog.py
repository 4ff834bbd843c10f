"""Correct one employee-day: in/out times, break, excused, and the reason why.

Times are typed as local ``HH:MM`` in the person's zone; an out at or before the
in is the next morning (an overnight shift). Every field is checked as it is typed
and its problem is shown under it; Save stays off until the correction could be
written, and core's own refusal (a ``ValidationError``) lands under its field too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.attendance import DayRecord, correct_day
from core.errors import NotFound, ValidationError
from core.identity import current_user
from core.timeutil import local_instant, parse_hhmm, to_local, zone
from desktop.attendance.model import clock
from desktop.context import AppContext
from desktop.forms import error_label, show_errors
from desktop.theme import restyle

#: core's field names to the dialog's.
FIELDS = {
    "clock_in": "in",
    "clock_out": "out",
    "break_minutes": "break",
    "reason": "reason",
    "author": "author",
}


def _hhmm(instant: datetime | None, day: DayRecord) -> str:
    return "" if instant is None else f"{to_local(instant, day.timezone):%H:%M}"


class CorrectionDialog(QDialog):
    def __init__(
        self, context: AppContext, day: DayRecord, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CorrectionDialog")
        self.setWindowTitle(f"Correct {name}, {day.work_date:%a %d %b %Y}")
        self.setMinimumWidth(440)
        self.context = context
        self.day = day
        self.name = name
        self.errors: dict[str, str] = {}
        summary = QLabel(self._summary(), self)
        summary.setProperty("role", "hint")
        summary.setWordWrap(True)
        self.clock_in = QLineEdit(self)
        self.clock_in.setPlaceholderText(f"as punched: {clock(day.first_in, day) or 'none'}")
        self.clock_out = QLineEdit(self)
        self.clock_out.setPlaceholderText(f"as punched: {clock(day.last_out, day) or 'none'}")
        self.break_minutes = QLineEdit(self)
        self.break_minutes.setPlaceholderText(f"as punched: {day.break_minutes} min")
        self.excused = QCheckBox("Excused: forgive lateness, early leave and absence", self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Why is this day corrected? (kept in the audit trail)")
        self.author = QLineEdit(current_user(), self)
        for widget, accessible in (
            (self.clock_in, "Clock-in time"),
            (self.clock_out, "Clock-out time"),
            (self.break_minutes, "Break minutes"),
            (self.excused, "Excused"),
            (self.reason, "Reason"),
            (self.author, "Corrected by"),
        ):
            widget.setAccessibleName(accessible)
        self.error_labels = {key: error_label(self) for key in (*FIELDS.values(), "other")}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget, key in (
            ("Clock in", self.clock_in, "in"),
            ("Clock out", self.clock_out, "out"),
            ("Break (min)", self.break_minutes, "break"),
            ("", self.excused, None),
            ("Reason *", self.reason, "reason"),
            ("Corrected by", self.author, "author"),
        ):
            form.addRow(label, widget)
            if key:
                form.addRow("", self.error_labels[key])
        hint = QLabel(
            "Leave a field empty to keep what was punched. An out before the in is the next day.",
            self,
        )
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button.setText("Save correction")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.buttons)
        self._prefill()
        for edit in (self.clock_in, self.clock_out, self.break_minutes, self.reason, self.author):
            edit.textChanged.connect(self.validate)
        self.validate()

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _summary(self) -> str:
        d = self.day
        shifts = ", ".join(f"{clock(s.start, d)}–{clock(s.end, d)}" for s in d.shifts)
        punched = f"{clock(d.first_in, d) or '?'}–{clock(d.last_out, d) or '?'}"
        return (
            f"{self.name} · {d.work_date:%A %d %B %Y}\n"
            f"Scheduled {shifts or 'nothing'} · punched {punched if d.punches else 'nothing'}"
        )

    def _prefill(self) -> None:
        """A corrected day starts from its correction: a new one replaces it whole."""
        c = self.day.correction
        if c is None:
            return
        self.clock_in.setText(_hhmm(c.clock_in, self.day))
        self.clock_out.setText(_hhmm(c.clock_out, self.day))
        self.break_minutes.setText("" if c.break_minutes is None else str(c.break_minutes))
        self.excused.setChecked(c.excused)

    # --- checking --------------------------------------------------------------------

    def _start(self) -> datetime | None:
        """The typed clock-in on the work day; raises ValidationError."""
        if not self.clock_in.text().strip():
            return None
        at = parse_hhmm(self.clock_in.text(), "clock_in")
        return local_instant(self.day.work_date, at, zone(self.day.timezone))

    def _end(self, start: datetime | None) -> datetime | None:
        """The typed clock-out: on the work day, or the next one when at or before the start."""
        if not self.clock_out.text().strip():
            return None
        at = parse_hhmm(self.clock_out.text(), "clock_out")
        tz = zone(self.day.timezone)
        end = local_instant(self.day.work_date, at, tz)
        shifts = self.day.shifts
        begun = start or self.day.first_in or (shifts[0].start if shifts else None)
        if begun is not None and end <= begun:
            end = local_instant(self.day.work_date + timedelta(days=1), at, tz)
        return end

    def arguments(self) -> dict[str, object]:
        """What :func:`core.attendance.correct_day` is given; collects every field's problem."""
        self.errors = {}
        start = end = None
        try:
            start = self._start()
        except ValidationError as error:
            self.errors["in"] = error.problem
        try:
            end = self._end(start)
        except ValidationError as error:
            self.errors["out"] = error.problem
        breaks: int | None = None
        text = self.break_minutes.text().strip()
        if text:
            if text.isdigit():
                breaks = int(text)
            else:
                self.errors["break"] = f"{text!r} is not a number of minutes"
        if not self.reason.text().strip():
            self.errors["reason"] = "say why the day is corrected"
        if not self.author.text().strip():
            self.errors["author"] = "say who corrects the day"
        return {
            "employee_id": self.day.employee_id,
            "work_date": self.day.work_date,
            "clock_in": start,
            "clock_out": end,
            "break_minutes": breaks,
            "excused": self.excused.isChecked(),
            "reason": self.reason.text(),
            "author": self.author.text(),
        }

    def validate(self) -> bool:
        self.arguments()
        self._show()
        self.save_button.setEnabled(not self.errors)
        return not self.errors

    def _show(self) -> None:
        show_errors(self.error_labels, {k: v.capitalize() for k, v in self.errors.items()})
        for key, edit in (
            ("in", self.clock_in),
            ("out", self.clock_out),
            ("break", self.break_minutes),
            ("reason", self.reason),
            ("author", self.author),
        ):
            restyle(edit, "invalid", key in self.errors)

    def accept(self) -> None:
        """Write the correction as one undo step; core's refusal is shown, nothing is lost."""
        arguments = self.arguments()
        if self.errors:
            self._show()
            self.save_button.setEnabled(False)
            return
        text = f"Correct {self.name} on {self.day.work_date:%d %b}"
        try:
            self.context.run(text, partial(correct_day, **arguments))
        except ValidationError as error:
            self.errors = {FIELDS.get(error.field, "other"): error.problem}
            self._show()
            return
        except NotFound as error:
            self.errors = {"other": str(error)}
            self._show()
            return
        super().accept()
