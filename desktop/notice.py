"""A dismissable one-line message above a view: refusals and results, never modal."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from desktop.theme import restyle


def plural(count: int, word: str, many: str | None = None) -> str:
    """A count and its noun, agreeing: "1 shift", "2 shifts", "1,200 shifts";
    ``many`` for a noun whose plural is not ``word`` + "s" ("people", "entries")."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Notice")
        self.setAccessibleName("Notice")
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName("Dismiss notice")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        #: Moves while a background job runs (see :meth:`show_busy`).
        self.spinner = QProgressBar(self)
        self.spinner.setRange(0, 0)
        self.spinner.setTextVisible(False)
        self.spinner.setFixedWidth(80)
        self.spinner.setMaximumHeight(6)
        self.spinner.setAccessibleName("Working")
        self.spinner.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind") or "")

    @property
    def text(self) -> str:
        return self._label.text() if self.isVisibleTo(self.parentWidget()) else ""

    @property
    def busy(self) -> bool:
        """It shows work under way (:meth:`show_busy`), not an outcome."""
        return self.spinner.isVisibleTo(self) and not self.isHidden()

    def show_message(self, kind: str, text: str) -> None:
        restyle(self, "kind", kind)
        self._label.setText(text)
        self._label.setAccessibleName(text)
        self.spinner.hide()
        self.show()

    def show_busy(self, text: str) -> None:
        """Work under way on a worker ("Publishing 12 shifts…"): the message moves
        until an outcome replaces it."""
        self.show_message("info", text)
        self.spinner.show()

    def end_busy(self) -> None:
        """The work ended without an outcome to show: the busy message goes."""
        if self.busy:
            self.hide()
