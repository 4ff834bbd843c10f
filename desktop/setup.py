"""File > New database: ask whose store it is, then create it already set up.

A new store is useless until it knows its company, its site and the site's time
zone, so the file is created only once that is answered: the dialog checks each
field with core's own rule as it is typed, and on OK :func:`create_store` writes
the file and :func:`core.organisation.setup_store` in one session. Cancel creates
nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import StoreError, ValidationError
from core.organisation import Setup, setup_store
from core.store import Store, open_store
from desktop.forms import error_label, show_errors, with_error

#: The dialog's fields, named as core's :class:`Setup` and its errors name them.
FIELDS = ("company", "site", "timezone", "currency")
#: Values core accepts, so one field at a time can be checked with core's rule.
_ACCEPTED = Setup(company="-", site="-", timezone="UTC", currency="EUR")


def problems(setup: Setup) -> dict[str, str]:
    """Every field's problem at once (core's ``checked`` stops at the first)."""
    found: dict[str, str] = {}
    for field in FIELDS:
        try:
            replace(_ACCEPTED, **{field: getattr(setup, field)}).checked()
        except ValidationError as error:
            found[error.field] = error.problem
    return found


def system_zone() -> str:
    """This computer's IANA zone when it has a known one, else UTC."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="replace")
    return name if name in available_timezones() else "UTC"


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)


def create_store(path: Path, setup: Setup) -> Store:
    """A new store file at ``path``, set up in one session; on failure no file is left.

    Raises :class:`ValidationError` for a bad setup (before any file is made) and
    :class:`StoreError` or :class:`OSError` when the file cannot be written.
    """
    setup = setup.checked()
    if path.exists():
        raise StoreError(f"{path} exists already; choose a new file name")
    try:
        store = open_store(path, create=True)
    except (StoreError, OSError):
        _remove(path)
        raise
    try:
        with store.session() as session:
            setup_store(session, setup)
    except BaseException:
        store.close()
        _remove(path)
        raise
    return store


class SetupDialog(QDialog):
    """Company, site, time zone and currency of a new store at ``path``."""

    #: The new store, created and set up; the caller switches to it.
    created = Signal(object)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SetupDialog")
        self.setWindowTitle("Set up the new database")
        self.setMinimumWidth(440)
        self.path = path
        self.errors: dict[str, str] = {}
        #: Fields the user has typed in: only their problems show before OK is pressed.
        self.touched: set[str] = set()
        intro = QLabel(
            f"{path.name} will hold one company's schedule. Whose is it, and where?", self
        )
        intro.setProperty("role", "hint")
        intro.setWordWrap(True)
        intro.setToolTip(str(path))
        self.company = QLineEdit(self)
        self.company.setPlaceholderText("e.g. Harbour Hotels Ltd")
        self.site = QLineEdit(self)
        self.site.setPlaceholderText("e.g. Harbour Hotel Dover")
        self.timezone = QComboBox(self)
        self.timezone.setEditable(True)
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone.addItems(sorted(available_timezones()))
        self.timezone.setCurrentText(system_zone())
        completer = QCompleter(self.timezone.model(), self.timezone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.setCompleter(completer)
        self.currency = QLineEdit(_ACCEPTED.currency, self)
        self.currency.setMaxLength(3)
        self.currency.setPlaceholderText("ISO code, e.g. EUR")
        self.fields: dict[str, QWidget] = {
            "company": self.company,
            "site": self.site,
            "timezone": self.timezone,
            "currency": self.currency,
        }
        for widget, name in (
            (self.company, "Company name"),
            (self.site, "Site name"),
            (self.timezone, "Time zone"),
            (self.currency, "Currency"),
        ):
            widget.setAccessibleName(name)
        self.error_labels = {field: error_label(self) for field in (*FIELDS, "other")}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget, field in (
            ("Company *", self.company, "company"),
            ("Site *", self.site, "site"),
            ("Time zone *", self.timezone, "timezone"),
            ("Currency *", self.currency, "currency"),
        ):
            form.addRow(label, with_error(self, widget, self.error_labels[field]))
        hint = QLabel(
            "Shifts at the site are planned in its time zone; pay is in the currency.", self
        )
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button.setText("Create database")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_labels["other"])
        layout.addWidget(self.buttons)
        for field, edit in (
            ("company", self.company),
            ("site", self.site),
            ("timezone", self.timezone.lineEdit()),
            ("currency", self.currency),
        ):
            edit.textChanged.connect(lambda _text, field=field: self._typed(field))
        self.validate()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def setup(self) -> Setup:
        return Setup(
            company=self.company.text(),
            site=self.site.text(),
            timezone=self.timezone.currentText(),
            currency=self.currency.text(),
        )

    def _typed(self, field: str) -> None:
        self.touched.add(field)
        self.validate()

    def validate(self) -> bool:
        """Check every field with core's rule; OK stays off until all are right."""
        self.errors = problems(self.setup())
        self._show(self.touched)
        self.ok_button.setEnabled(not self.errors)
        return not self.errors

    def _show(self, fields: set[str]) -> None:
        show_errors(
            self.error_labels,
            {
                f: e[:1].upper() + e[1:]
                for f, e in self.errors.items()
                if f in fields or f == "other"
            },
        )
        for field, widget in self.fields.items():
            widget.setProperty("invalid", field in fields and field in self.errors)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def accept(self) -> None:
        """Create the store; a file that cannot be written is said under the form."""
        if not self.validate():
            self._show(set(FIELDS))
            return
        try:
            store = create_store(self.path, self.setup())
        except ValidationError as error:
            self.errors = {error.field if error.field in FIELDS else "other": error.problem}
        except (StoreError, OSError) as error:
            self.errors = {"other": f"Cannot create {self.path}: {error}"}
        else:
            self.created.emit(store)
            super().accept()
            return
        self._show(set(FIELDS))
        self.ok_button.setEnabled(False)


def ensure_suffix(path: str | Path) -> Path:
    """What the save dialog gave, with the store's extension if it was left off."""
    path = Path(path)
    return path if path.suffix == ".shiftdesk" else path.with_name(f"{path.name}.shiftdesk")
