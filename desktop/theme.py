"""The look of the app: stylesheet, icons and fonts, read from the ``resources`` package.

Assets are read through importlib.resources so they work from a wheel or a zip as
well as from a checkout.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QWidget

ACCENT = QColor("#1f6feb")
TEXT = QColor("#1d2733")
MUTED = QColor("#5b6876")
CONFLICT = QColor("#d62828")
WARNING = QColor("#d99100")
OK = QColor("#2f9e44")
#: A record in conflict with the server (not a clash of the roster's rules).
SYNC_CONFLICT = QColor("#8338ec")


def stylesheet() -> str:
    return (files("resources") / "theme" / "shiftdesk.qss").read_text(encoding="utf-8")


@cache
def _svg(name: str) -> bytes:
    return (files("resources") / "icons" / f"{name}.svg").read_bytes()


def icon(name: str, color: str | None = None) -> QIcon:
    """An icon from ``resources/icons``; ``color`` recolours its strokes (e.g. on dark)."""
    data = _svg(name)
    if color:
        data = data.replace(b"#33414f", color.encode())
    renderer = QSvgRenderer(QByteArray(data))
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def apply(app: QApplication) -> None:
    """One legible font size everywhere, and the stylesheet."""
    font = QFont(app.font())
    font.setPixelSize(13)
    app.setFont(font)
    app.setStyleSheet(stylesheet())


def restyle(widget: QWidget, name: str, value: object) -> None:
    """Set a property the stylesheet selects on (``role``, ``kind``, ``invalid``) and
    polish again: Qt does not restyle a widget by itself when a property changes."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
