"""Payroll → Pay policy…: the store's pay policy in a form, saved through core.

Every field :func:`core.policy.set_policy` takes is here once, with the bounds
core states for it (:func:`core.policy.allowed`) beside it; each value typed is
checked by :func:`core.policy.checked` as it is typed, and core's sentence shows
under the field it is about. Only this dialog's words (labels, sections) live
here: a bound or a rule changed in core shows here unchanged.

Save runs ``set_policy`` on the writer thread as one undo step (core records the
policy's undo like any row's, and queues the edit for the server in the same
transaction); the context then tells every view that the organisation changed,
so Payroll and Attendance work their figures out again. Only the fields changed
in the form are sent, so a value pulled from the server while the form was open
is not put back.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.attendance import company_of
from core.errors import ShiftDeskError, ValidationError
from core.models.policy import OVERNIGHT_DAYS
from core.policy import (
    FIELDS,
    WEEK_DAYS,
    PolicyRow,
    allowed,
    checked,
    set_policy,
    show_policy,
)
from core.results import OpResult
from desktop.context import AppContext
from desktop.forms import error_label, show_errors, with_error
from desktop.notice import plural
from desktop.theme import restyle

#: The form's sections, two columns of them, each field in one (a test holds them to
#: :data:`core.policy.FIELDS`, so a field core adds cannot be left out unseen).
COLUMNS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (
        ("Overtime", ("daily_overtime_hours", "weekly_overtime_hours", "overtime_multiplier")),
        ("Lateness", ("grace_minutes", "late_penalty_per_minute")),
        ("Matching punches to shifts", ("match_before_minutes", "match_after_minutes")),
    ),
    (
        ("Pay week", ("week_start", "overnight_day")),
        ("Unpaid break", ("unpaid_break_minutes", "unpaid_break_after_hours")),
        ("Schedule warnings", ("max_shift_hours", "min_rest_hours", "max_consecutive_days")),
    ),
)

#: What each field is called on the form.
LABELS = {
    "daily_overtime_hours": "Daily overtime after",
    "weekly_overtime_hours": "Weekly overtime after",
    "overtime_multiplier": "Overtime pays ×",
    "grace_minutes": "Grace period",
    "late_penalty_per_minute": "Late penalty per minute",
    "match_before_minutes": "From before a shift",
    "match_after_minutes": "To after a shift",
    "week_start": "Pay week starts on",
    "overnight_day": "Overnight hours count on",
    "unpaid_break_minutes": "Unpaid break",
    "unpaid_break_after_hours": "On days of at least",
    "max_shift_hours": "Long shift beyond",
    "min_rest_hours": "Rest between shifts",
    "max_consecutive_days": "Days in a row at most",
}
#: How the choices of ``overnight_day`` read.
OVERNIGHT_TEXT = {"start": "the day the shift starts", "end": "the day the shift ends"}


def _text(value: object) -> str:
    """A stored value as a person types it: 8, 7.5, 0.25 (no trailing zeros)."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def saved_message(result: OpResult) -> str:
    """What the status bar says after Save: done (with core's warnings), or nothing new."""
    if not result.applied:
        return "Pay policy unchanged."
    warnings = " ".join(f"{w.reason[:1].upper()}{w.reason[1:]}." for w in result.warnings)
    return " ".join(part for part in ("Pay policy saved.", warnings, "Ctrl+Z undoes it.") if part)


class PolicyDialog(QDialog):
    """The policy's fields, as ``row`` holds them; Save hands the changed ones to core."""

    #: Save's result once core applied it (the dialog then closes).
    saved = Signal(object)

    def __init__(
        self, context: AppContext, row: PolicyRow, currency: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PolicyDialog")
        self.setWindowTitle(f"Pay policy — {row.company}")
        self.context = context
        self.row = row
        #: Field → core's problem with what is typed in it.
        self.errors: dict[str, str] = {}
        #: Field → checked value, for the fields whose value differs from ``row``'s.
        self.wanted: dict[str, object] = {}
        #: Fields typed in: only their problems show before Save is pressed.
        self.touched: set[str] = set()
        #: A save is on the writer thread; the form waits for its answer.
        self.saving = False
        self.edits: dict[str, QLineEdit] = {}
        self.choices: dict[str, QComboBox] = {}
        self.error_labels = {
            field: error_label(self, f"Problem with {LABELS.get(field, 'the pay policy')}")
            for field in (*FIELDS, "other")
        }
        columns = QHBoxLayout()
        columns.setSpacing(16)
        for sections in COLUMNS:
            column = QVBoxLayout()
            labels: list[QLabel] = []
            for title, fields in sections:
                column.addWidget(self._section(title, fields, currency, labels))
            column.addStretch(1)
            columns.addLayout(column)
            # One label width down the column, so its fields line up across sections.
            width = max(label.sizeHint().width() for label in labels)
            for label in labels:
                label.setMinimumWidth(width)
        intro = QLabel(
            "Payroll, attendance and the schedule's checks use these from their next run;"
            " closed pay periods keep the rules they were closed with. A change reaches"
            " the server, and every site, with the next sync.",
            self,
        )
        intro.setProperty("role", "hint")
        intro.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.buttons)
        for field, edit in self.edits.items():
            edit.textChanged.connect(partial(self._typed, field))
        for field, box in self.choices.items():
            box.currentIndexChanged.connect(partial(self._typed, field))
        self.validate()

    def _section(
        self, title: str, fields: tuple[str, ...], currency: str, labels: list[QLabel]
    ) -> QGroupBox:
        group = QGroupBox(title, self)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field in fields:
            text = LABELS[field]
            if field == "late_penalty_per_minute" and currency:
                text = f"{text} ({currency})"
            label = QLabel(text, group)
            labels.append(label)
            control = self._field(field, text)
            form.addRow(label, with_error(self, control, self.error_labels[field]))
        return group

    def _field(self, field: str, label: str) -> QWidget:
        """The field's control, with core's bounds beside it for a typed number."""
        value = getattr(self.row, field)
        if field in ("week_start", "overnight_day"):
            box = QComboBox(self)
            choices = (
                [(day, name.capitalize()) for day, name in enumerate(WEEK_DAYS)]
                if field == "week_start"
                else [(choice, OVERNIGHT_TEXT[choice]) for choice in OVERNIGHT_DAYS]
            )
            for data, text in choices:
                box.addItem(text, data)
            box.setCurrentIndex(max(box.findData(value), 0))
            box.setAccessibleName(label)
            box.setSizePolicy(QSizePolicy.Policy.Fixed, box.sizePolicy().verticalPolicy())
            self.choices[field] = box
            return box
        edit = QLineEdit(_text(value), self)
        edit.setAccessibleName(label)
        edit.setFixedWidth(90)
        edit.setMaxLength(12)
        self.edits[field] = edit
        bounds = QLabel(allowed(field), self)
        bounds.setProperty("role", "hint")
        bounds.setAccessibleName(f"{label}: allowed")
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit)
        row.addWidget(bounds, 1)
        return box

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def values(self) -> dict[str, object]:
        """Each field as typed (a number's text) or chosen (a choice's value)."""
        held: dict[str, object] = {field: edit.text() for field, edit in self.edits.items()}
        held.update((field, box.currentData()) for field, box in self.choices.items())
        return {field: held[field] for field in FIELDS}

    def _typed(self, field: str, *_changed: object) -> None:
        self.touched.add(field)
        self.validate()

    def validate(self) -> bool:
        """Every field through core's check; Save stays off until all pass."""
        self.errors, self.wanted = {}, {}
        for field, value in self.values().items():
            try:
                value = checked(field, value)
            except ValidationError as error:
                self.errors[field] = error.problem
                continue
            if value != getattr(self.row, field):
                self.wanted[field] = value
        self._show(self.touched)
        self.save_button.setEnabled(not self.errors and not self.saving)
        return not self.errors

    def _show(self, fields: set[str]) -> None:
        shown = {f: e for f, e in self.errors.items() if f in fields or f == "other"}
        show_errors(self.error_labels, shown)
        for field, edit in self.edits.items():
            restyle(edit, "invalid", field in shown)

    def step_text(self) -> str:
        """The undo step's name: ``Change pay policy: grace period``."""
        names = list(self.wanted)
        what = LABELS[names[0]].lower() if len(names) == 1 else plural(len(names), "setting")
        return f"Change pay policy: {what}"

    def accept(self) -> None:
        """Save the changed fields on the writer thread; the dialog closes once core
        applied them, and stays open with core's refusal otherwise."""
        if self.saving:
            return
        if not self.validate():
            self._show(set(FIELDS))
            return
        if not self.wanted:
            self.saved.emit(OpResult())
            super().accept()
            return
        self._busy(True)
        self.context.run_in_background(
            self.step_text(),
            "Saving the pay policy…",
            partial(set_policy, **self.wanted),
            self._done,
            self._refused,
        )

    def reject(self) -> None:
        if not self.saving:  # a save under way is answered before the form goes
            super().reject()

    def _busy(self, saving: bool) -> None:
        self.saving = saving
        self.buttons.setEnabled(not saving)
        self.save_button.setEnabled(not saving and not self.errors)

    def _done(self, result: OpResult) -> None:
        self._busy(False)
        if result.conflicts:
            self.errors = {"other": "; ".join(c.reason for c in result.conflicts)}
            self._show({"other"})
            return
        self.saved.emit(result)
        super().accept()

    def _refused(self, error: ShiftDeskError) -> None:
        """Core refused the save (a closed period, a store changed meanwhile): its
        sentence goes under the field it names, or under the form."""
        self._busy(False)
        field = getattr(error, "field", "other")
        field = field if field in FIELDS else "other"
        self.errors = {field: getattr(error, "problem", str(error))}
        self._show({field})
        self.save_button.setEnabled(False)


def edit_policy(
    context: AppContext, parent: QWidget, report: Callable[[str], None]
) -> PolicyDialog | None:
    """Open the pay policy dialog over ``parent``; ``report`` gets what Save did, or
    why there is no policy to change (a store not set up)."""
    try:
        with context.store.session() as session:
            row = show_policy(session)
            currency = company_of(session).currency
    except ValidationError as error:
        report(f"No pay policy to change: {error.problem}.")
        return None
    dialog = PolicyDialog(context, row, currency, parent)
    dialog.saved.connect(lambda result: report(saved_message(result)))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
