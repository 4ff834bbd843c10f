"""File → Connect to server… and File → New database from a server…: a URL and an
API key, then :func:`sync.connect.connect` on a worker thread.

The three cases of ``shiftdesk sync connect`` are said in plain sentences: a new
file is filled from the company; a store with data joins an empty company (a
backup is kept) and uploads on its first sync; a store with data meeting a company
with other data is refused, and nothing changes. The key is kept by
:func:`sync.credentials.save_key` (the OS keyring, else a file only its user reads),
never in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import ShiftDeskError
from core.store import Store, open_store
from desktop.context import AppContext
from desktop.notice import plural
from desktop.sync.controller import EVERYTHING, progress_text
from desktop.theme import restyle
from sync.client import SyncClient
from sync.connect import Connected, ConnectRefused, connect
from sync.credentials import Kept, save_key
from sync.engine import Progress, explain
from sync.errors import SyncError
from sync.link import normalise_url


@dataclass(frozen=True)
class Outcome:
    done: Connected
    kept: Kept


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "." if text else ""


def outcome_text(outcome: Outcome, path: Path) -> str:
    """What connecting did, in a few plain sentences."""
    done, run = outcome.done, outcome.done.run
    company = f"{done.company_name} at {done.server_url}"
    if done.how == "created":
        got = run.pulled if run else 0
        lines = [
            f"Connected to {company}.",
            f"The new database {path.name} was filled from the company:"
            f" {plural(got, 'record')} received.",
        ]
    elif done.how == "joined" and run is None:
        lines = [
            f"Connected to {company}.",
            "This database joined the company, which had no records on the server yet;"
            " the first sync sends all of its records (Sync now, on the Sync page).",
        ]
    elif done.how == "joined":
        lines = [
            f"Connected to {company}.",
            f"This database joined the company and received {plural(run.pulled, 'record')}.",
        ]
    else:
        lines = [f"Connected again to {company}; nothing else changed."]
    if run is not None and not run.completed:
        lines.append(
            f"The download stopped: {run.message}. Sync now carries on from where it stopped."
        )
    lines += [_sentence(note) for note in done.notes]
    if done.backup is not None:
        lines.append(f"A copy of the database as it was is kept in {done.backup}.")
    lines.append(f"The API key is kept in {outcome.kept.where}, not in the database.")
    return " ".join(lines)


class ConnectSignals(QObject):
    progress = Signal(object)
    finished = Signal(object)
    #: ("refused" | "error", one or two sentences)
    failed = Signal(str, str)


class ConnectJob(QRunnable):
    def __init__(self, path: Path, url: str, key: str, signals: ConnectSignals) -> None:
        super().__init__()
        self.path, self.url, self.key, self.signals = path, url, key, signals

    def run(self) -> None:
        try:
            with SyncClient(self.url, self.key) as client:
                done = connect(self.path, client, progress=self._progress)
            kept = save_key(self.url, self.key)
        except ConnectRefused as error:
            self._report(self.signals.failed, "refused", _sentence(str(error)))
            return
        except SyncError as error:
            self._report(self.signals.failed, "error", _sentence(explain(error)))
            return
        except (ShiftDeskError, OSError) as error:
            self._report(self.signals.failed, "error", _sentence(str(error)))
            return
        self._report(self.signals.finished, Outcome(done, kept))

    def _progress(self, step: Progress) -> None:
        self._report(self.signals.progress, step)

    @staticmethod
    def _report(signal: SignalInstance, *values: object) -> None:
        try:
            signal.emit(*values)
        except RuntimeError:  # the dialog was closed meanwhile
            return


class ConnectDialog(QDialog):
    """Connect the open database (``new_path`` None) or make a new one from a server."""

    #: A new database was made from the server and is open: the window switches to it.
    created = Signal(object)
    #: Connecting ended well (the :class:`Outcome`).
    connected = Signal(object)
    #: Connecting was refused or failed: the sentence shown.
    refused = Signal(str)

    def __init__(
        self, context: AppContext, new_path: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectDialog")
        self.context = context
        self.new_path = new_path
        self.path = new_path if new_path is not None else context.store.path
        self.outcome: Outcome | None = None
        self.running = False
        self.setWindowTitle(
            "New database from a server" if new_path is not None else "Connect to server"
        )
        self.setMinimumWidth(520)
        link = context.sync.link() if new_path is None else None
        intro = QLabel(self)
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        intro.setText(
            f"{self.path.name} will be made from the company's data on the server."
            if new_path is not None
            else f"{self.path.name} will sync with the company the key belongs to. A database"
            " with records of its own joins only a company that has none yet."
        )
        self.url = QLineEdit(link.server_url if link else "", self)
        self.url.setPlaceholderText("e.g. https://hq.example.com:8080")
        self.url.setAccessibleName("Server address")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("The key your administrator gave you")
        self.key.setAccessibleName("API key")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Server *", self.url)
        form.addRow("API key *", self.key)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Connecting")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = QLabel(self)
        self.message.setObjectName("ConnectOutcome")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button.setText("Connect")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.url.textChanged.connect(self._check)
        self.key.textChanged.connect(self._check)
        self._check()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def cancel_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

    def _check(self) -> None:
        url = self.url.text().strip()
        ready = url.startswith(("http://", "https://")) and bool(self.key.text().strip())
        self.ok_button.setEnabled(ready and not self.running and self.outcome is None)

    def _say(self, role: str, text: str) -> None:
        restyle(self.message, "role", role)
        self.message.setText(text)
        self.message.setAccessibleName(text)
        self.message.show()

    def start(self) -> bool:
        """Connect on a worker thread; the outcome is said in the dialog."""
        if self.outcome is not None:
            self.accept()
            return False
        if self.running or not self.ok_button.isEnabled():
            return False
        if self.context.sync.running:
            self._say("error", "A sync of this database is running; connect when it ends.")
            return False
        url = normalise_url(self.url.text())
        self.running = True
        self._check()
        for edit in (self.url, self.key):
            edit.setEnabled(False)
        self.progress.show()
        self._say("hint", f"Reaching {url}…")
        signals = ConnectSignals(self)
        signals.progress.connect(self._progress)
        signals.finished.connect(self._finished)
        signals.failed.connect(self._failed)
        job = ConnectJob(self.path, url, self.key.text().strip(), signals)
        QThreadPool.globalInstance().start(job)
        return True

    def _progress(self, step: Progress) -> None:
        self._say("hint", progress_text(step))

    def _finished(self, outcome: Outcome) -> None:
        self.running = False
        self.outcome = outcome
        self.progress.hide()
        self._say("hint", outcome_text(outcome, self.path))
        self.ok_button.setText("Close")
        self.ok_button.setEnabled(True)
        self.cancel_button.hide()
        if self.new_path is not None:
            self.created.emit(open_store(self.new_path, create=False))
        elif outcome.done.how == "joined":
            # The records took the company's ids: reload everything, and undo steps
            # that name the old ids can no longer apply.
            self.context.set_store(self._reopen())
        else:
            self.context.data_changed.emit(EVERYTHING)
        self.context.sync.update_timer()
        self.connected.emit(outcome)

    def _reopen(self) -> Store:
        return open_store(self.context.store.path, create=False)

    def _failed(self, kind: str, text: str) -> None:
        self.running = False
        self.progress.hide()
        for edit in (self.url, self.key):
            edit.setEnabled(True)
        if kind == "refused":
            text = f"Not connected. {text} Nothing in {self.path.name} was changed."
        else:
            text = f"Not connected. {text}"
        self._say("error", text)
        self._check()
        self.refused.emit(text)

    def reject(self) -> None:
        if self.running:  # the worker writes the store: let it finish and say how
            return
        super().reject()
