"""The main window on demo data, saved as the README's screenshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from core.store import Store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def test_main_window_renders_the_demo_roster_and_saves_a_screenshot(
    qtbot: QtBot, themed, demo_store: Store, settings: QSettings
) -> None:
    window = MainWindow(AppContext(demo_store), settings)
    qtbot.addWidget(window)
    window.resize(1500, 920)
    page = window.pages["schedule"]
    page.anchor = date(2026, 6, 15)  # the demo's last week: unpublished, with leave
    page.reload()
    window.show()
    qtbot.waitExposed(window)
    image = window.grab().toImage()
    assert image.width() == 1500
    assert page.model.rowCount() > 40  # five department bands and forty people
    assert "15 Jun – 21 Jun 2026" in page.range_label.text()
    target = ROOT / "docs" / "screenshot.png"
    target.parent.mkdir(exist_ok=True)
    assert image.save(str(target))
