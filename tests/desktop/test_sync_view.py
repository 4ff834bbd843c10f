"""The Sync page and the status bar against a real server on 127.0.0.1: connect,
sync a change made at another site into the grid, settle a conflict and a refused
change from the page, and every state of the status bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.changes import Changes
from core.models import Employee, Shift
from core.models.sync import PullCursor
from core.organisation import resolve_site
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import open_store
from desktop.mainwindow import MainWindow
from desktop.sync.page import SyncPage
from desktop.table import title_width
from sync.link import find_link
from tests.conftest import MONDAY
from tests.desktop.helpers import unnamed_controls
from tests.desktop.sync_server import (  # noqa: F401 - fixtures, found by name
    connect_from_dialog,
    connect_site,
    db_url,
    open_window,
    set_up_site,
    sync_now,
    sync_site,
)
from tests.server.conftest import Tenant, live, new_id, tenant  # noqa: F401

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def quay(tmp_path: Path, migrated_file: Path, tenant: Tenant) -> tuple[Path, str, str]:  # noqa: F811
    """The first site's store: Anna and her Monday shift, not yet connected."""
    path = tmp_path / "quay.shiftdesk"
    anna, shift = set_up_site(path, migrated_file, tenant)
    return path, anna, shift


def _shifts_in_grid(window: MainWindow, employee_id: str, day) -> list:
    page = window.pages["schedule"]
    page.anchor = MONDAY
    page.reload()
    return list(page.model.cell(page.model.index_of(employee_id, day)).shifts)


def test_connect_then_a_change_made_at_another_site_shows_in_the_grid_after_sync_now(
    qtbot: QtBot,
    themed,
    settings: QSettings,
    quay,
    tenant: Tenant,  # noqa: F811
) -> None:
    path, anna, _shift = quay
    store = open_store(path)
    window = open_window(qtbot, store, settings)
    assert window.pending_label.text() == "Not connected · 2 changes not yet sent"
    page = window.pages["sync"]
    assert isinstance(page, SyncPage)
    assert not page.sync_button.isEnabled()
    assert not page.auto_box.isEnabled()  # off for a store never connected

    dialog = connect_from_dialog(qtbot, window, tenant.live.url + "/", tenant.key)
    said = dialog.message.text()
    assert said.startswith(f"Connected to Testco at {tenant.live.url}.")
    assert "joined the company" in said
    assert "first sync sends all of its records" in said
    assert "The API key is kept in the file" in said  # no keyring in tests
    assert window.context.store.path == path  # reopened: the records took the company's ids
    # the store's pay policy joins its person and shift: the company has none yet
    assert window.pending_label.text() == "Never synced · 3 changes waiting to sync"
    assert page.sync_button.isEnabled()
    assert page.auto_box.isEnabled()
    assert page.auto_box.isChecked()
    assert window.context.sync.timer.isActive()

    result = sync_now(qtbot, window)
    assert (result.pushed, result.pending) == (3, 0)
    assert window.pending_label.text() == "Online · synced just now · all changes sent"
    assert page.notice.text == "Synced: sent 3 changes, received 0 records."
    assert page.runs.rowCount() == 1
    assert page.runs.index(0, 1).data() == "Completed"

    body = {
        "shiftDate": TUESDAY.isoformat(),
        "startTime": "12:00",
        "endTime": "20:00",
        "assignedUserIds": [anna],
        "location": "Terrace",
    }
    made = tenant.client.put(f"/v1/shifts/{new_id()}", json=body, headers={"If-None-Match": "*"})
    assert made.status_code == 201, made.text
    assert _shifts_in_grid(window, anna, TUESDAY) == []
    window.show_view("schedule")
    result = sync_now(qtbot, window)
    assert result.pulled >= 1
    # The grid refreshed by itself, through data_changed, as after an edit.
    grid = window.pages["schedule"].model
    (pulled,) = grid.cell(grid.index_of(anna, TUESDAY)).shifts
    assert (pulled.location, pulled.start_time) == ("Terrace", "12:00")
    assert [r.outcome for r in page.runs.runs] == ["ok", "ok"]
    assert unnamed_controls(window) == []


def test_a_database_with_its_own_records_is_refused_by_a_company_with_others(
    qtbot: QtBot, themed, settings: QSettings, tmp_path: Path, migrated_file: Path, quay,
    tenant: Tenant,  # noqa: F811
) -> None:  # fmt: skip
    path, _anna, _shift = quay
    connect_site(path, tenant)  # the first site joins the company and uploads its records
    sync_site(path, tenant)
    other_site_path = tmp_path / "hill.shiftdesk"
    set_up_site(other_site_path, migrated_file, tenant)

    store = open_store(other_site_path)
    window = open_window(qtbot, store, settings)
    dialog = window.connect_to_server()
    dialog.url.setText(tenant.live.url)
    dialog.key.setText(tenant.key)
    with qtbot.waitSignal(dialog.refused, timeout=30_000) as refused:
        dialog.ok_button.click()
    text = refused.args[0]
    assert text.startswith("Not connected. This store holds its own records")
    assert text.endswith("Nothing in hill.shiftdesk was changed.")
    assert dialog.message.text() == text
    with store.session() as s:
        assert find_link(s) is None
    assert window.pending_label.text() == "Not connected · 2 changes not yet sent"
    assert dialog.ok_button.isEnabled()  # another key may be tried


def test_a_new_database_from_a_server_is_filled_and_opened(
    qtbot: QtBot, themed, settings: QSettings, tmp_path: Path, quay, store,
    tenant: Tenant,  # noqa: F811
) -> None:  # fmt: skip
    path, anna, shift = quay
    connect_site(path, tenant)
    sync_site(path, tenant)
    window = open_window(qtbot, store, settings, "schedule")
    dialog = window.new_database_from_server(tmp_path / "office")
    assert dialog is not None
    dialog.url.setText(tenant.live.url)
    dialog.key.setText(tenant.key)
    with qtbot.waitSignal(dialog.connected, timeout=30_000):
        dialog.ok_button.click()
    assert "The new database office.shiftdesk was filled from the company" in dialog.message.text()
    assert window.context.store.path == tmp_path / "office.shiftdesk"
    assert settings.value("database") == str(tmp_path / "office.shiftdesk")
    assert [s.id for s in _shifts_in_grid(window, anna, MONDAY)] == [shift]
    assert window.pending_label.text() == "Online · synced just now · all changes sent"


def _edit_location(path: Path, shift_id: str, where: str) -> None:
    store = open_store(path)
    with store.session() as s:
        edit_shift(s, shift_id, location=where)
    store.close()


def _status_strip(window: MainWindow) -> QPixmap:
    """The right-hand end of the status bar, where sync speaks."""
    QApplication.processEvents()
    bar = window.statusBar().grab()
    width = min(bar.width(), 720)
    return bar.copy(bar.width() - width, 0, width, bar.height())


def _stack(strips: list[tuple[str, QPixmap]]) -> QPixmap:
    """The status bar's states one under another, each with its caption."""
    width = max(p.width() for _, p in strips)
    caption = 22
    height = sum(p.height() + caption for _, p in strips)
    picture = QPixmap(width, height)
    picture.fill(QColor("#f4f6f8"))
    painter = QPainter(picture)
    painter.setPen(QColor("#44505c"))
    y = 0
    for text, strip in strips:
        painter.drawText(8, y + 16, text)
        y += caption
        painter.drawPixmap(QPoint(width - strip.width(), y), strip)
        y += strip.height()
    painter.end()
    return picture


def test_sync_view_screenshot_a_conflict_settled_field_by_field_and_each_status_bar_state(
    qtbot: QtBot, themed, settings: QSettings, tmp_path: Path, quay, tenant: Tenant,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch, screenshot: Callable[[QWidget, str], Path],
) -> None:  # fmt: skip
    path, anna, shift = quay
    strips: list[tuple[str, QPixmap]] = []
    store = open_store(path)
    window = open_window(qtbot, store, settings, "schedule")
    strips.append(("A database never connected", _status_strip(window)))
    connect_from_dialog(qtbot, window, tenant.live.url, tenant.key)
    strips.append(("Connected, never synced", _status_strip(window)))
    sync_now(qtbot, window)
    hill = connect_site(tmp_path / "hill.shiftdesk", tenant)

    # Both sites move the shift: here to the pass, there to the bar.
    with window.context.store.session() as s:
        edit_shift(s, shift, location="Pass")
    window.context.data_changed.emit(Changes.SHIFTS)
    strips.append(("Online, a change waiting", _status_strip(window)))
    _edit_location(hill, shift, "Bar")
    assert sync_site(hill, tenant).pushed == 1
    result = sync_now(qtbot, window)
    assert result.conflicts == 1
    assert window.pending_label.text() == "Online · synced just now"  # the edit waits on it
    badge = window.conflict_badge
    assert badge.isVisible()
    assert badge.text() == "⚠ 1 conflict"
    strips.append(("Online, a conflict waiting (the badge opens it)", _status_strip(window)))

    window.pages["sync"].tabs.setCurrentIndex(2)  # history, looked at earlier
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert window.current_view == "sync"
    page = window.pages["sync"]
    assert page.tabs.currentIndex() == 0
    assert page.tabs.tabText(0) == "Conflicts (1)"
    (conflict,) = page.conflicts.conflicts
    assert conflict.record_id == shift
    assert page.selected_conflict_id == conflict.id
    fields = page.fields
    assert [fields.index(0, c).data() for c in range(5)] == [
        "Location", "(empty)", "Pass", "Bar", "Mine",
    ]  # fmt: skip
    box = page.field_box("location")
    box.setCurrentIndex(box.findData("theirs"))
    assert fields.index(0, 4).data() == "Theirs"
    screenshot(window, "sync.png")

    assert page.apply_button.isEnabled()
    page.apply_button.click()
    assert page.notice.kind == "info"
    assert "the server's copy taken" in page.notice.text
    assert page.conflicts.rowCount() == 0
    assert not badge.isVisible()
    (now,) = _shifts_in_grid(window, anna, MONDAY)
    assert now.location == "Bar"  # every view follows the resolution
    undo = window.context.undo_stack
    assert undo.undoText().startswith("Resolve the conflict on shift")
    undo.undo()  # Edit → Undo opens the conflict again, as it was
    assert page.conflicts.rowCount() == 1
    assert badge.isVisible()
    undo.redo()
    assert page.conflicts.rowCount() == 0
    (now,) = _shifts_in_grid(window, anna, MONDAY)
    assert now.location == "Bar"
    sync_now(qtbot, window)
    assert sync_site(hill, tenant).completed
    for where in (hill, path):
        other = open_store(where)
        with other.session() as s:
            assert s.get(Shift, shift).location == "Bar"
        other.close()

    # The server goes away: the next run says offline, and what still waits.
    with window.context.store.session() as s:
        edit_shift(s, shift, location="Lobby")
        s.scalars(select(PullCursor)).one().server_url = "http://127.0.0.1:9"
    monkeypatch.setenv("SHIFTDESK_API_KEY", tenant.key)
    result = sync_now(qtbot, window)
    assert not result.completed
    assert window.pending_label.text() == (
        "Offline · last synced just now · 1 change waiting to sync"
    )
    assert "could not be reached" in window.pending_label.toolTip()
    assert page.notice.kind == "error"
    assert page.notice.text.startswith("The sync stopped: the server could not be reached")
    strips.append(("Offline: the server did not answer", _status_strip(window)))
    picture = _stack(strips)
    holder = QWidget()
    holder.resize(picture.size())
    target = screenshot(holder, "sync-status.png")
    assert picture.save(str(target))


def test_a_refused_change_is_replayed_then_discarded_from_the_sync_view(
    qtbot: QtBot, themed, settings: QSettings, tmp_path: Path, quay, tenant: Tenant,  # noqa: F811
) -> None:  # fmt: skip
    path, anna, _shift = quay
    store = open_store(path)
    window = open_window(qtbot, store, settings)
    connect_from_dialog(qtbot, window, tenant.live.url, tenant.key)
    sync_now(qtbot, window)
    hill = connect_site(tmp_path / "hill.shiftdesk", tenant)
    other = open_store(hill)
    with other.session() as s:  # Anna on Tuesday at the other site, synced first
        who = s.scalars(select(Employee.id)).one()
        create_shift(s, ShiftDraft(resolve_site(s).id, TUESDAY, "09:00", "17:00", (who,)))
    other.close()
    assert sync_site(hill, tenant).pushed == 1
    with window.context.store.session() as s:  # and here, overlapping it
        mine = create_shift(
            s, ShiftDraft(resolve_site(s).id, TUESDAY, "12:00", "20:00", (anna,))
        ).ids[0]
    result = sync_now(qtbot, window)
    assert result.failed == 1
    assert window.pending_label.text() == (
        "Online · synced just now · 1 change refused by the server"
    )
    page = window.pages["sync"]
    assert page.tabs.tabText(1) == "Refused changes (1)"
    (refused,) = page.failed.ops
    assert refused.record_id == mine
    reason = page.failed.index(0, 2).data()
    assert "overlap" in reason.lower() or "409" in reason
    page.tabs.setCurrentIndex(1)
    page.select_failed(refused.id)
    assert page.replay_button.isEnabled()

    page.replay_button.click()
    assert "goes to the server again on the next sync" in page.notice.text
    assert page.failed.rowCount() == 0
    assert window.pending_label.text() == "Online · synced just now · 1 change waiting to sync"
    result = sync_now(qtbot, window)
    assert result.failed == 1  # still refused: nothing changed the clash
    (again,) = page.failed.ops
    page.select_failed(again.id)
    page.discard_button.click()  # lost for good: it asks first, Enter keeps it
    box = page.findChild(QMessageBox, "ConfirmDiscard")
    assert box.text() == f"Give up the {again.op} of {again.label}?"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert [op.id for op in page.failed.ops] == [again.id]
    page.discard_button.click()
    confirm = [b for b in page.findChildren(QMessageBox, "ConfirmDiscard") if b.isVisible()]
    confirm[0].button(QMessageBox.StandardButton.Yes).click()
    assert "was given up; the server's copy stands" in page.notice.text
    assert page.failed.rowCount() == 0
    # The server never had it, so it is gone from here too, and from the grid.
    assert [s.location for s in _shifts_in_grid(window, anna, TUESDAY)] == [""]
    with window.context.store.session() as s:
        assert s.get(Shift, mine).deleted
    assert window.pending_label.text() == "Online · synced just now · all changes sent"


def test_no_column_title_is_cut_at_1400_pixels(
    qtbot, themed, settings: QSettings, store, org
) -> None:
    window = open_window(qtbot, store, settings)
    window.resize(1400, 900)
    window.show_view("sync")
    page = window.pages["sync"]
    for tab in range(page.tabs.count()):
        page.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
    cut = [
        (table.objectName(), table.model().headerData(column, Qt.Orientation.Horizontal))
        for table in (page.conflict_table, page.field_table, page.failed_table, page.history)
        for column in range(table.horizontalHeader().count())
        if table.horizontalHeader().sectionSize(column) < title_width(table, column)
    ]
    assert cut == []
