"""The window follows writes from outside (another process: the command line, a sync
run from cron) and refreshes on F5, while its own edits reload once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from core.models import Shift
from core.store import Store, open_store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.schedule.page import SchedulePage
from desktop.watch import POLL_MS
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift
from tests.desktop.sync_helpers import acknowledge, pull_shift


@pytest.fixture
def window(qtbot, themed, store: Store, org: Org, settings: QSettings) -> MainWindow:
    shown = MainWindow(AppContext(store), settings)
    qtbot.addWidget(shown)
    shown.resize(1400, 800)
    shown.show()
    qtbot.waitExposed(shown)
    page = shown.pages["schedule"]
    page.anchor = MONDAY
    page.reload()
    return shown


@pytest.fixture
def elsewhere(store: Store) -> Iterator[Store]:
    """The same file opened by someone else: another process, as far as SQLite knows."""
    other = open_store(store.path, create=False)
    yield other
    other.close()


def _shown(page: SchedulePage, employee_id: str) -> str:
    return str(page.model.index_of(employee_id, MONDAY).data(Qt.ItemDataRole.DisplayRole))


def _reloads(page: SchedulePage, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the page's reloads (each still runs)."""
    count: list[int] = []
    real = page.reload

    def counted() -> None:
        count.append(1)
        real()

    monkeypatch.setattr(page, "reload", counted)
    return count


def test_a_shift_written_by_another_process_appears_within_the_polling(
    qtbot, window: MainWindow, org: Org, elsewhere: Store
) -> None:
    page = window.pages["schedule"]
    assert _shown(page, org.anna) == ""
    add_shift(elsewhere, org, MONDAY, "09:00", "17:00", org.anna, location="Dock")
    qtbot.waitUntil(
        lambda: _shown(page, org.anna) == "09:00–17:00 Dock (not published)", timeout=3 * POLL_MS
    )


def test_coming_back_to_the_window_looks_at_once(
    qtbot, window: MainWindow, org: Org, elsewhere: Store
) -> None:
    window.outside.timer.stop()
    add_shift(elsewhere, org, MONDAY, "09:00", "17:00", org.ben)
    window.activateWindow()
    window.changeEvent(_activation())
    assert _shown(window.pages["schedule"], org.ben) == "09:00–17:00 (not published)"


def _activation():
    from PySide6.QtCore import QEvent

    return QEvent(QEvent.Type.ActivationChange)


def test_the_apps_own_edit_reloads_once_and_the_polling_adds_nothing(
    qtbot, window: MainWindow, org: Org, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.pages["schedule"]
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    window.outside.check()  # the write above was made beside the window, not by it
    reloads = _reloads(page, monkeypatch)
    page.controller.edit(sid, location="Bar")
    assert len(reloads) == 1
    assert _shown(page, org.anna) == "09:00–17:00 Bar (not published)"
    for _ in range(2):  # two turns of the polling
        with qtbot.waitSignal(window.outside.timer.timeout, timeout=3 * POLL_MS):
            pass
    assert len(reloads) == 1
    page.context.undo_stack.undo()
    assert len(reloads) == 2
    assert window.outside.check() is False


def test_f5_reloads_every_view(
    qtbot, window: MainWindow, org: Org, elsewhere: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.outside.timer.stop()  # only F5 may notice
    page = window.pages["schedule"]
    people = window.pages["people"]
    add_shift(elsewhere, org, MONDAY, "10:00", "14:00", org.cara)
    reloads = _reloads(people, monkeypatch)
    assert window.refresh_action.shortcut().toString() == "F5"
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert _shown(page, org.cara) == "10:00–14:00 (not published)"
    assert len(reloads) == 1


def test_undo_of_a_shift_a_pull_changed_since_is_refused_naming_it(
    qtbot, window: MainWindow, org: Org, store: Store, elsewhere: Store
) -> None:
    page = window.pages["schedule"]
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, location="Dock")
    acknowledge(store, sid)  # the server has the shift
    window.outside.check()
    page.controller.edit(sid, location="Bar")
    record = acknowledge(store, sid)  # a sync sent the edit
    # Another site moves it to the lobby; a sync from cron pulls that.
    pull_shift(elsewhere, record, location="Lobby")
    qtbot.waitUntil(
        lambda: _shown(page, org.anna) == "09:00–17:00 Lobby (not published)", timeout=3 * POLL_MS
    )

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    box = window.findChild(QMessageBox, "ErrorBox")
    assert box is not None
    assert box.isVisible()
    assert box.windowTitle() == "Cannot undo"
    assert box.text() == (
        "Edit shift: nothing was undone: the shift of Mon 01 Jun 09:00–17:00 (location)"
        " changed since, and undoing would overwrite that"
    )
    assert page.context.undo_stack.count() == 0
    with store.session() as s:
        assert s.get(Shift, sid).location == "Lobby"
    assert _shown(page, org.anna) == "09:00–17:00 Lobby (not published)"


def test_a_new_database_is_watched_from_when_it_opens(
    qtbot, window: MainWindow, org: Org, tmp_path: Path
) -> None:
    other = tmp_path / "other.shiftdesk"
    open_store(other).close()
    assert window.open_database(other)
    assert window.outside.check() is False
    window.context.store.close()
