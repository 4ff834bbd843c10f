"""The Templates view on real widgets: the builder, the raw rule, the preview, and
applying a template as one undo step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.models import Shift, ShiftTemplate
from core.store import Store
from core.templates import TemplateDraft, create_template, expand_template
from desktop.context import AppContext
from desktop.templates.model import ExpansionModel, TemplateListModel, load_templates
from desktop.templates.page import TemplatesPage
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift, settle, show_at


def _template(store: Store, org: Org, name: str = "Early", rrule: str = "FREQ=DAILY") -> str:
    with store.session() as s:
        result = create_template(
            s,
            TemplateDraft(org.site_id, name, "06:00", "14:00", rrule, MONDAY, location="Pass"),
        )
    return result.ids[0]


@pytest.fixture
def templates(qtbot: QtBot, context: AppContext, org: Org) -> TemplatesPage:
    return show_at(qtbot, TemplatesPage(context), 1500, 900)


def _live_shifts(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Shift).where(~Shift.deleted)) or 0


# --- models ------------------------------------------------------------------------------


def test_template_list_model_passes_the_model_tester(qtmodeltester, store, org) -> None:
    _template(store, org, "Early")
    _template(store, org, "Late", "FREQ=MONTHLY;BYDAY=1MO")
    model = TemplateListModel()
    with store.session() as s:
        model.set_items(load_templates(s))
    qtmodeltester.check(model)
    assert model.data(model.index(0)) == "Early\n06:00–14:00 · Every day"


def test_expansion_model_passes_the_model_tester_and_marks_clashes(
    qtmodeltester, store, org
) -> None:
    tid = _template(store, org)
    add_shift(store, org, MONDAY, "10:00", "18:00", org.anna)
    with store.session() as s:
        shifts = expand_template(s, tid, MONDAY, MONDAY + timedelta(days=2), [org.anna]).shifts
    model = ExpansionModel()
    model.set_expansion(shifts, {org.anna: "Anna Berg"})
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    check = model.index(0, 3)
    assert model.data(check) == "✖ already works 10:00–18:00 on Mon 01 Jun"
    assert model.data(check, Qt.ItemDataRole.ToolTipRole) == (
        "✖ Anna Berg already works 10:00–18:00 on Mon 01 Jun"
    )
    assert model.data(check, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(1, 3)) == "✓ Ready"
    assert model.data(model.index(1, 3), Qt.ItemDataRole.BackgroundRole) is None
    model.set_only_problems(True)
    qtmodeltester.check(model)
    assert model.rowCount() == 1


# --- the editor ----------------------------------------------------------------------------


def test_builder_controls_write_the_rule_text(templates: TemplatesPage) -> None:
    templates.new_template()
    editor, builder = templates.editor, templates.editor.builder
    builder.freq.setCurrentIndex(builder.freq.findData("WEEKLY"))
    for code, button in builder.day_buttons.items():
        button.setChecked(code in ("MO", "WE"))
    builder.interval.setValue(2)
    assert editor.rrule.text() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"
    builder.freq.setCurrentIndex(builder.freq.findData("MONTHLY"))
    builder.by_weekday.click()
    builder.position.setCurrentIndex(builder.position.findData(-1))
    builder.weekday.setCurrentIndex(builder.weekday.findData("FR"))
    builder.ends.setCurrentIndex(builder.ends.findData("count"))
    builder.count.setValue(6)
    assert editor.rrule.text() == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=6"
    assert editor.rule_hint.text() == "Every 2 months on the last Friday, 6 times."
    builder.ends.setCurrentIndex(builder.ends.findData("until"))
    builder.until.setDate(QDate(2026, 12, 31))
    assert editor.rrule.text() == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;UNTIL=20261231"


def test_a_typed_rule_moves_the_builder_and_the_preview_lists_its_dates(
    qtbot: QtBot, templates: TemplatesPage
) -> None:
    templates.new_template()
    editor, builder = templates.editor, templates.editor.builder
    editor.dtstart.setDate(QDate(2026, 6, 1))
    editor.rrule.clear()
    qtbot.keyClicks(editor.rrule, "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3")
    assert builder.isEnabled()
    assert builder.freq.currentData() == "MONTHLY"
    assert builder.month_day.currentData() == 15
    assert builder.count.value() == 3
    assert editor.preview.text() == "Mon 15 Jun 2026\nWed 15 Jul 2026\nSat 15 Aug 2026"
    editor.rrule.clear()
    qtbot.keyClicks(editor.rrule, "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24")
    assert not builder.isEnabled()  # the builder has no yearly rules; the text keeps it
    assert editor.rule_hint.text().startswith("This rule uses parts the builder cannot show")
    assert editor.preview.text().splitlines()[0] == "Thu 24 Dec 2026"


def test_a_bad_rule_is_named_under_the_field_without_a_dialog(
    qtbot: QtBot, templates: TemplatesPage
) -> None:
    templates.new_template()
    editor = templates.editor
    editor.name.setText("Night")
    editor.rrule.clear()
    qtbot.keyClicks(editor.rrule, "FREQ=HOURLY")
    label = editor.error_labels["rrule"]
    assert label.isVisible()
    assert label.text() == (
        "FREQ=HOURLY repeats within a day; a shift template repeats"
        " DAILY, WEEKLY, MONTHLY or YEARLY"
    )
    assert editor.rrule.property("invalid") is True
    assert editor.preview.text() == "No dates: fix the rule above."
    assert not editor.save_button.isEnabled()
    assert templates.findChildren(QMessageBox) == []
    editor.rrule.clear()
    qtbot.keyClicks(editor.rrule, "FREQ=DAILY")
    assert not label.isVisible()
    assert editor.save_button.isEnabled()


def test_saving_a_new_template_is_one_undo_step(templates: TemplatesPage, store, org) -> None:
    templates.new_template()
    editor = templates.editor
    editor.name.setText("Weekend brunch")
    editor.start.setText("09:30")
    editor.end.setText("15:00")
    editor.builder.freq.setCurrentIndex(editor.builder.freq.findData("WEEKLY"))
    for code, button in editor.builder.day_buttons.items():
        button.setChecked(code in ("SA", "SU"))
    editor.save_button.click()
    assert templates.current is not None
    assert templates.current.name == "Weekend brunch"
    assert templates.current.rrule == "FREQ=WEEKLY;BYDAY=SA,SU"
    assert not editor.save_button.isEnabled()  # saved: nothing left to save
    assert templates.context.undo_stack.undoText() == "New template “Weekend brunch”"
    templates.context.undo_stack.undo()
    assert templates.model.items == []


# --- applying ------------------------------------------------------------------------------


def _choose(templates: TemplatesPage, people: list[str], first: date, last: date) -> None:
    panel = templates.apply_panel
    panel.employees.set_chosen(people)
    panel.first.setDate(QDate(first.year, first.month, first.day))
    panel.last.setDate(QDate(last.year, last.month, last.day))


def test_apply_says_one_shift_not_one_shifts(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    tid = _template(store, org)
    add_shift(store, org, MONDAY + timedelta(days=2), "12:00", "20:00", org.ben)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    _choose(templates, [org.ben], MONDAY + timedelta(days=1), MONDAY + timedelta(days=2))
    with qtbot.waitSignal(panel.previewed):
        panel.preview_button.click()
    assert panel.apply_button.text() == "Apply 1 shift, leave out 1"


def test_apply_previews_marks_the_clash_commits_and_undoes_as_one_step(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    tid = _template(store, org)
    clash = add_shift(store, org, MONDAY + timedelta(days=2), "12:00", "20:00", org.ben)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    assert not panel.preview_button.isEnabled()  # nobody chosen yet
    _choose(templates, [org.anna, org.ben], MONDAY, MONDAY + timedelta(days=6))
    with qtbot.waitSignal(panel.previewed):
        panel.preview_button.click()
        # The dry run is on a worker; until its answer is delivered the panel says so.
        assert panel.busy.isVisible()
        assert not panel.preview_button.isEnabled()
    assert not panel.busy.isVisible()
    assert panel.model.rowCount() == 14
    assert "14 shifts</b>: 13 ready" in panel.summary.text()
    assert "1 clash" in panel.summary.text()
    (row,) = [r for r in range(14) if panel.model.shift_at(r).conflicts]
    assert panel.model.data(panel.model.index(row, 2)) == "Ben Cole"
    assert (
        panel.model.data(panel.model.index(row, 3)) == "✖ already works 12:00–20:00 on Wed 03 Jun"
    )
    assert panel.apply_button.text() == "Apply 13 shifts, leave out 1"
    with qtbot.waitSignal(panel.applied):
        panel.apply_button.click()
    assert _live_shifts(store) == 1 + 13
    assert templates.notice.text.startswith("Applied “Early”: 13 shifts written; 1 clashing")
    assert templates.context.undo_stack.undoText() == "Apply template “Early”"
    assert panel.model.rowCount() == 0  # the old preview is gone
    templates.context.undo_stack.undo()
    settle(templates.context)  # a bulk step is undone on the writer thread
    assert _live_shifts(store) == 1
    templates.context.undo_stack.redo()
    settle(templates.context)
    assert _live_shifts(store) == 14
    with store.session() as s:
        assert s.get(Shift, clash).employee_ids == [org.ben]


def test_preview_and_result_count_shifts_with_warnings_the_same_way(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    with store.session() as s:
        tid = create_template(
            s, TemplateDraft(org.site_id, "Long", "06:00", "22:00", "FREQ=DAILY", MONDAY)
        ).ids[0]
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    _choose(templates, [org.anna], MONDAY, MONDAY + timedelta(days=6))
    with qtbot.waitSignal(panel.previewed):
        panel.preview_button.click()
    shifts = [panel.model.shift_at(r) for r in range(panel.model.rowCount())]
    assert sum(len(x.warnings) for x in shifts) > len(shifts)  # several on some shifts
    assert "7 shifts with warnings" in panel.summary.text()
    with qtbot.waitSignal(panel.applied):
        panel.apply_button.click()
    assert templates.notice.text == (
        "Applied “Long”: 7 shifts written; 7 shifts with warnings to look at."
        " Ctrl+Z takes them all back."
    )


def test_apply_checks_again_what_was_written_since_the_preview(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    """Apply writes the preview's shifts without expanding them again, unless the store
    changed since: then a shift added meanwhile still keeps its clash out."""
    tid = _template(store, org)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    _choose(templates, [org.anna], MONDAY, MONDAY + timedelta(days=2))
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    assert panel.apply_button.text() == "Apply 3 shifts"
    add_shift(store, org, MONDAY + timedelta(days=1), "12:00", "20:00", org.anna)
    with qtbot.waitSignal(panel.applied) as applied:
        panel.commit()
    assert len(applied.args[0].ids) == 2
    assert [x.shift_date for x in applied.args[0].skipped] == [MONDAY + timedelta(days=1)]
    assert _live_shifts(store) == 3


def test_apply_all_or_nothing_writes_nothing_when_a_shift_clashes(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    tid = _template(store, org)
    add_shift(store, org, MONDAY, "12:00", "20:00", org.anna)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    _choose(templates, [org.anna], MONDAY, MONDAY + timedelta(days=3))
    panel.abort.click()
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    assert panel.apply_button.text() == "Apply all 4 or nothing"
    with qtbot.waitSignal(panel.applied) as applied:
        panel.commit()
    assert applied.args[0].conflicts
    assert _live_shifts(store) == 1
    assert templates.notice.kind == "error"
    assert templates.notice.text.startswith("Nothing applied: 1 shift would clash")
    assert templates.context.undo_stack.count() == 0


def test_a_bad_range_is_named_in_the_panel(qtbot: QtBot, templates: TemplatesPage, store, org):
    tid = _template(store, org)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    _choose(templates, [org.anna], MONDAY, MONDAY + timedelta(days=6 * 366))
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    assert panel.input_error.text() == "A template is applied to at most 1830 days at once."
    assert panel.model.rowCount() == 0


def test_unsaved_edits_must_be_saved_before_applying(templates: TemplatesPage, store, org):
    tid = _template(store, org)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    panel.employees.set_chosen([org.anna])
    assert panel.preview_button.isEnabled()
    templates.editor.end.setText("15:00")
    assert not panel.preview_button.isEnabled()
    assert panel.summary.text() == "Save the template first: applying uses the saved rule."
    templates.editor.save_button.click()
    assert panel.preview_button.isEnabled()
    with store.session() as s:
        assert s.get(ShiftTemplate, tid).end_time == "15:00"


def test_edits_left_unsaved_are_kept_while_another_template_is_shown(
    templates: TemplatesPage, store, org
) -> None:
    early = _template(store, org, "Early")
    late = _template(store, org, "Late")
    templates.reload()
    templates.select(early)
    templates.editor.end.setText("15:30")
    templates.select(late)
    assert templates.editor.end.text() == "14:00"
    assert templates.notice.text == (
        "Unsaved changes to “Early” are kept; go back to it to save them."
    )
    templates.select(early)
    assert templates.editor.end.text() == "15:30"
    assert templates.editor.save_button.isEnabled()
    templates.editor.revert_button.click()
    assert templates.editor.end.text() == "14:00"
    templates.select(late)
    templates.select(early)
    assert templates.editor.end.text() == "14:00"


def test_a_whole_department_gets_one_shift_per_date(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    tid = _template(store, org)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    panel.departments.set_chosen([org.floor_id])
    panel.shared.click()
    assert panel.department_hint.text().startswith("One shift worked by the whole department")
    _choose(templates, [], MONDAY, MONDAY + timedelta(days=1))
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    assert [panel.model.data(panel.model.index(r, 2)) for r in range(2)] == [
        "Floor (whole department)"
    ] * 2
    with qtbot.waitSignal(panel.applied):
        panel.commit()
    with store.session() as s:
        shifts = s.scalars(select(Shift).where(~Shift.deleted)).all()
        assert [(x.assigned_department_ids, x.employee_ids) for x in shifts] == [
            ([org.floor_id], [])
        ] * 2


def test_a_whole_department_gives_each_member_a_shift_by_default(
    qtbot: QtBot, templates: TemplatesPage, store, org
) -> None:
    tid = _template(store, org)
    templates.reload()
    templates.select(tid)
    panel = templates.apply_panel
    assert panel.per_member.isChecked()
    panel.departments.set_chosen([org.floor_id])
    _choose(templates, [], MONDAY, MONDAY)
    with qtbot.waitSignal(panel.previewed):
        panel.preview()
    assert sorted(panel.model.data(panel.model.index(r, 2)) for r in range(2)) == [
        "Cara Diaz",
        "Dan Evans",
    ]
    with qtbot.waitSignal(panel.applied):
        panel.commit()
    with store.session() as s:
        shifts = s.scalars(select(Shift).where(~Shift.deleted)).all()
        assert sorted((x.assigned_department_ids, x.employee_ids) for x in shifts) == sorted(
            [([], [org.cara]), ([], [org.dan])]
        )


def test_a_templates_until_defaults_to_a_month_after_its_start(templates: TemplatesPage) -> None:
    templates.new_template()
    editor, builder = templates.editor, templates.editor.builder
    editor.dtstart.setDate(QDate(2026, 1, 31))
    builder.ends.setCurrentIndex(builder.ends.findData("until"))
    assert builder.until.date() == QDate(2026, 2, 28)  # a month on, the month's last day
    assert editor.rrule.text().endswith(";UNTIL=20260228")
    editor.dtstart.setDate(QDate(2026, 6, 1))  # a chosen end stays where it was put
    assert builder.until.date() == QDate(2026, 2, 28)


def test_a_new_template_offers_an_until_a_month_ahead(templates: TemplatesPage) -> None:
    templates.new_template()
    editor, builder = templates.editor, templates.editor.builder
    today = QDate.currentDate()
    assert editor.dtstart.date() == today
    builder.ends.setCurrentIndex(builder.ends.findData("until"))
    assert builder.until.date() == today.addMonths(1)
