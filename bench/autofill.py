"""Auto-fill of a month of open shifts, beside the greedy baseline on the same store.

Run: ``python bench/autofill.py [--employees N] [--days D]``, or as the suite's
``autofill`` group. The store is the demo hotel (fixed seed) with, on every day
of the month, one open shift per 20 people spread over the departments' own
patterns (500 people: 25 a day, 750 in the month). Timed: ``plan_autofill`` (the
dry run: load, solve, explain) over the month; the floor is the greedy baseline
(each shift in turn to the cheapest person free then, same costs and rules)
timed in the same run. The note compares the results: shifts filled, labour
cost, soft-rule warnings and the objective both minimise; "≥ greedy: yes" when
the solver fills as many with no more warnings and no higher objective.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.runner import Row, Sizes, runs, table
from core.autofill import AutofillPlan, plan_autofill
from core.demo import DEPARTMENTS, build_demo
from core.models import Department, Site
from core.scheduling import ShiftDraft, plan_bulk, write_bulk
from core.store import Store, open_store

START = date(2026, 3, 2)
PEOPLE_PER_OPEN_SHIFT = 8


def build(store: Store, employees: int, days: int, seed: int = 1) -> tuple[date, date]:
    """The demo store plus open shifts on every day of ``days``; the range to fill."""
    weeks = -(-days // 7) + 1
    build_demo(store, employees=employees, weeks=weeks, seed=seed, start=START)
    first, last = START, START + timedelta(days=days - 1)
    rng = random.Random(seed)
    with store.session() as s:
        site = s.query(Site).one()
        departments = {d.name: d.id for d in s.query(Department)}
        patterns = [(name, p) for name, (_c, ps) in DEPARTMENTS.items() for p in ps]
        per_day = max(1, employees // PEOPLE_PER_OPEN_SHIFT)
        drafts = []
        for n in range(days):
            day = first + timedelta(days=n)
            for _ in range(per_day):
                name, pattern = rng.choice(patterns)
                drafts.append(
                    ShiftDraft(
                        site_id=site.id,
                        shift_date=day,
                        start_time=pattern.start,
                        end_time=pattern.end,
                        department_id=departments[name],
                        location=name,
                    )
                )
        write_bulk(s, plan_bulk(s, drafts))
    return first, last


def score(plan: AutofillPlan) -> str:
    return (
        f"{len(plan.proposals)} filled, {len(plan.unfilled)} not,"
        f" labour {plan.cost}, {len(plan.warnings)} warnings, objective {plan.score:.0f}"
    )


def autofill_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    days = 28 if sizes.people >= 100 else 7
    path = tmp / "autofill.shiftdesk"
    store = open_store(path)
    try:
        first, last = build(store, sizes.people, days)
        found: dict[str, AutofillPlan] = {}

        def fill(greedy: bool) -> None:
            with store.session() as s:
                found["greedy" if greedy else "solver"] = plan_autofill(
                    s, first, last, greedy=greedy
                )

        times = runs(lambda: fill(False), sizes.repeat)
        floor = min(runs(lambda: fill(True), sizes.repeat))
    finally:
        store.close()
    solver, greedy = found["solver"], found["greedy"]
    shifts = len(solver.proposals) + len(solver.unfilled)
    as_good = (
        len(solver.proposals) >= len(greedy.proposals)
        and len(solver.warnings) <= len(greedy.warnings)
        and solver.score <= greedy.score + 1e-6
    )
    return [
        Row(
            f"auto-fill {shifts} open shifts, {sizes.people} people × {days} days",
            times,
            floor,
            "< 5 s, ≥ greedy",
            limit=5.0,
            note=f"≥ greedy: {'yes' if as_good else 'NO'}; solver: {score(solver)};"
            f" floor = greedy: {score(greedy)}",
            extra={"solver": solver, "greedy": greedy},
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = Sizes(repeat=args.repeat, people=args.employees)
    with tempfile.TemporaryDirectory() as tmp:
        print(table(autofill_rows(sizes, Path(tmp))))


if __name__ == "__main__":
    main()
