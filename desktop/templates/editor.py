"""The template editor: fields, the recurrence builder, the raw rule, and a preview.

The builder and the raw RRULE field mirror each other: a control writes the text,
and typed text that the builder can show moves the controls. Core judges the rule
as it is typed; a bad one is named under the field (never in a dialog) and the
preview shows the next dates of a good one.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import recurrence
from core.errors import ValidationError
from core.templates import TemplateDraft
from core.timeutil import parse_hhmm
from desktop.dates import DateEdit, to_date, to_qdate
from desktop.forms import error_label, show_errors
from desktop.templates.builder import RuleBuilder
from desktop.templates.model import TemplateItem
from desktop.templates.rule import describe, from_text, to_text
from desktop.theme import restyle

#: How many coming dates the preview lists.
PREVIEW_COUNT = 8
FIELDS = ("name", "start", "end", "rrule", "dtstart", "department", "other")


def _fresh(site_id: str) -> TemplateDraft:
    """What a new template starts as: office hours on weekdays from today."""
    return TemplateDraft(
        site_id=site_id,
        name="",
        start_time="09:00",
        end_time="17:00",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        dtstart=date.today(),
    )


class TemplateEditor(QFrame):
    #: Save pressed on a valid draft; the page runs the operation.
    save_requested = Signal(object)  # TemplateDraft
    delete_requested = Signal()
    #: Checked again after any edit; the page reads :attr:`dirty`.
    checked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.item: TemplateItem | None = None
        self.site_id = ""
        self.zone = "UTC"
        self.errors: dict[str, str] = {}
        self.heading = QLabel(self)
        self.heading.setObjectName("PanelTitle")
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Template name")
        self.start = QLineEdit(self)
        self.start.setAccessibleName("Start time")
        self.start.setPlaceholderText("HH:MM")
        self.end = QLineEdit(self)
        self.end.setAccessibleName("End time")
        self.end.setPlaceholderText("HH:MM")
        for edit in (self.start, self.end):
            edit.setMaximumWidth(80)
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(QLabel("to", self))
        times.addWidget(self.end)
        times.addStretch(1)
        self.department = QComboBox(self)
        self.department.setAccessibleName("Department")
        self.location = QLineEdit(self)
        self.location.setAccessibleName("Location")
        self.description = QLineEdit(self)
        self.description.setAccessibleName("Description")
        self.dtstart = DateEdit(self)
        self.dtstart.setCalendarPopup(True)
        self.dtstart.setDisplayFormat("ddd dd MMM yyyy")
        self.dtstart.setAccessibleName("First date")
        self.builder = RuleBuilder(self)
        self.rrule = QLineEdit(self)
        self.rrule.setObjectName("RuleText")
        self.rrule.setAccessibleName("RRULE text")
        self.rrule.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.rrule.setPlaceholderText("FREQ=WEEKLY;BYDAY=MO,WE,FR")
        self.rule_hint = QLabel(self)
        self.rule_hint.setProperty("role", "hint")
        self.rule_hint.setWordWrap(True)
        self.preview = QLabel(self)
        self.preview.setObjectName("Occurrences")
        self.preview.setAccessibleName("Next occurrences")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_labels = {field: error_label(self, f"Problem with {field}") for field in FIELDS}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Name", self.name)
        form.addRow("", self.error_labels["name"])
        form.addRow("Time", times)
        form.addRow("", self.error_labels["start"])
        form.addRow("", self.error_labels["end"])
        form.addRow("Department", self.department)
        form.addRow("", self.error_labels["department"])
        form.addRow("Location", self.location)
        form.addRow("Description", self.description)
        rule_box = QFrame(self)
        rule_box.setObjectName("RuleBox")
        rule_layout = QFormLayout(rule_box)
        rule_layout.addRow("Starts", self.dtstart)
        rule_layout.addRow("", self.error_labels["dtstart"])
        rule_layout.addRow(self.builder)
        rule_layout.addRow("RRULE", self.rrule)
        rule_layout.addRow("", self.error_labels["rrule"])
        rule_layout.addRow("", self.rule_hint)
        self.save_button = QPushButton("Save", self)
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(False)
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.setToolTip("Save the template (Ctrl+S)")
        self.revert_button = QPushButton("Revert", self)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("DangerButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        preview_title = QLabel("Next dates", self)
        preview_title.setObjectName("SectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(rule_box)
        layout.addWidget(preview_title)
        layout.addWidget(self.preview)
        layout.addWidget(self.error_labels["other"])
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.builder.edited.connect(self._builder_edited)
        self.rrule.textEdited.connect(self._rule_typed)
        self.dtstart.dateChanged.connect(self._start_changed)
        for signal in (
            self.name.textChanged,
            self.start.textChanged,
            self.end.textChanged,
            self.location.textChanged,
            self.description.textChanged,
            self.department.currentIndexChanged,
        ):
            signal.connect(self.validate)
        self.save_button.clicked.connect(self._save)
        self.revert_button.clicked.connect(
            lambda: self.show_item(self.item, self.site_id, self.zone)
        )
        self.delete_button.clicked.connect(self.delete_requested)

    # --- filling ---------------------------------------------------------------------------

    def set_departments(self, departments: list[tuple[str, str]]) -> None:
        current = self.department.currentData()
        self.department.blockSignals(True)
        self.department.clear()
        self.department.addItem("No department", "")
        for did, name in departments:
            self.department.addItem(name, did)
        self.department.setCurrentIndex(max(self.department.findData(current), 0))
        self.department.blockSignals(False)

    def show_item(
        self,
        item: TemplateItem | None,
        site_id: str,
        zone: str,
        draft: TemplateDraft | None = None,
    ) -> None:
        """Edit ``item`` (a fresh weekday template when None), showing ``draft``
        instead of the saved values when there are unsaved edits to bring back."""
        self.item, self.site_id, self.zone = item, item.site_id if item else site_id, zone
        base = draft or (item.draft() if item else _fresh(site_id))
        self.heading.setText(item.name if item else "New template")
        widgets = (
            self.name,
            self.start,
            self.end,
            self.location,
            self.description,
            self.department,
            self.dtstart,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.name.setText(base.name)
        self.start.setText(base.start_time)
        self.end.setText(base.end_time)
        self.location.setText(base.location)
        self.description.setText(base.description)
        self.department.setCurrentIndex(max(self.department.findData(base.department_id or ""), 0))
        self.dtstart.setDate(to_qdate(base.dtstart))
        for widget in widgets:
            widget.blockSignals(False)
        self.rrule.setText(base.rrule)
        self.delete_button.setVisible(item is not None)
        self._rule_typed(base.rrule)
        if item is None:
            self.name.setFocus()

    # --- the rule, both ways -----------------------------------------------------------------

    def _builder_edited(self) -> None:
        self.rrule.setText(to_text(self.builder.spec()))
        self.validate()

    def _rule_typed(self, text: str) -> None:
        """Typed text moves the builder when the builder can show it."""
        spec = from_text(text)
        if spec is not None:
            self.builder.set_spec(spec, self.first_date)
        self.builder.setEnabled(spec is not None)
        self.validate()

    def _start_changed(self, _value: QDate) -> None:
        """The builder's defaults (an "until" a month on) follow the start; the rule stays."""
        self._rule_typed(self.rrule.text())

    @property
    def first_date(self) -> date:
        return to_date(self.dtstart.date())

    # --- checking ---------------------------------------------------------------------------

    def draft(self) -> TemplateDraft:
        return TemplateDraft(
            site_id=self.site_id,
            name=self.name.text().strip(),
            start_time=self.start.text().strip(),
            end_time=self.end.text().strip(),
            rrule=self.rrule.text().strip(),
            dtstart=self.first_date,
            description=self.description.text().strip(),
            department_id=self.department.currentData() or None,
            location=self.location.text().strip(),
        )

    @property
    def dirty(self) -> bool:
        """Edited since it was saved (a new template always is)."""
        return self.item is None or self.draft() != self.item.draft()

    def validate(self) -> bool:
        """Check the fields as typed: times and the rule by core's own parsers."""
        self.errors = {}
        draft = self.draft()
        if not draft.name:
            self.errors["name"] = "give the template a name"
        for field, value in (("start", draft.start_time), ("end", draft.end_time)):
            try:
                parse_hhmm(value, field)
            except ValidationError as error:
                self.errors[field] = error.problem
        dates: list[date] = []
        try:
            dates = recurrence.preview(draft.rrule, draft.dtstart, PREVIEW_COUNT, self.zone)
        except ValidationError as error:
            self.errors["rrule"] = error.problem
        self._show_rule(dates)
        self._show_errors()
        ok = not self.errors
        self.save_button.setEnabled(ok and self.dirty)
        self.revert_button.setEnabled(self.item is not None and self.dirty)
        self.checked.emit()
        return ok

    def _show_rule(self, dates: list[date]) -> None:
        spec = from_text(self.rrule.text())
        if "rrule" in self.errors:
            self.rule_hint.setText("")
        elif spec is None:
            self.rule_hint.setText(
                "This rule uses parts the builder cannot show; edit it as text here."
            )
        else:
            self.rule_hint.setText(describe(spec, self.first_date) + ".")
        self.rule_hint.setVisible(bool(self.rule_hint.text()))
        if dates:
            lines = [f"{d:%a %d %b %Y}" for d in dates]
            more = "" if len(dates) < PREVIEW_COUNT else "\n…"
            self.preview.setText("\n".join(lines) + more)
        else:
            self.preview.setText("No dates: fix the rule above.")
        restyle(self.preview, "role", "hint" if not dates else "")

    def _show_errors(self) -> None:
        show_errors(self.error_labels, self.errors)
        for field, edit in (
            ("name", self.name),
            ("start", self.start),
            ("end", self.end),
            ("rrule", self.rrule),
        ):
            restyle(edit, "invalid", field in self.errors)

    def show_error(self, error: ValidationError) -> None:
        """A problem core found on saving, under its field."""
        field = error.field if error.field in FIELDS else "other"
        self.errors[field] = error.problem
        self._show_errors()
        self.save_button.setEnabled(False)

    def _save(self) -> None:
        if self.validate():
            self.save_requested.emit(self.draft())
