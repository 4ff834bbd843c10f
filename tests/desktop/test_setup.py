from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from core.errors import ValidationError
from core.models import Company, Site
from core.organisation import Setup
from core.store import Store
from desktop.context import AppContext
from desktop.mainwindow import MainWindow
from desktop.setup import SetupDialog, create_store, ensure_suffix, problems


@pytest.fixture
def window(qtbot, themed: QApplication, store: Store, settings: QSettings) -> MainWindow:
    shown = MainWindow(AppContext(store), settings)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _fill(qtbot, dialog: SetupDialog, company: str, site: str, zone: str, currency: str) -> None:
    for edit, text in ((dialog.company, company), (dialog.site, site), (dialog.currency, currency)):
        edit.clear()
        qtbot.keyClicks(edit, text)
    # Set, not typed: typing pops the completer, which the offscreen platform warns about.
    dialog.timezone.setEditText(zone)


def _shown_errors(dialog: SetupDialog) -> dict[str, str]:
    return {f: label.text() for f, label in dialog.error_labels.items() if label.isVisible()}


def test_problems_names_every_bad_field_at_once() -> None:
    found = problems(Setup(company=" ", site="", timezone="Mars/Olympus", currency="euro"))
    assert found == {
        "company": "give a name",
        "site": "give a name",
        "timezone": "'Mars/Olympus' is not an IANA time zone",
        "currency": "'euro' is not a three-letter code such as EUR",
    }


def test_a_name_left_off_gets_the_extension() -> None:
    assert ensure_suffix("/tmp/dover") == Path("/tmp/dover.shiftdesk")
    assert ensure_suffix("/tmp/dover.shiftdesk") == Path("/tmp/dover.shiftdesk")


def test_empty_names_and_an_unknown_zone_are_named_under_their_fields(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    dialog = window.new_database(tmp_path / "dover")
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.timezone.currentText()  # the system's zone or UTC, never empty
    assert not dialog.ok_button.isEnabled()
    assert _shown_errors(dialog) == {}  # nothing typed yet: nothing scolded
    _fill(qtbot, dialog, "Harbour Hotels", "Dover", "Europe/Nowhere", "GBP")
    dialog.company.clear()
    assert _shown_errors(dialog) == {
        "company": "Give a name",
        "timezone": "'Europe/Nowhere' is not an IANA time zone",
    }
    assert dialog.company.property("invalid") is True
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.company, "Harbour Hotels")
    dialog.timezone.setCurrentText("Europe/London")
    assert _shown_errors(dialog) == {}
    assert dialog.ok_button.isEnabled()


def test_ok_creates_a_store_set_up_for_the_company_and_switches_to_it(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    dialog = window.new_database(tmp_path / "dover")
    assert dialog is not None
    _fill(qtbot, dialog, "  Harbour   Hotels ", "Dover", "Europe/London", "gbp")
    with qtbot.waitSignal(window.context.store_changed):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    opened = window.context.store
    assert opened is not store
    assert opened.path == tmp_path / "dover.shiftdesk"
    with opened.session() as s:
        company = s.scalars(select(Company)).one()
        site = s.scalars(select(Site)).one()
        assert (company.name, company.currency) == ("Harbour Hotels", "GBP")
        assert (site.name, site.timezone, site.company_id) == ("Dover", "Europe/London", company.id)
    assert window.settings.value("database") == str(opened.path)
    page = window.pages["schedule"]
    assert page.view.empty_text.startswith("No people in this database yet.")
    assert "File → Import employees from CSV…" in page.view.empty_text
    opened.close()


def test_cancel_creates_no_file_and_keeps_the_open_database(
    qtbot, org, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    dialog = window.new_database(tmp_path / "dover.shiftdesk")
    assert dialog is not None
    _fill(qtbot, dialog, "Harbour Hotels", "Dover", "UTC", "EUR")
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert not dialog.isVisible()
    assert list(tmp_path.glob("dover*")) == []
    assert window.context.store is store
    assert window.pages["schedule"].model.rowCount() == 6


def test_an_existing_file_is_refused_before_anything_is_asked(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    taken = tmp_path / "taken.shiftdesk"
    taken.write_text("mine")
    assert window.new_database(taken) is None
    assert window.findChild(SetupDialog) is None
    assert taken.read_text() == "mine"
    assert window.context.store is store


def test_a_bad_setup_leaves_no_file_behind(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="give a name"):
        create_store(tmp_path / "x.shiftdesk", Setup(company="", site="S", timezone="UTC"))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_said_in_the_dialog(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    dialog = window.new_database(blocker / "dover")
    assert dialog is not None
    _fill(qtbot, dialog, "Harbour Hotels", "Dover", "UTC", "EUR")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert _shown_errors(dialog)["other"].startswith(f"Cannot create {blocker / 'dover.shiftdesk'}")
    assert window.context.store is store


def test_a_database_without_a_site_says_how_to_get_one(window: MainWindow) -> None:
    page = window.pages["schedule"]
    assert page.view.empty_text == (
        "This database is not set up: it has no company or site yet."
        " File → New database… creates one that is."
    )
    assert page.open_new_dialog(None, None) is None
    assert page.notice.text == page.view.empty_text
