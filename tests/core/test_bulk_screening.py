"""A bulk plan passes the drafts of people no check could find anything for without
checking them one by one; the plan must be the very one checking each gives.

Random plans on a real store (random rules, contracts, employment dates, leave, a
closed period, shifts already there, overnight, long, 24-hour, DST-gap and
cancelled drafts, people and whole departments) are planned both ways and compared.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.conflicts import ConflictIndex
from core.models import Employee, LeaveRequest, LeaveStatus, PayPeriod, PayPolicy
from core.scheduling import BulkPlan, Placed, ShiftDraft, _plan_bulk, plan_bulk, write_bulk
from core.store import Store
from tests.conftest import Org

#: The Monday before Berlin's clocks go forward (28 Mar 2027, 02:00-03:00 missing).
FIRST = date(2027, 3, 15)
TIMES = [
    ("09:00", "17:00"),
    ("07:00", "15:00"),
    ("14:00", "22:00"),
    ("22:00", "06:00"),
    ("06:00", "20:00"),
    ("08:00", "08:00"),
    ("02:30", "10:00"),
    ("17:30", "23:30"),
]


def _drafts(
    rng: random.Random, org: Org, n: int, days: int, times: list[tuple[str, str]] = TIMES
) -> list[ShiftDraft]:
    people = [org.anna, org.ben, org.cara, org.dan]
    drafts = []
    for _ in range(n):
        start, end = rng.choice(times)
        who = rng.random()
        employees: tuple[str, ...] = ()
        departments: tuple[str, ...] = ()
        if who < 0.6:
            employees = (rng.choice(people),)
        elif who < 0.75:
            employees = tuple(rng.sample(people, 2))
        elif who < 0.9:
            departments = (rng.choice([org.kitchen_id, org.floor_id]),)
        drafts.append(
            ShiftDraft(
                org.site_id,
                FIRST + timedelta(days=rng.randrange(days)),
                start,
                end,
                employee_ids=employees,
                department_ids=departments,
                status="cancelled" if rng.random() < 0.05 else "scheduled",
            )
        )
    return drafts


def _randomise_store(s, rng: random.Random, org: Org) -> None:
    policy = s.scalars(select(PayPolicy).where(PayPolicy.company_id == org.company_id)).one()
    policy.min_rest_hours = Decimal(rng.choice([0, 8, 11, 14]))
    policy.max_consecutive_days = rng.choice([0, 2, 3, 6])
    policy.max_shift_hours = Decimal(rng.choice([0, 8, 12]))
    policy.week_start = rng.randrange(7)
    for emp in s.scalars(select(Employee).where(Employee.company_id == org.company_id)):
        emp.contract_hours = Decimal(rng.choice([0, 0, 16, 24, 40]))
        emp.employment_start = FIRST + timedelta(days=rng.randrange(-5, 8))
        emp.employment_end = rng.choice([None, None, FIRST + timedelta(days=rng.randrange(10, 30))])
    for _ in range(rng.randrange(3)):
        day = FIRST + timedelta(days=rng.randrange(28))
        s.add(
            LeaveRequest(
                company_id=org.company_id,
                employee_id=rng.choice([org.anna, org.ben, org.cara, org.dan]),
                leave_type="vacation",
                start_date=day,
                end_date=day + timedelta(days=rng.randrange(5)),
                status=LeaveStatus.APPROVED,
            )
        )
    if rng.random() < 0.3:
        first = FIRST + timedelta(days=rng.randrange(-3, 14))
        s.add(
            PayPeriod(
                company_id=org.company_id,
                first_day=first,
                last_day=first + timedelta(days=rng.randrange(1, 4)),
                closed_by="Payroll",
            )
        )
    s.flush()
    existing = _drafts(rng, org, rng.randrange(0, 8), 28, TIMES[:2])
    write_bulk(s, plan_bulk(s, existing))


def _comparable(plan: BulkPlan) -> tuple[object, ...]:
    """The plan's values; a time problem (an exception: equal only to itself) as its text."""

    def placed(item: Placed) -> tuple[Placed, str]:
        return replace(item, time_problem=None), repr(item.time_problem)

    return (
        [placed(item) for item in plan.accepted],
        plan.rejected,
        plan.check,
        [(placed(item), check) for item, check in plan.items],
    )


def test_screened_plans_equal_plans_checked_one_by_one(store: Store, org: Org) -> None:
    screened_some = checked_some = found = 0
    for seed in range(60):
        rng = random.Random(seed)
        with store.session() as s:
            attempt = s.begin_nested()
            _randomise_store(s, rng, org)
            if seed % 2:  # crowded: clashes and short rests everywhere
                drafts = _drafts(rng, org, rng.randrange(1, 80), rng.choice([7, 21]))
            else:  # sparse day shifts: leave, runs of days and contracts decide
                drafts = _drafts(
                    rng, org, rng.randrange(5, 40), rng.choice([14, 28, 60]), TIMES[:2]
                )
            quick = _plan_bulk(s, drafts)
            checked = _plan_bulk(s, drafts, screen=False)
            attempt.rollback()
        assert _comparable(quick) == _comparable(checked), f"seed {seed}"
        assert [check for _, check in quick.items] == [check for _, check in checked.items]
        found += bool(checked.rejected or checked.check.warnings)
        clear = sum(1 for _, check in checked.items if not check.conflicts and not check.warnings)
        screened_some += clear > 0
        checked_some += clear < len(drafts)
    # The plans were varied: most found something, and the screening had work to do.
    assert found > 20
    assert screened_some > 20
    assert checked_some > 20


def test_a_year_for_people_far_apart_is_passed_without_checks(
    store: Store, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shifts days apart: every draft passes the screening, none is checked alone."""
    checks: list[object] = []
    one_by_one = ConflictIndex.check
    monkeypatch.setattr(
        ConflictIndex, "check", lambda *args, **kw: checks.append(args) or one_by_one(*args, **kw)
    )
    drafts = [
        ShiftDraft(org.site_id, FIRST + timedelta(days=d), "09:00", "17:00", employee_ids=(emp,))
        for d in range(0, 364, 3)
        for emp in (org.anna, org.ben)
    ]
    with store.session() as s:
        quick = _plan_bulk(s, drafts)
        assert not checks
        assert _comparable(quick) == _comparable(_plan_bulk(s, drafts, screen=False))
    assert len(checks) == len(drafts)
    assert len(quick.accepted) == len(drafts)
    assert not quick.check.warnings
