"""Auto-fill of a month of open shifts, beside the greedy baseline on the same store.

Run: ``python bench/autofill.py [--employees N] [--days D]``, or as the suite's
``autofill`` group. The store is the demo hotel (fixed seed) with, on every day
of the month, one open shift per 20 people spread over the departments' own
patterns (500 people: 25 a day, 750 in the month). Timed: ``plan_autofill`` (the
dry run: load, solve, explain) over the month; the floor is the greedy baseline
(each shift in turn to the cheapest person free then, same costs and rules)
timed in the same run. The note compares the results: shifts filled, labour
cost, soft-rule warnings and the objective both minimise; "≥ greedy: yes" when
the solver fills as many with no more warnings and no higher objective. A second
row times applying every proposal (``apply_autofill``: checked again, written,
queued for sync, one undo step) on a fresh copy of the store each run, and two
more its undo and its redo, each in a session of its own as the desktop runs them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from bench.runner import Row, Sizes, runs, table, timed
from core.autofill import AutofillPlan, apply_autofill, plan_autofill
from core.demo import DEPARTMENTS, build_demo
from core.models import Department, Site
from core.results import OpResult
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
    applied, times_applied, times_undone, times_redone = _apply_runs(
        path, tmp, solver, sizes.repeat
    )
    return [
        Row(
            f"auto-fill of {shifts} open shifts, {sizes.people} people × {days} days",
            times,
            floor,
            "< 5 s, ≥ greedy",
            limit=5.0,
            note=f"≥ greedy: {'yes' if as_good else 'NO'}; solver: {score(solver)};"
            f" floor = greedy: {score(greedy)}",
            extra={"solver": solver, "greedy": greedy},
        ),
        Row(
            f"auto-fill apply of {len(solver.proposals)} proposals as one undo step",
            times_applied,
            None,
            "< 5 s",
            limit=5.0,
            note=f"{len(applied.ids)} assigned, {len(applied.skipped)} left out",
        ),
        Row(
            f"auto-fill undo of {len(applied.ids)} assignments",
            times_undone,
            None,
            "< 2 s",
            limit=2.0,
            note="the apply's undo step, in its own session as the desktop's writer runs it",
        ),
        Row(
            f"auto-fill redo of {len(applied.ids)} assignments",
            times_redone,
            None,
            "< 2 s",
            limit=2.0,
            note="the undo's own undo step",
        ),
    ]


def _apply_runs(
    path: Path, tmp: Path, plan: AutofillPlan, repeat: int
) -> tuple[OpResult, list[float], list[float], list[float]]:
    """Apply every proposal, then undo and redo it, each in its own session; each
    run on a fresh copy of the store. The result of the apply, and the three times."""
    applied, undone, redone = [], [], []
    result = OpResult()
    run = tmp / "apply.shiftdesk"
    for _ in range(repeat):
        shutil.copyfile(path, run)
        store = open_store(run)
        try:
            with store.session() as s:
                took, result = timed(lambda s=s: apply_autofill(s, plan.proposals))
            applied.append(took)
            took, back = timed(partial(_committed, store, result))
            undone.append(took)
            took, _ = timed(partial(_committed, store, back))
            redone.append(took)
        finally:
            store.close()
    return result, applied, undone, redone


def _committed(store: Store, step: OpResult) -> OpResult:
    """``step``'s undo in a session of its own, committed: what the desktop's writer does."""
    assert step.undo is not None
    with store.session() as s:
        return step.undo(s)


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
