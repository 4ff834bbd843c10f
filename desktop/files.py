""" "Open file" and "Show in folder" for a file the app has just written.

One pair of buttons for every export's outcome (the payroll panel, the Schedule's
notice after a roster export), so each opens the file and its folder the same way:
through the desktop's own handler for the file's type.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget


class FileButtons(QWidget):
    """Two buttons about one written file; hidden until :meth:`show_for` names it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.open_button = QPushButton("Open file", self)
        self.folder_button = QPushButton("Show in folder", self)
        self.open_button.clicked.connect(self.open_file)
        self.folder_button.clicked.connect(self.show_folder)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.open_button)
        row.addWidget(self.folder_button)
        self.hide()

    def show_for(self, path: Path) -> None:
        self.path = path
        self.show()

    def clear(self) -> None:
        self.path = None
        self.hide()

    def file_url(self) -> QUrl:
        return QUrl.fromLocalFile(str(self.path)) if self.path else QUrl()

    def folder_url(self) -> QUrl:
        return QUrl.fromLocalFile(str(self.path.parent)) if self.path else QUrl()

    def open_file(self) -> bool:
        return QDesktopServices.openUrl(self.file_url())

    def show_folder(self) -> bool:
        return QDesktopServices.openUrl(self.folder_url())
