"""Desktop fixtures: the app's theme, isolated settings, and a demo store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core.demo import build_demo
from core.store import Store, open_store
from desktop import theme
from desktop.context import AppContext

#: The demo's first Monday; tests pin "today" near it so screenshots are stable.
DEMO_START = date(2026, 6, 1)


@pytest.fixture
def themed(qapp: QApplication) -> QApplication:
    theme.apply(qapp)
    return qapp


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "demo.shiftdesk")
    build_demo(opened, employees=40, weeks=3, seed=1, start=DEMO_START)
    yield opened
    opened.close()


@pytest.fixture
def context(store: Store, themed: QApplication) -> AppContext:
    return AppContext(store)


@pytest.fixture
def page(qtbot, context: AppContext, org):
    """The Schedule page on the test company's week of MONDAY, shown and sized."""
    from desktop.schedule.page import SchedulePage
    from tests.conftest import MONDAY

    shown = SchedulePage(context)
    qtbot.addWidget(shown)
    shown.resize(1400, 800)
    shown.anchor = MONDAY
    shown.reload()
    shown.show()
    qtbot.waitExposed(shown)
    return shown
