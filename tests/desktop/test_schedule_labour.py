"""Labour hours and cost on the Schedule: each day header and the totals bar say what
the shown roster costs, with open shifts in hours only and unknown rates marked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from core.labour import Labour
from core.models import Employee
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from desktop.schedule.labour import cost_text, header_parts, whole_hours
from desktop.schedule.page import SchedulePage
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift


def _reload(qtbot: QtBot, page: SchedulePage) -> None:
    """Reload, then wait for the labour figures (they follow the first frame)."""
    page.reload()
    assert page.labour_pending
    qtbot.waitUntil(lambda: not page.labour_pending)


def _scene(qtbot: QtBot, store: Store, org: Org, page: SchedulePage) -> None:
    with store.session() as s:
        s.execute(update(Employee).where(Employee.id == org.cara).values(hourly_rate=Decimal(0)))
        draft = ShiftDraft(org.site_id, MONDAY, "10:00", "14:00", department_id=org.kitchen_id)
        assert create_shift(s, draft).applied
    for n in range(5):
        add_shift(store, org, MONDAY + timedelta(days=n), "08:00", "16:00", org.anna)
    add_shift(store, org, MONDAY + timedelta(days=5), "08:00", "14:00", org.anna)
    add_shift(store, org, MONDAY, "09:00", "13:00", org.cara)
    _reload(qtbot, page)


def test_day_headers_and_totals_show_hours_cost_and_overtime(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    _scene(qtbot, store, org, page)
    plan = page.model.labour
    assert plan is not None
    monday = plan.day(MONDAY)
    assert (monday.hours, monday.cost, monday.unpriced_hours) == (16, Decimal(160), 4)
    assert header_parts(monday, "EUR") == ["16 h", "€160 + ?"]
    saturday = plan.day(MONDAY + timedelta(days=5))
    assert header_parts(saturday, "EUR") == ["6 h", "€180", "6 h OT"]
    tip = page.model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "16 h scheduled, labour cost €160.00 + ?" in tip
    assert "Open shifts: 4 h. Open shifts count in hours but have no cost" in tip
    assert "Cost unknown for 4 h" in tip
    assert tip.endswith("1 open shift to fill")
    bar = page.labour_bar.label.text()
    assert bar == "Week: 54 h · labour €980 + ? · 6 h overtime (1 person) · 4 h open, not costed"
    assert "Anna Berg: 6 h overtime, week of 01 Jun" in page.labour_bar.toolTip()
    assert not page.view.horizontalHeader().grab().isNull()  # paints the labour line


def test_a_cost_with_no_rate_at_all_is_unknown_not_zero(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    with store.session() as s:
        s.execute(update(Employee).values(hourly_rate=Decimal(0)))
    add_shift(store, org, MONDAY, "09:00", "13:00", org.cara)
    _reload(qtbot, page)
    assert page.model.labour is not None
    monday = page.model.labour.day(MONDAY)
    assert cost_text(monday, "EUR") == "cost ?"
    assert "labour cost ?" in page.labour_bar.label.text()


def test_an_open_shift_alone_has_hours_and_no_cost_to_show() -> None:
    open_only = Labour(hours=Decimal(4), open_hours=Decimal(4))
    assert header_parts(open_only, "GBP") == ["4 h"]
    assert cost_text(Labour(hours=Decimal(2), cost=Decimal("1234.5")), "SEK") == "1,234 SEK"


def test_an_edit_keeps_the_days_figures_until_the_new_ones_come(
    qtbot: QtBot, store: Store, org: Org, page: SchedulePage
) -> None:
    _scene(qtbot, store, org, page)
    before = page.model.labour
    add_shift(store, org, MONDAY + timedelta(days=6), "08:00", "12:00", org.ben)
    page.reload()
    assert page.model.labour is before  # shown until priced again, not blanked
    qtbot.waitUntil(lambda: not page.labour_pending)
    assert page.model.labour is not None
    assert page.model.labour.day(MONDAY + timedelta(days=6)).hours == 4
    page.go(1)  # another week: no figures of the last one on its days
    assert page.model.labour is None


def test_a_months_bare_day_hours_round_halves_up() -> None:
    """159.5 h and 196.5 h both round up (":.0f" rounded halves to even: 196)."""
    assert whole_hours(Decimal("159.5")) == "160"
    assert whole_hours(Decimal("196.5")) == "197"
    assert whole_hours(Decimal("196.49")) == "196"
