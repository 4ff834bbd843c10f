"""Field errors in dialogs and editors: a line under each field that names its
problem, hidden while there is none.

Every form shows core's ``ValidationError`` and its own checks the same way, so
the lines are made and filled here.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def error_label(parent: QWidget, accessible_name: str = "") -> QLabel:
    """A hidden, word-wrapped line in the stylesheet's error look."""
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    label.hide()
    return label


def with_error(parent: QWidget, field: QWidget, error: QLabel) -> QWidget:
    """A form field with its error line right under it, taking no room while hidden
    (a line of its own in the form would leave a gap)."""
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
