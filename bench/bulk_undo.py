"""How long a year of template shifts takes to write, undo and redo (fixed seed).

Run: ``python bench/bulk_undo.py [--people N] [--weeks W]``. Builds a store in a
temporary directory with N people (default 1,000) and applies a two-days-a-week
template to each of them for W weeks (default 52: about 104,000 shifts) as one
operation, then times, each in its own session as the desktop runs them:

- ``apply``: expand and commit the applications (the dry run included);
- ``undo``, ``redo``, ``undo again``: the operation's undo step and its inverse;
- ``copy week``: copying one week of those shifts onto a free week, and its undo.

Each time is also printed as a ratio to a floor measured in the same run: SQLite
inserting the very same shift and assignment rows with one raw ``executemany``
per table into a fresh store (its indexes included). The ratio, not the seconds,
is what compares across machines and loads; CPU seconds are shown beside the
wall-clock ones, as they suffer less on a busy machine, and ``--repeat`` shows
the best of several runs.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.models import Company, Department, Employee, PayPolicy, Site
from core.scheduling import copy_week
from core.store import Store, open_store
from core.templates import Application, TemplateDraft, apply_templates, create_template

START = date(2027, 1, 4)  # a Monday


Times = tuple[float, float]  # wall-clock and CPU seconds


def timed(work: Callable[[], Any]) -> tuple[Times, Any]:
    began, cpu = time.perf_counter(), time.process_time()
    value = work()
    return (time.perf_counter() - began, time.process_time() - cpu), value


def build(store: Store, people: int, seed: int) -> tuple[str, list[str]]:
    """A company with ``people`` people at one site, and one template; (template, people)."""
    rng = random.Random(seed)
    with store.session() as s:
        company = Company(name="Bench Hotels")
        s.add(company)
        s.flush()
        site = Site(company_id=company.id, name="Main", timezone="Europe/Berlin")
        s.add(site)
        s.flush()
        s.add(PayPolicy(company_id=company.id))
        departments = [
            Department(company_id=company.id, site_id=site.id, name=f"Team {n}") for n in range(10)
        ]
        s.add_all(departments)
        s.flush()
        employees = [
            Employee(
                company_id=company.id,
                site_id=site.id,
                department_id=rng.choice(departments).id,
                first_name=f"P{n:04d}",
                last_name=rng.choice(["Berg", "Cole", "Diaz", "Evans", "Fisher"]),
                hourly_rate=Decimal("20.00"),
            )
            for n in range(people)
        ]
        s.add_all(employees)
        s.flush()
        template = create_template(
            s,
            TemplateDraft(
                site.id, "Early", "07:00", "15:00", "FREQ=WEEKLY;BYDAY=MO,TH", START, location="Bar"
            ),
        )
        return template.ids[0], [e.id for e in employees]


def floor(migrated: Path, source: Path, target: Path) -> Times:
    """SQLite alone writing the shift and assignment rows the operation wrote."""
    shutil.copyfile(migrated, target)
    with sqlite3.connect(source) as src:
        shifts = src.execute("SELECT * FROM shift").fetchall()
        assigned = src.execute("SELECT * FROM shift_employee").fetchall()
        referenced = {
            table: src.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("company", "site", "department", "employee", "shift_template")
        }
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        with conn:
            for table, rows in referenced.items():
                if rows:
                    marks = ",".join("?" * len(rows[0]))
                    conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        marks = ",".join("?" * len(shifts[0]))

        def insert() -> None:
            with conn:
                conn.executemany(f"INSERT INTO shift VALUES ({marks})", shifts)
                conn.executemany("INSERT INTO shift_employee VALUES (?, ?)", assigned)

        took, _ = timed(insert)
        return took
    finally:
        conn.close()


def once(people: int, weeks: int, seed: int) -> tuple[Times, dict[str, Times]]:
    """One run on a new store: the floor, and each step's seconds by name."""
    with tempfile.TemporaryDirectory() as tmp:
        migrated = Path(tmp) / "migrated.shiftdesk"
        open_store(migrated).close()
        path = Path(tmp) / "bench.shiftdesk"
        shutil.copyfile(migrated, path)
        store = open_store(path)
        template_id, staff = build(store, people, seed)
        last = START + timedelta(weeks=weeks) - timedelta(days=1)
        apps = [Application(template_id, (person,)) for person in staff]

        def run(operation: Callable[[Any], Any]) -> Callable[[], Any]:
            def work() -> Any:
                with store.session() as s:
                    return operation(s)

            return work

        steps: dict[str, Times] = {}
        took, applied = timed(run(lambda s: apply_templates(s, apps, START, last)))
        steps[f"apply ({len(applied.ids)} shifts)"] = took
        store.close()
        floor_seconds = floor(migrated, path, Path(tmp) / "floor.shiftdesk")
        store = open_store(path)
        step = applied
        for name in ("undo", "redo", "undo again", "redo again"):
            steps[name], step = timed(run(step.undo))
        target = START + timedelta(weeks=weeks + 1)
        took, copied = timed(run(lambda s: copy_week(s, START, target)))
        steps[f"copy week ({len(copied.ids)} shifts)"] = took
        steps["undo copy week"], _ = timed(run(copied.undo))
        store.close()
    return floor_seconds, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the best of each is shown")
    args = parser.parse_args()
    runs = [once(args.people, args.weeks, args.seed) for _ in range(args.repeat)]
    floor_wall = min(f[0] for f, _ in runs)
    floor_cpu = min(f[1] for f, _ in runs)
    print(
        f"{args.people} people, best of {args.repeat}; floor: {floor_wall:.3f} s"
        f" ({floor_cpu:.3f} s CPU)"
    )
    print(f"{'':32} {'wall':>8} {'× floor':>8} {'CPU':>8} {'× floor':>8}")
    for name in runs[0][1]:
        wall = min(steps[name][0] for _, steps in runs)
        cpu = min(steps[name][1] for _, steps in runs)
        print(f"{name:32} {wall:7.3f}s {wall / floor_wall:8.2f} {cpu:7.3f}s {cpu / floor_cpu:8.2f}")


if __name__ == "__main__":
    main()
