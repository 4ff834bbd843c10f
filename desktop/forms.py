"""Field errors in dialogs and editors: a line under each field that names its
problem, hidden while there is none but keeping its room, so a problem coming or
going never moves the field below it (the pointer stays on what it was on).

Every form shows core's ``ValidationError`` and its own checks the same way, so
the lines are made and filled here.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget


class _OneLine(QObject):
    """Keeps a label at least one line of its (styled) font high, whatever the
    stylesheet sets once the label is polished."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLabel) and event.type() in (
            QEvent.Type.Polish,
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
        ):
            watched.setMinimumHeight(_line_height(watched))
        return False


def _line_height(label: QLabel) -> int:
    """The height one line of this label's text takes (a word-wrapped label lays its
    text out as a document, a pixel taller than the font's line spacing)."""
    probe = QLabel("X")
    probe.setFont(label.font())
    probe.setWordWrap(label.wordWrap())
    return probe.heightForWidth(1000) if label.wordWrap() else probe.sizeHint().height()


def error_label(parent: QWidget, accessible_name: str = "") -> QLabel:
    """A hidden, word-wrapped line in the stylesheet's error look that keeps one
    line's room while hidden; a longer problem takes the lines it needs."""
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
    label.setSizePolicy(policy)
    keeper = _OneLine(label)
    label.installEventFilter(keeper)
    label.setMinimumHeight(_line_height(label))
    label.hide()
    return label


def with_error(parent: QWidget, field: QWidget, error: QLabel) -> QWidget:
    """A form field with its error line right under it; the line's room is kept
    while there is no error, so the fields below never jump."""
    box = QWidget(parent)
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(error)
    return box


def show_errors(labels: Mapping[str, QLabel], errors: Mapping[str, str]) -> None:
    """Each field's line says its problem, or hides when it has none."""
    for field, label in labels.items():
        text = errors.get(field, "")
        label.setText(text)
        label.setVisible(bool(text))
