"""Payroll → Pay policy…: core's fields, bounds and sentences in a form; Save through
core on the writer thread as one undo step that is queued for the server, and the
Payroll page working its figures out again."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from itertools import chain
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.models import OutboxEntry
from core.policy import FIELDS, allowed, show_policy
from core.store import Store
from desktop.attendance.model import FLAGS
from desktop.attendance.page import AttendancePage
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.payroll.page import PayrollPage
from desktop.payroll.policy import COLUMNS, LABELS, PolicyDialog, edit_policy
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import work
from tests.desktop.attendance_helpers import late_missing_absent
from tests.desktop.helpers import loaded, settle, show_at, unnamed_controls


def _outbox(store: Store) -> list[tuple[str, list[str]]]:
    with store.session() as s:
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.collection == "paypolicies"))
        return [(e.op, e.fields["changed"]) for e in entries]


@pytest.fixture
def payroll_page(qtbot: QtBot, context: AppContext, org: Org) -> PayrollPage:
    late_missing_absent(context.store, org)
    page = PayrollPage(context)
    return loaded(show_at(qtbot, page, 1200, 700, lambda p: p.period.set_span("week", MONDAY)))


@pytest.fixture
def dialog(qtbot: QtBot, payroll_page: PayrollPage) -> PolicyDialog:
    payroll_page.policy_button.click()
    found = payroll_page.findChild(PolicyDialog)
    assert found is not None
    assert found.isVisible()
    return found


def test_every_field_of_cores_policy_is_on_the_form_once_with_its_bounds(
    dialog: PolicyDialog,
) -> None:
    laid_out = list(chain.from_iterable(fields for column in COLUMNS for _, fields in column))
    assert sorted(laid_out) == sorted(FIELDS)
    assert set(LABELS) == set(FIELDS)
    assert dialog.edits["daily_overtime_hours"].text() == "8"
    assert dialog.edits["overtime_multiplier"].text() == "1.5"
    assert dialog.choices["week_start"].currentText() == "Monday"
    bounds = {
        label.accessibleName(): label.text()
        for label in dialog.findChildren(QLabel)
        if label.accessibleName().endswith(": allowed")
    }
    assert bounds["Grace period: allowed"] == "0 to 240 minutes" == allowed("grace_minutes")
    assert bounds["Daily overtime after: allowed"] == "0 to 24 hours (0 turns daily overtime off)"
    assert unnamed_controls(dialog) == []


def test_a_saved_change_is_the_stores_policy_queued_and_one_undo_step(
    dialog: PolicyDialog, context: AppContext, payroll_page: PayrollPage
) -> None:
    assert payroll_page.rules.text().startswith("Overtime past 8 h a day")
    dialog.edits["daily_overtime_hours"].setText("7,5")
    dialog.choices["week_start"].setCurrentIndex(6)
    dialog.save_button.click()
    settle(context)
    assert not dialog.isVisible()
    with context.store.session() as s:
        row = show_policy(s)
    assert (row.daily_overtime_hours, row.week_start, row.grace_minutes) == (Decimal("7.5"), 6, 5)
    assert _outbox(context.store) == [("update", ["daily_overtime_hours", "week_start"])]
    assert context.undo_stack.count() == 1
    assert context.undo_stack.undoText() == "Change pay policy: 2 settings"
    loaded(payroll_page)  # told the organisation changed, it worked the figures out again
    assert payroll_page.rules.text().startswith("Overtime past 7.5 h a day")
    context.undo_stack.undo()
    settle(context)
    with context.store.session() as s:
        assert show_policy(s).daily_overtime_hours == 8


def test_a_bad_value_shows_cores_sentence_under_it_and_saves_nothing(
    dialog: PolicyDialog, context: AppContext
) -> None:
    dialog.edits["overtime_multiplier"].setText("0.9")
    line = dialog.error_labels["overtime_multiplier"]
    assert line.isVisible()
    assert line.text() == "0.9 is outside 1 to 10 (1 pays overtime as regular time)"
    assert not dialog.save_button.isEnabled()
    dialog.edits["grace_minutes"].setText("")
    assert dialog.error_labels["grace_minutes"].text() == "give a whole number of minutes"
    dialog.accept()  # Enter pressed anyway
    settle(context)
    assert dialog.isVisible()
    with context.store.session() as s:
        assert show_policy(s).overtime_multiplier == Decimal("1.5")
    assert _outbox(context.store) == []
    assert context.undo_stack.count() == 0
    dialog.edits["overtime_multiplier"].setText("2")
    assert not dialog.error_labels["overtime_multiplier"].isVisible()


def test_cancel_changes_nothing(dialog: PolicyDialog, context: AppContext) -> None:
    dialog.edits["grace_minutes"].setText("15")
    dialog.reject()
    settle(context)
    with context.store.session() as s:
        assert show_policy(s).grace_minutes == 5
    assert _outbox(context.store) == []
    assert context.undo_stack.count() == 0


def test_saving_the_values_held_is_no_step(dialog: PolicyDialog, context: AppContext) -> None:
    dialog.edits["daily_overtime_hours"].setText("8.00")  # the same number, typed otherwise
    dialog.save_button.click()
    settle(context)
    assert not dialog.isVisible()
    assert _outbox(context.store) == []
    assert context.undo_stack.count() == 0


def test_a_store_not_set_up_says_so_instead_of_a_form(
    qtbot: QtBot, context: AppContext, settings: QSettings
) -> None:
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    assert window.edit_policy() is None
    assert "not set up yet" in window.statusBar().currentMessage()


def test_the_edit_menu_opens_it_and_it_fits_a_laptop_screen(
    qtbot: QtBot,
    context: AppContext,
    org: Org,
    settings: QSettings,
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    work(context.store, org, org.dan, MONDAY, "09:00", "17:00")
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    window.policy_action.trigger()
    dialog = window.findChild(PolicyDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.edits["late_penalty_per_minute"].setText("0.12345")
    QApplication.processEvents()
    assert dialog.width() <= 1366
    assert dialog.height() <= 740
    clipped = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.isVisible() and not label.wordWrap() and label.width() < label.sizeHint().width()
    ]
    assert clipped == []
    assert "Late penalty per minute (EUR)" in [e.accessibleName() for e in dialog.edits.values()]
    screenshot(dialog, "policy-dialog.png")
    dialog.edits["late_penalty_per_minute"].setText("0.25")
    dialog.save_button.click()
    settle(context)
    assert window.statusBar().currentMessage() == "Pay policy saved. Ctrl+Z undoes it."
    with context.store.session() as s:
        assert show_policy(s).late_penalty_per_minute == Decimal("0.25")


def test_cores_refusal_at_save_stays_on_the_form_and_nothing_is_written(
    dialog: PolicyDialog, context: AppContext
) -> None:
    with context.store.engine.begin() as conn:  # the policy gone since the form opened
        conn.exec_driver_sql("DELETE FROM pay_policy")
    dialog.edits["grace_minutes"].setText("10")
    dialog.save_button.click()
    settle(context)
    assert dialog.isVisible()
    other = dialog.error_labels["other"]
    assert other.isVisible()
    assert other.text().startswith("no pay policy for company ")
    assert not dialog.save_button.isEnabled()
    assert _outbox(context.store) == []
    assert context.undo_stack.count() == 0
    dialog.edits["grace_minutes"].setText("11")  # another try is offered
    assert dialog.save_button.isEnabled()


def test_a_longer_grace_saved_shows_on_the_attendance_page_at_once(
    qtbot: QtBot, context: AppContext, org: Org
) -> None:
    keys = late_missing_absent(context.store, org)
    page = AttendancePage(context)
    loaded(show_at(qtbot, page, 1400, 800, lambda p: p.period.set_span("week", MONDAY)))
    anna = page.days.index(page.days.row_of(*keys["late"]), FLAGS)
    assert anna.data() == "Late 7 min"
    dialog = edit_policy(context, page, lambda _said: None)
    assert dialog is not None
    dialog.edits["grace_minutes"].setText("10")
    dialog.save_button.click()
    settle(context)
    loaded(page)
    assert page.days.index(page.days.row_of(*keys["late"]), FLAGS).data() == "Late 2 min"
