"""Ctrl+Z in a text field undoes the application's last action when the field has
nothing of its own to undo.

A QLineEdit claims the undo and redo keys whenever it has focus, edits or not, so
with the cursor left in a search field Ctrl+Z did nothing at all. The filter below
lets a field keep the keys only while it has an edit to undo (or redo); otherwise
they reach the window's Undo / Redo actions.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget


class FieldUndoPassThrough(QObject):
    """Installed on each line edit as it gets focus (see :func:`install`)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(watched, QLineEdit):
            return False
        assert isinstance(event, QKeyEvent)
        if event.matches(QKeySequence.StandardKey.Undo):
            own = watched.isUndoAvailable()
        elif event.matches(QKeySequence.StandardKey.Redo):
            own = watched.isRedoAvailable()
        else:
            return False
        if own and not watched.isReadOnly():
            return False  # the field undoes its own typing
        event.ignore()  # not the field's: the shortcut goes to the window
        return True

    def follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, QLineEdit):
            new.installEventFilter(self)


def install(app: QApplication, parent: QObject) -> FieldUndoPassThrough:
    """Watch the fields that get focus from now on; the filter lives with ``parent``."""
    passing = FieldUndoPassThrough(parent)
    app.focusChanged.connect(passing.follow)
    return passing
