from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from PySide6.QtCore import QSettings, QUrl

from core.roster import RosterFilter
from core.scheduling import publish_shifts
from core.store import Store
from desktop.context import AppContext
from desktop.dates import to_qdate
from desktop.mainwindow import MainWindow
from desktop.schedule.export_dialog import RosterExportDialog, suggested_name
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift
from tests.pdf_structure import page_count

SUNDAY = MONDAY + timedelta(days=6)


def _published(store: Store, org: Org, who: str, day=MONDAY) -> str:
    sid = add_shift(store, org, day, "09:00", "17:00", who)
    with store.session() as s:
        publish_shifts(s, [sid])
    return sid


def _dialog(qtbot, context: AppContext, tmp_path: Path, filt: RosterFilter) -> RosterExportDialog:
    dialog = RosterExportDialog(context, MONDAY, SUNDAY, filt, "in Kitchen", tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_export_writes_the_shown_departments_calendar_off_the_ui_thread(
    qtbot, context: AppContext, org: Org, tmp_path: Path
) -> None:
    kitchen = _published(context.store, org, org.anna)
    _published(context.store, org, org.cara)
    dialog = _dialog(qtbot, context, tmp_path, RosterFilter(department_id=org.kitchen_id))
    dialog.format_box.setCurrentIndex(1)
    path = tmp_path / "rota-2026-06-01-to-2026-06-07.ics"
    assert Path(dialog.path_edit.text()) == path  # the name follows the format
    assert not dialog.per_department.isVisible()  # a PDF-only choice
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as written:
        dialog.export_button.click()
        assert not dialog.export_button.isEnabled()  # one export at a time
    assert written.args == [str(path), 1]
    events = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [kitchen]
    assert not list(tmp_path.glob(".*partial*"))


def test_export_writes_a_pdf_with_drafts_when_asked(
    qtbot, context: AppContext, org: Org, tmp_path: Path
) -> None:
    _published(context.store, org, org.anna)
    add_shift(context.store, org, MONDAY + timedelta(days=1), "09:00", "17:00", org.ben)
    dialog = _dialog(qtbot, context, tmp_path, RosterFilter())
    dialog.drafts.setChecked(True)
    dialog.per_department.setChecked(False)
    dialog.path_edit.setText(str(tmp_path / "wall.pdf"))
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as written:
        dialog.export_button.click()
    assert written.args == [str(tmp_path / "wall.pdf"), 2]
    assert page_count((tmp_path / "wall.pdf").read_bytes()) == 1


def test_a_refused_export_says_why_in_the_dialog_and_writes_nothing(
    qtbot, context: AppContext, org: Org, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dialog = _dialog(qtbot, context, out, RosterFilter())
    dialog.path_edit.setText(str(out / "roster.docx"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10_000)
    assert dialog.error.text() == "roster.docx: the file must end in .pdf or .ics"
    assert dialog.error.isVisible()
    assert dialog.isVisible()
    assert dialog.export_button.isEnabled()
    assert list(out.iterdir()) == []


def test_the_dates_show_in_the_apps_format_with_a_calendar(
    qtbot, context: AppContext, org: Org, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, context, tmp_path, RosterFilter())
    assert dialog.from_edit.text() == "01 Jun 2026"
    assert dialog.to_edit.text() == "07 Jun 2026"
    assert dialog.from_edit.calendarPopup()


def test_changing_the_dates_renames_a_suggested_file_but_not_a_typed_one(
    qtbot, context: AppContext, org: Org, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, context, tmp_path, RosterFilter())
    dialog.to_edit.setDate(dialog.to_edit.date().addDays(7))
    assert Path(dialog.path_edit.text()).name == "rota-2026-06-01-to-2026-06-14.pdf"
    dialog.path_edit.setText(str(tmp_path / "kitchen.pdf"))
    dialog.from_edit.setDate(dialog.from_edit.date().addDays(7))
    assert Path(dialog.path_edit.text()).name == "kitchen.pdf"


def test_file_menu_opens_it_on_the_schedules_range_and_filters(
    qtbot, themed, store: Store, org: Org, settings: QSettings, tmp_path: Path
) -> None:
    window = MainWindow(AppContext(store), settings)
    qtbot.addWidget(window)
    window.show()
    page = window.pages["schedule"]
    page.anchor = MONDAY + timedelta(days=2)
    page.reload()
    window.show_view("payroll")
    file_menu = window.menuBar().actions()[0].menu()
    assert window.export_roster_action in file_menu.actions()
    window.export_roster_action.trigger()
    dialog = window.findChild(RosterExportDialog)
    assert dialog is not None
    assert window.current_view == "schedule"  # the range and filters it exports, behind it
    assert (dialog.first, dialog.last) == (MONDAY, SUNDAY)
    assert dialog.filt == page.filter
    assert "in all departments" in dialog.where.text()
    _published(store, org, org.dan)
    dialog.path_edit.setText(str(tmp_path / "week.ics"))
    with qtbot.waitSignal(dialog.exported, timeout=10_000):
        dialog.export_button.click()
    notice = page.notice
    assert notice.text == "Exported 1 shift to week.ics"
    assert notice.files.open_button.isVisibleTo(page)
    assert notice.files.folder_button.isVisibleTo(page)
    assert notice.files.file_url() == QUrl.fromLocalFile(str(tmp_path / "week.ics"))
    assert notice.files.folder_url() == QUrl.fromLocalFile(str(tmp_path))
    assert window.statusBar().currentMessage() == ""  # not there, where it would linger
    window.show_view("people")
    window.show_view("schedule")
    assert notice.text == ""  # it spoke of that moment


def test_the_suggested_name_carries_the_filters_so_exports_in_turn_do_not_overwrite(
    qtbot, context: AppContext, tmp_path: Path
) -> None:
    assert suggested_name(MONDAY, SUNDAY, ".ics", ("Front desk", "Zoë  Ł.")) == (
        "rota-front-desk-zoë-ł-2026-06-01-to-2026-06-07.ics"
    )
    dialog = RosterExportDialog(
        context, MONDAY, SUNDAY, RosterFilter(), "in Kitchen", tmp_path, naming=("Kitchen",)
    )
    qtbot.addWidget(dialog)
    assert Path(dialog.path_edit.text()).name == "rota-kitchen-2026-06-01-to-2026-06-07.pdf"
    dialog.to_edit.setDate(to_qdate(SUNDAY + timedelta(days=7)))
    assert Path(dialog.path_edit.text()).name == "rota-kitchen-2026-06-01-to-2026-06-14.pdf"


def test_the_main_window_names_the_export_after_the_schedules_filters(
    qtbot, context: AppContext, org: Org
) -> None:
    window = MainWindow(context, QSettings())
    qtbot.addWidget(window)
    page = window.pages["schedule"]
    box = page.bar.department_box
    box.setCurrentIndex(box.findData(org.kitchen_id))
    dialog = window.export_roster()
    assert Path(dialog.path_edit.text()).name.startswith("rota-kitchen-")
    dialog.reject()


def test_the_filters_name_the_export_and_phrase_where_it_shows(
    qtbot, context: AppContext, store: Store, org: Org
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, location="Pass")
    window = MainWindow(context, QSettings())
    qtbot.addWidget(window)
    page = window.pages["schedule"]
    page.reload_choices()
    assert (page.where, page.filter_names) == ("in all departments", ())
    page.bar.department_box.setCurrentIndex(page.bar.department_box.findData(org.kitchen_id))
    page.bar.location_box.setCurrentIndex(page.bar.location_box.findData("Pass"))
    page.bar.name_edit.setText("  an ")
    assert page.where == "in Kitchen at Pass for people matching “an”"
    assert page.filter_names == ("Kitchen", "Pass", "an")
    dialog = window.export_roster()
    assert Path(dialog.path_edit.text()).name.startswith("rota-kitchen-pass-an-")
    dialog.reject()
