"""A question before an action that is big or cannot be taken back, asked without
blocking the window: the action runs only when the answer is its verb."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def ask(
    parent: QWidget,
    name: str,
    title: str,
    question: str,
    detail: str,
    verb: str,
    then: Callable[[], object],
    *,
    default_yes: bool = True,
) -> QMessageBox:
    """A non-modal question named ``name`` (tests find it by that); ``then`` runs
    when the answer is ``verb``. ``default_yes=False`` makes Enter cancel, for a
    step that cannot be undone."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName(name)
    box.setInformativeText(detail)
    box.button(QMessageBox.StandardButton.Yes).setText(verb)
    box.setDefaultButton(
        QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.Cancel
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(result: int) -> None:
        if result == QMessageBox.StandardButton.Yes:
            then()

    box.finished.connect(answered)
    box.open()
    return box
