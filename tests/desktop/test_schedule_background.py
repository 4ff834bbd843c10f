"""Copy last week and Publish (and their undo) write on a worker: with hundreds of
shifts they take seconds, and the window must stay responsive meanwhile."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from core import scheduling
from core.models import Employee, Shift
from core.templates import TemplateDraft, create_template
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


def test_a_bulk_steps_warnings_are_named_three_at_a_time(page, store, org) -> None:
    last_week = MONDAY - timedelta(days=7)
    with store.session() as s:
        for person in (org.anna, org.ben, org.cara, org.dan):
            s.get(Employee, person).contract_hours = Decimal(4)
    for person in (org.anna, org.ben, org.cara, org.dan):
        add_shift(store, org, last_week, "09:00", "17:00", person)
    page.reload()
    page.bar.copy_button.defaultAction().trigger()
    _yes(page, "ConfirmCopy")
    settle(page.context)
    assert page.notice.kind == "warning"
    assert page.notice.text.startswith(
        "Copy 4 shifts in all departments from the previous week done."
    )
    assert page.notice.text.count("over the 4 h of their contract") == 3
    assert page.notice.text.endswith(" and 1 more")


def test_undoing_a_template_application_runs_off_the_ui_thread(qtbot, context, store, org) -> None:
    from desktop.templates.page import TemplatesPage
    from tests.desktop.helpers import show_at

    with store.session() as s:
        tid = create_template(
            s, TemplateDraft(org.site_id, "Early", "07:00", "15:00", "FREQ=DAILY", MONDAY)
        ).ids[0]
    templates = show_at(qtbot, TemplatesPage(context), 1400, 800)
    templates.select(tid)
    panel = templates.apply_panel
    panel.employees.set_chosen([org.anna])
    panel.first.setDate(QDate(2026, 6, 1))
    panel.last.setDate(QDate(2026, 6, 3))
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    with qtbot.waitSignal(panel.applied):
        panel.commit()
    assert _live(store) == 3
    context.undo_stack.undo()
    assert context.busy  # on the writer thread
    settle(context)
    assert _live(store) == 0


def _live(store) -> int:
    with store.session() as s:
        return s.query(Shift).filter(~Shift.deleted).count()
