from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from core.employees import list_employees
from core.organisation import Setup, setup_store
from core.store import Store
from desktop.context import AppContext
from desktop.employee_import import ProblemsDialog
from desktop.mainwindow import MainWindow
from tests.desktop.helpers import settle

GOOD = """first_name,last_name,code,department,hourly_rate
Anna,Berg,E1,Kitchen,18.50
Ben,Cole,E2,Floor,17
Cara,Diaz,E3,Kitchen,
"""

BAD = """first_name,last_name,code,email,hourly_rate
Anna,Berg,E1,anna@example.com,18.50
Ben,,E2,ben@example,17
,Diaz,,,lots
"""


@pytest.fixture
def window(qtbot, themed: QApplication, store: Store, settings: QSettings) -> MainWindow:
    with store.session() as s:
        setup_store(s, Setup(company="Harbour Hotels", site="Dover", timezone="Europe/London"))
    shown = MainWindow(AppContext(store), settings)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _names(store: Store) -> list[str]:
    with store.session() as s:
        return [e.name for e in list_employees(s, include_inactive=True)]


def test_the_file_menu_offers_the_import(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Import employees from CSV…" in titles


def test_an_imported_file_fills_the_schedule_and_says_what_it_did(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    page = window.pages["schedule"]
    assert page.model.rowCount() == 0
    with qtbot.waitSignal(window.employee_import.imported):
        window.employee_import.import_file(_csv(tmp_path, GOOD))
    shown = [page.model.row_info(r) for r in range(page.model.rowCount())]
    assert [(i.department.name, i.employee.name if i.employee else None) for i in shown] == [
        ("Floor", None),
        ("Floor", "Ben Cole"),
        ("Kitchen", None),
        ("Kitchen", "Anna Berg"),
        ("Kitchen", "Cara Diaz"),
    ]
    assert [page.bar.department_box.itemText(i) for i in range(3)] == [
        "All departments",
        "Floor",
        "Kitchen",
    ]
    box = window.findChild(QMessageBox, "ImportDone")
    assert box.isVisible()
    assert box.text() == "Imported staff.csv: 3 added, 0 updated. New departments: Kitchen, Floor."
    assert window.employee_import.action.isEnabled()


def test_importing_the_same_file_again_changes_nothing(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    path = _csv(tmp_path, GOOD)
    with qtbot.waitSignal(window.employee_import.imported):
        window.employee_import.import_file(path)
    window.findChild(QMessageBox, "ImportDone").close()
    with qtbot.waitSignal(window.employee_import.imported) as again:
        window.employee_import.import_file(path)
    assert again.args[0].added == again.args[0].updated == ()
    texts = [b.text() for b in window.findChildren(QMessageBox, "ImportDone") if b.isVisible()]
    assert texts == [
        "Imported staff.csv: Nothing changed: everyone in the file is already up to date."
    ]


def test_a_refused_file_writes_nothing_and_lists_every_bad_line(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    page = window.pages["schedule"]
    with qtbot.waitSignal(window.employee_import.refused) as refused:
        window.employee_import.import_file(_csv(tmp_path, BAD))
    lines = [
        "line 3: last_name is empty",
        "line 3: email 'ben@example' is not an e-mail address",
        "line 4: first_name is empty",
        "line 4: code is empty",
        "line 4: hourly_rate 'lots' is not a number",
    ]
    assert refused.args[0] == lines
    dialog = window.findChild(ProblemsDialog)
    assert dialog.isVisible()
    assert dialog.text.toPlainText().splitlines() == lines
    assert _names(store) == []
    assert page.model.rowCount() == 0
    assert window.employee_import.action.isEnabled()


def test_a_missing_file_is_refused_in_one_sentence(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.employee_import.refused) as refused:
        window.employee_import.import_file(tmp_path / "nope.csv")
    assert refused.args[0] == [f"{tmp_path / 'nope.csv'} does not exist"]


def test_an_imported_file_is_one_step_that_undo_takes_back(
    qtbot, window: MainWindow, store: Store, tmp_path: Path
) -> None:
    page = window.pages["schedule"]
    with qtbot.waitSignal(window.employee_import.imported):
        window.employee_import.import_file(_csv(tmp_path, GOOD))
    stack = window.context.undo_stack
    assert (stack.count(), stack.undoText()) == (1, "Import staff.csv")
    stack.undo()
    settle(window.context)  # a bulk step is undone on the writer thread
    assert _names(store) == []
    assert page.model.rowCount() == 0
    stack.redo()
    settle(window.context)
    assert _names(store) == ["Anna Berg", "Ben Cole", "Cara Diaz"]
    assert page.model.rowCount() == 5


def test_a_file_that_changes_nothing_adds_no_undo_step(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    path = _csv(tmp_path, GOOD)
    for _ in range(2):
        with qtbot.waitSignal(window.employee_import.imported):
            window.employee_import.import_file(path)
    assert window.context.undo_stack.count() == 1
