"""The Schedule's toolbar counts the shown shifts that clash, and "Only problems"
narrows the grid to the people with a conflict or warning and open shifts to fill."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.models import LeaveRequest, LeaveStatus
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from desktop.context import AppContext
from desktop.schedule.layout import WEEK
from desktop.schedule.model import RowKind
from desktop.schedule.page import SchedulePage
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift, show_at


def _leave(store: Store, org: Org, who: str) -> None:
    with store.session() as s:
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=who,
                start_date=MONDAY,
                end_date=MONDAY,
                status=LeaveStatus.APPROVED,
            )
        )


def _shown(page: SchedulePage) -> list[str]:
    names = []
    for row in range(page.model.rowCount()):
        info = page.model.row_info(row)
        if info.kind == RowKind.EMPLOYEE and info.employee:
            names.append(info.employee.name)
        elif info.kind == RowKind.OPEN:
            names.append(f"open {info.department.name}")
        else:
            names.append(f"[{info.department.name}]")
    return names


def test_the_toolbar_counts_clashing_shifts_and_shows_only_the_people_with_problems(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)  # fine
    add_shift(store, org, MONDAY, "09:00", "17:00", org.cara)  # on leave: a conflict
    add_shift(store, org, MONDAY, "08:00", "12:00", org.dan)  # on leave: a conflict
    add_shift(store, org, MONDAY + timedelta(days=1), "09:00", "12:00", org.dan)
    _leave(store, org, org.cara)
    _leave(store, org, org.dan)
    page.reload()
    qtbot.waitUntil(lambda: not page.problems_pending)
    assert page.model.conflict_count() == 2
    assert page.bar.problems_button.text() == "2 conflicts"
    everyone = _shown(page)
    assert len(everyone) == 6  # two bands, four people

    page.bar.problems_button.click()
    assert page.model.only_problems
    assert _shown(page) == ["[Floor]", "Cara Diaz", "Dan Evans"]
    assert page.bar.problems_button.text() == "2 conflicts"

    # An open shift to fill is a problem too.
    with store.session() as s:
        draft = ShiftDraft(org.site_id, MONDAY, "10:00", "14:00", department_id=org.kitchen_id)
        assert create_shift(s, draft).applied
    page.reload()
    qtbot.waitUntil(lambda: not page.problems_pending)
    assert _shown(page) == ["[Floor]", "Cara Diaz", "Dan Evans", "[Kitchen]", "open Kitchen"]

    page.bar.problems_button.click()
    assert not page.model.only_problems
    assert len(_shown(page)) == 7


def test_with_nothing_wrong_the_count_says_so_and_the_filter_empties_the_grid(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    page.reload()
    qtbot.waitUntil(lambda: not page.problems_pending)
    assert page.bar.problems_button.text() == "No conflicts"
    page.show_only_problems(True)
    assert page.bar.problems_button.isChecked()
    assert page.model.rowCount() == 0
    assert page.view.empty_text.startswith("No problems in this range")
    page.show_only_problems(False)
    assert page.model.rowCount() == 6
    assert not page.view.empty_text.startswith("No problems")


def test_people_checked_later_join_the_problems_shown(qtbot: QtBot, demo_store: Store) -> None:
    page = show_at(qtbot, SchedulePage(AppContext(demo_store)), 1400, 300)
    page.bar.problems_button.setChecked(True)
    page.anchor = date(2026, 6, 15)
    page.reload()
    assert page.problems_pending  # only the rows in view are checked at once
    assert page.bar.problems_button.text().endswith("…") or (
        page.bar.problems_button.text() == "Checking…"
    )
    qtbot.waitUntil(lambda: not page.problems_pending)
    shown = _shown(page)
    assert "Wanda Otto" in shown  # sick leave approved with her kept on the shift
    assert page.model.conflict_count() >= 1
    wanda = next(r for r in range(page.model.rowCount()) if _shown(page)[r] == "Wanda Otto")
    assert page.view.rowHeight(wanda) >= WEEK.empty_row  # rows refitted as people joined


def test_workload_warnings_count_on_the_chip_and_show_under_only_problems(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    long = add_shift(store, org, MONDAY, "06:00", "19:00", org.anna)  # 13 h: long
    add_shift(store, org, MONDAY, "09:00", "17:00", org.cara)  # fine
    page.reload()
    qtbot.waitUntil(lambda: not page.problems_pending)
    assert page.model.conflict_count() == 0
    assert page.model.warning_count() == 1
    assert page.bar.problems_button.text() == "1 warning"
    assert page.bar.problems_button.toolTip().startswith("0 conflicts · 1 warning in")
    index = page.model.index_of(org.anna, MONDAY)
    assert "⚠ lasts 13 h, longer than 12 h" in page.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert page.model.cell(index).problems[0].warnings[0].kind == "long_shift"
    page.bar.problems_button.click()
    assert _shown(page) == ["[Kitchen]", "Anna Berg"]
    assert page.model.problems_of(long, org.anna).warnings
