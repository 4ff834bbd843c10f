"""The frame the list pages (Leave, People, Sync) share: their bar across the top
and a padded body below, so the pages line up as the sidebar switches between them."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget


def framed(page: QWidget, bar: QWidget) -> QVBoxLayout:
    """Lay ``page`` out as ``bar`` over a padded body, and return the body to fill."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(bar)
    body = QVBoxLayout()
    body.setContentsMargins(12, 8, 12, 12)
    body.setSpacing(8)
    layout.addLayout(body, 1)
    return body


def beside(table: QWidget, empty: QWidget, panel: QWidget, spacing: int) -> QHBoxLayout:
    """``table`` with its empty-list hint under it, and ``panel`` on its right."""
    column = QVBoxLayout()
    column.addWidget(table, 1)
    column.addWidget(empty)
    row = QHBoxLayout()
    row.setSpacing(spacing)
    row.addLayout(column, 1)
    row.addWidget(panel)
    return row
