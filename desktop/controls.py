"""Controls the pages' bars share: a button around a shortcut action, the person
search field, and filter boxes refilled without losing the choice.

One home for each, so every page names, hints and behaves the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit, QToolButton, QWidget

from desktop.theme import icon


def action_button(
    owner: QWidget,
    text: str,
    tip: str,
    shortcut: str = "",
    *,
    icon_name: str = "",
    window_wide: bool = False,
) -> QToolButton:
    """A text-beside-icon button for an action whose tooltip names its shortcut.

    The owner holds the action, so the shortcut works wherever focus is inside the
    owner (``window_wide``: anywhere in its window, as the Schedule bar wants). The
    button's accessible name is its text without a trailing ellipsis.
    """
    button = QToolButton(owner)
    action = QAction(icon(icon_name), text, owner) if icon_name else QAction(text, owner)
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(
            Qt.ShortcutContext.WindowShortcut
            if window_wide
            else Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        owner.addAction(action)
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAccessibleName(text.rstrip("…"))
    return button


def person_search(parent: QWidget) -> QLineEdit:
    """The "Find a person…" field that filters a page by name."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText("Find a person…")
    edit.setAccessibleName("Filter by name")
    edit.setClearButtonEnabled(True)
    edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
    edit.setMinimumWidth(170)
    return edit


def refill(box: QComboBox, everything: str, items: Sequence[tuple[str, str]]) -> None:
    """New ``(value, text)`` choices for a filter box after ``everything`` (value ""),
    keeping what was chosen when it is still there; no change signal is sent."""
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    box.addItem(everything, "")
    for value, text in items:
        box.addItem(text, value)
    found = box.findData(current) if current else 0
    box.setCurrentIndex(max(found, 0))
    box.blockSignals(False)
