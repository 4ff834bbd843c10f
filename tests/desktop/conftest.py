"""Desktop fixtures: the app's theme, isolated settings, a demo store, and the demo's
main window with a way to save what it shows."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from core.demo import build_demo
from core.store import Store
from desktop import theme
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from tests.conftest import open_copy, store_template


@pytest.fixture(autouse=True, scope="module")
def _freeze_what_lives_on() -> None:
    """What is alive when a module starts (modules, classes, session fixtures, the
    objects earlier tests keep) is frozen, as the app freezes what exists at its first
    window (:func:`desktop.app.first_window`): the full collection before each test
    then walks only what came since, not some 300,000 objects again each time."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _collect_on_the_ui_thread() -> Iterator[None]:
    """As the app runs (:mod:`desktop.collector`): no automatic collection during a
    test, where one could start on a worker thread and free Qt objects there; what
    the tests before left is collected here, on the UI thread, between tests."""
    was = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        yield
    finally:
        if was:
            gc.enable()


#: The demo's first Monday; tests pin "today" near it so screenshots are stable.
DEMO_START = date(2026, 6, 1)
ROOT = Path(__file__).resolve().parents[2]
#: Where screenshots go: a folder relative to the checkout (``docs`` refreshes the
#: README's pictures); unset, each test's own temporary folder, so a run leaves the
#: work tree as it found it.
SCREENSHOTS_ENV = "SHIFTDESK_SCREENSHOTS"


@pytest.fixture(scope="session")
def themed(qapp: QApplication) -> QApplication:
    """The app's font and stylesheet, set once: an application stylesheet stays until
    replaced, and setting it again re-polishes every widget still alive, thousands of
    them (pytest-qt deletes closed windows later, when some test runs an event loop)."""
    theme.apply(qapp)
    return qapp


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``build_demo``'s store for the given options, built once per run and kept closed
    for tests to copy (see :func:`open_copy`); never open it for writing."""
    folder = tmp_path_factory.mktemp("demos")

    @functools.cache
    def demo_file(**options: Any) -> Path:
        name = "-".join(f"{key}={value}" for key, value in sorted(options.items()))
        path = folder / f"demo-{name}.shiftdesk"
        return store_template(path, lambda opened: build_demo(opened, **options))

    return demo_file


@pytest.fixture
def demo_store(tmp_path: Path, demo_files: Callable[..., Path]) -> Iterator[Store]:
    """The screenshots' demo (40 people, 3 weeks from DEMO_START), this test's own copy."""
    template = demo_files(employees=40, weeks=3, seed=1, start=DEMO_START)
    with open_copy(template, tmp_path / "demo.shiftdesk") as opened:
        yield opened


@pytest.fixture
def context(store: Store, themed: QApplication) -> AppContext:
    return AppContext(store)


@pytest.fixture
def page(qtbot, context: AppContext, org):
    """The Schedule page on the test company's week of MONDAY, shown and sized."""
    from desktop.schedule.page import SchedulePage
    from tests.conftest import MONDAY
    from tests.desktop.helpers import show_at

    def week_of_monday(page: SchedulePage) -> None:
        page.anchor = MONDAY
        page.reload()

    return show_at(qtbot, SchedulePage(context), 1400, 800, week_of_monday)


@pytest.fixture
def demo_window(
    qtbot: QtBot, themed: QApplication, demo_store: Store, settings: QSettings
) -> Callable[[str], MainWindow]:
    """Opens the main window on the demo store at screenshot size, showing a view."""

    def open_view(view: str) -> MainWindow:
        window = MainWindow(AppContext(demo_store), settings)
        qtbot.addWidget(window)
        window.resize(1560, 1000)
        window.show_view(view)
        window.show()
        qtbot.waitExposed(window)
        return window

    return open_view


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[[QWidget, str], Path]:
    """Saves a picture of a widget under a file name, where SHIFTDESK_SCREENSHOTS says."""
    chosen = os.environ.get(SCREENSHOTS_ENV, "")
    folder = ROOT / chosen if chosen else tmp_path

    def save(widget: QWidget, name: str) -> Path:
        QApplication.processEvents()  # pending layout requests, as the event loop would
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(target))
        return target

    return save
