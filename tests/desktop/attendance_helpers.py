"""A small attendance scene for the Attendance view's tests: one problem of each kind."""

from __future__ import annotations

from datetime import date, timedelta

from core.store import Store
from tests.conftest import MONDAY, Org
from tests.core.attendance_helpers import add_shift, punches, work

TUESDAY = MONDAY + timedelta(days=1)


def late_missing_absent(store: Store, org: Org) -> dict[str, tuple[str, date]]:
    """Anna is 12 minutes late (7 past the grace), Ben never clocks out, Cara does not
    come, Dan is on time."""
    add_shift(store, org, MONDAY, "09:00", "17:00", org.anna)
    punches(store, org, org.anna, MONDAY, ("in", "09:12"), ("out", "17:00"))
    add_shift(store, org, MONDAY, "09:00", "17:00", org.ben)
    punches(store, org, org.ben, MONDAY, ("in", "09:00"))
    add_shift(store, org, TUESDAY, "09:00", "17:00", org.cara)
    work(store, org, org.dan, TUESDAY, "09:00", "17:00")
    return {
        "late": (org.anna, MONDAY),
        "missing": (org.ben, MONDAY),
        "absent": (org.cara, TUESDAY),
        "clean": (org.dan, TUESDAY),
    }
