"""The Attendance view's Qt models over a core snapshot."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt

from core.attendance import attendance
from desktop.attendance.model import CHIPS_ROLE, FLAGS, DayModel, Snapshot, TotalsModel
from tests.conftest import MONDAY
from tests.desktop.attendance_helpers import late_missing_absent

M = TypeVar("M", DayModel, TotalsModel)


def _model(store, org, kind: type[M]) -> M:
    """A model of the week of MONDAY with a late, a missing punch and an absence."""
    late_missing_absent(store, org)
    with store.session() as s:
        derived = attendance(s, MONDAY, MONDAY + timedelta(days=6))
    snapshot = Snapshot(derived.people, {}, derived.days)
    model = kind()
    model.set_snapshot(snapshot, snapshot.days)
    return model


@pytest.mark.parametrize("kind", [DayModel, TotalsModel])
def test_attendance_models_pass_the_model_tester(qtmodeltester, store, org, kind) -> None:
    qtmodeltester.check(_model(store, org, kind))


def test_days_come_by_person_then_date_with_flags_as_words(qapp, store, org) -> None:
    model = _model(store, org, DayModel)
    rows = [
        (model.index(r, 0).data(), model.index(r, 1).data(), model.index(r, FLAGS).data())
        for r in range(model.rowCount())
    ]
    assert rows == [
        ("Anna Berg", "Mon 01 Jun", "Late 7 min"),
        ("Ben Cole", "Mon 01 Jun", "Missing punch"),
        ("Cara Diaz", "Tue 02 Jun", "Absent"),
        ("Dan Evans", "Tue 02 Jun", ""),
    ]
    (chip,) = model.index(0, FLAGS).data(CHIPS_ROLE)
    assert (chip.key, chip.text) == ("late", "Late 7 min")


def test_totals_sum_each_persons_days(qapp, store, org) -> None:
    model = _model(store, org, TotalsModel)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    anna = dict(zip(headers, [model.index(0, c).data() for c in range(len(headers))], strict=True))
    assert anna == {
        "Employee": "Anna Berg",
        "Department": "",
        "Days": "1",
        "Scheduled h": "8.00",
        "Worked h": "7.80",
        "Late min": "7",
        "Early min": "0",
        "Overtime h": "0.00",
        "Days with problems": "1",
        "Approved": "0 of 1",
    }
