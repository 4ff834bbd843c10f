"""A dismissable message over a view: refusals and results, never modal.

The bar floats over the bottom of the view it reports on (:meth:`NoticeBar.float_over`)
instead of taking a line of the layout, so a message coming or going never moves
the rows under the pointer (a supervisor misclicked on a list that jumped). One
message at a time: each action's replaces the last; leaving the view, or moving
its range (:meth:`NoticeBar.clear`), takes a stale one away.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

from desktop.files import FileButtons
from desktop.theme import restyle


def plural(count: int, word: str, many: str | None = None) -> str:
    """A count and its noun, agreeing: "1 shift", "2 shifts", "1,200 shifts";
    ``many`` for a noun whose plural is not ``word`` + "s" ("people", "entries")."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


#: Room kept between the bar and the edges of the view it floats over.
MARGIN = 12


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._target: QWidget | None = None
        self._edge = Qt.Edge.BottomEdge
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
        #: "Open file" and "Show in folder" after a file was written (:meth:`show_file`).
        self.files = FileButtons(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.files, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()
        if parent is not None:
            parent.installEventFilter(self)

    # --- floating -------------------------------------------------------------------------

    def float_over(self, target: QWidget, edge: Qt.Edge = Qt.Edge.BottomEdge) -> None:
        """Float over the bottom (or top) of ``target``, a table or grid of the parent
        with no buttons under that edge, rather than take room in the layout: the
        view keeps its place whatever is shown. Over a tab widget, the bar floats
        under its tabs; while the target is hidden (an empty list gives way to a
        sentence), over the bottom of the whole parent."""
        self._target, self._edge = target, edge
        target.installEventFilter(self)
        if isinstance(target, QAbstractScrollArea):  # resized after the area itself
            target.viewport().installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.parentWidget() and kind == QEvent.Type.Hide and not event.spontaneous():
            self.clear()  # the view was left: what it said is stale when it comes back
        elif self._target is not None and kind in (
            QEvent.Type.Resize,
            QEvent.Type.Move,
            QEvent.Type.Show,
        ):
            self._place()
        return False

    def _place(self) -> None:
        target, parent = self._target, self.parentWidget()
        if target is None or parent is None:
            return
        # Over a scroll area's viewport, so its scroll bars stay reachable.
        area = target.viewport() if isinstance(target, QAbstractScrollArea) else target
        if area.isVisibleTo(parent) and area.width() > 4 * MARGIN:
            room = QRect(area.mapTo(parent, QPoint(0, 0)), area.size())
        else:
            room = parent.rect()
        edge = self._edge if room != parent.rect() else Qt.Edge.BottomEdge
        if isinstance(target, QTabWidget) and room != parent.rect():
            room.setTop(room.top() + target.tabBar().height())
        width = max(room.width() - 2 * MARGIN, 120)
        height = self.heightForWidth(width) if self.hasHeightForWidth() else -1
        if height <= 0:
            height = self.sizeHint().height()
        if edge == Qt.Edge.TopEdge:
            top = room.top() + MARGIN
        else:
            top = room.top() + max(room.height() - height - MARGIN, 0)
        self.setGeometry(QRect(room.left() + MARGIN, top, width, height))
        self.raise_()

    # --- messages -------------------------------------------------------------------------

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
        """Replace the message; an empty one takes it away."""
        if not text:
            self.hide()
            return
        restyle(self, "kind", kind)
        self._label.setText(text)
        self._label.setAccessibleName(text)
        self._label.setToolTip("")
        self.spinner.hide()
        self.files.clear()
        self.show()
        self._place()

    def show_file(self, text: str, path: Path) -> None:
        """A file was written ("Exported 6 shifts to rota.pdf"): the message, with
        buttons to open the file or its folder; the full path in the tooltip."""
        self.show_message("info", text)
        self._label.setToolTip(str(path))
        self.files.show_for(path)
        self._place()

    def show_busy(self, text: str) -> None:
        """Work under way on a worker ("Publishing 12 shifts…"): the message moves
        until an outcome replaces it."""
        self.show_message("info", text)
        self.spinner.show()

    def clear(self) -> None:
        """Take the message away (the view moved on: it no longer speaks of what is
        shown); work under way keeps saying so."""
        if not self.busy:
            self.hide()

    def follow_undo(self, flipped: SignalInstance) -> None:
        """Say what an undo or redo did ("Undone: Delete 5 shifts") while the view is
        shown; ``flipped`` is the context's signal of that sentence."""
        flipped.connect(self._flipped)

    def _flipped(self, text: str) -> None:
        parent = self.parentWidget()
        if parent is None or parent.isVisible():
            self.show_message("info", text)

    def end_busy(self) -> None:
        """The work ended without an outcome to show: the busy message goes."""
        if self.busy:
            self.hide()
