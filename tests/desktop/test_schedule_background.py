"""Copy last week and Publish (and their undo) write on a worker: with hundreds of
shifts they take seconds, and the window must stay responsive meanwhile."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from core import scheduling
from core.models import Shift
from tests.conftest import MONDAY
from tests.desktop.helpers import add_shift, settle


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Which thread ran the real core operations (they are called, not replaced),
    with whether the UI could still turn its event loop while they ran."""
    seen: list[tuple[str, bool]] = []

    def watch(name: str) -> None:
        real = getattr(scheduling, name)

        def spied(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, threading.current_thread() is threading.main_thread()))
            return real(*args, **kwargs)

        monkeypatch.setattr(scheduling, name, spied)

    watch("copy_week")
    watch("publish_shifts")
    return seen


def _yes(page, name: str) -> None:
    (box,) = [b for b in page.findChildren(QMessageBox, name) if b.isVisible()]
    box.button(QMessageBox.StandardButton.Yes).click()


def _published(store) -> list[bool]:
    with store.session() as s:
        return [sh.published for sh in s.query(Shift).filter(Shift.shift_date >= MONDAY)]


def test_copy_and_publish_run_off_the_ui_thread_with_a_busy_notice(
    qtbot, page, store, org, threads
) -> None:
    last_week = MONDAY - timedelta(days=7)
    add_shift(store, org, last_week, "09:00", "17:00", org.anna)
    add_shift(store, org, last_week + timedelta(days=1), "09:00", "17:00", org.ben)
    page.reload()
    gate = threading.Event()
    real_copy = scheduling.copy_week
    # Hold the worker until the test has seen the window's state while it runs.
    scheduling.copy_week = lambda *a, **k: (gate.wait(5), real_copy(*a, **k))[1]
    try:
        page.bar.copy_button.defaultAction().trigger()
        _yes(page, "ConfirmCopy")
        assert page.context.busy
        assert page.notice.busy
        assert page.notice.text == "Copying 2 shifts in all departments from the previous week…"
        assert not page.bar.publish_button.defaultAction().isEnabled()
        page.go(1)  # the window answers while the copy runs
        page.go(-1)
        gate.set()
        settle(page.context)
    finally:
        scheduling.copy_week = real_copy
    assert threads == [("copy_week", False)]
    assert not page.notice.busy
    assert page.notice.text == "Copied 2 shifts in all departments from the previous week."
    assert page.bar.publish_button.defaultAction().isEnabled()
    assert len(page.model.roster.shown_shifts()) == 2  # the grid shows the result

    page.bar.publish_button.defaultAction().trigger()
    _yes(page, "ConfirmPublish")
    settle(page.context)
    assert threads[-1] == ("publish_shifts", False)
    assert page.notice.text == "Published 2 shifts in all departments."
    assert _published(store) == [True, True]


def test_the_undo_of_a_background_step_runs_off_the_ui_thread_too(qtbot, page, store, org) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    page.bar.publish_button.defaultAction().trigger()
    _yes(page, "ConfirmPublish")
    settle(page.context)
    flips: list[bool] = []
    page.context.data_changed.connect(
        lambda _c: flips.append(threading.current_thread() is threading.main_thread())
    )
    stack = page.context.undo_stack
    stack.undo()
    assert page.context.busy  # queued on the writer, not done on the spot
    assert page.notice.text == "Undoing: Publish 1 shift in all departments…"
    settle(page.context)
    assert _published(store) == [False]
    assert page.notice.text == "Undone: Publish 1 shift in all departments"
    stack.redo()
    settle(page.context)
    assert _published(store) == [True]
    assert flips == [True, True]  # the views hear of it on the UI thread
