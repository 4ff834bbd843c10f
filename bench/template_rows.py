"""Template application, the drop-target check on the store it fills, and undo.

- ``template application``: N people, one application each of a two-days-a-week
  template for a year (1,000 × 52 weeks: about 104,000 shifts), as the app's
  Apply does it: the dry run (the proposed shifts the preview lists) in one
  session, then ``commit_dry_run`` in another (which writes the dry run's plan,
  the store being unchanged). Floor: SQLite inserting the very
  rows written with one raw ``executemany`` per table (``bench/bulk_undo.py``'s).
- ``drop-target check``: on that store, ``preview_move`` in a session of its own
  (what the grid asks on every new hover), p95 of many; floor: the p95 of one
  indexed query of a person's shifts around the day.
- ``undo``: a daily template for a year applied to 100 people (36,500 shifts),
  then its undo step; floor: a raw UPDATE of those shifts to deleted and a
  DELETE of their outbox entries, by record (the store's other entries stay, as
  the undo leaves them: emptying the whole table would be less work than it does).
"""

from __future__ import annotations

import gc
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.bulk_undo import START, build
from bench.bulk_undo import floor as insert_floor
from bench.runner import Row, Sizes, p95, timed
from core.models import ShiftTemplate
from core.scheduling import preview_move
from core.store import open_store
from core.templates import Application, apply_templates, commit_dry_run, dry_run


def _base(tmp: Path, people: int) -> tuple[Path, Path, str, list[str]]:
    """A migrated empty store and one with people and the template; their paths."""
    migrated = tmp / "migrated.shiftdesk"
    open_store(migrated).close()
    base = tmp / "base.shiftdesk"
    shutil.copyfile(migrated, base)
    store = open_store(base)
    try:
        template_id, staff = build(store, people, seed=1)
    finally:
        store.close()
    return migrated, base, template_id, staff


def template_rows(sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        migrated, base, template_id, staff = _base(tmp, sizes.template_people)
        last = START + timedelta(weeks=sizes.template_weeks) - timedelta(days=1)
        apps = [Application(template_id, (person,)) for person in staff]
        times: list[float] = []
        floors: list[float] = []
        written = 0
        path = tmp / "run.shiftdesk"
        for _ in range(sizes.repeat):
            shutil.copyfile(base, path)
            store = open_store(path)
            try:

                def work(store: Any = store) -> Any:
                    with store.session() as s:
                        dry = dry_run(store, s, apps, START, last)
                        proposed = dry.expansion.shifts
                    with store.session() as s:
                        result = commit_dry_run(store, s, dry)
                    assert len(result.ids) == len(proposed)
                    return result

                took, result = timed(work)
                written = len(result.ids)
            finally:
                store.close()
            times.append(took)
            floors.append(insert_floor(migrated, path, tmp / "floor.shiftdesk")[0])
            (tmp / "floor.shiftdesk").unlink()
        rows.append(
            Row(
                f"{len(apps)} template applications × {sizes.template_weeks} weeks"
                f" ({written} shifts): dry run + commit",
                times,
                min(floors),
                "< 3 s",
                3.0,
                note="floor: raw executemany of the same rows",
            )
        )
        rows.append(_drop_check(path, staff, sizes, written))
    rows.append(_undo(sizes))
    return rows


def _drop_check(path: Path, staff: list[str], sizes: Sizes, stored: int) -> Row:
    rng = random.Random(3)
    conn = sqlite3.connect(path)
    try:
        shifts = conn.execute("SELECT id, shift_date FROM shift WHERE deleted = 0").fetchall()
    finally:
        conn.close()
    hovers = [
        (shift_id, day, rng.choice(staff))
        for shift_id, day in rng.sample(shifts, min(sizes.hovers, len(shifts)))
    ]
    store = open_store(path)
    try:
        with store.session() as s:  # warm: compiled statements, the pool
            preview_move(s, hovers[0][0], employee_id=hovers[0][2])
        per_run = []
        for _ in range(sizes.repeat):
            spent = []
            for shift_id, day, person in hovers:
                began = time.perf_counter()
                with store.session() as s:
                    preview_move(
                        s,
                        shift_id,
                        day=_date(day) + timedelta(days=1),
                        employee_id=person,
                    )
                spent.append(time.perf_counter() - began)
            per_run.append(p95(spent))
    finally:
        store.close()
    conn = sqlite3.connect(path)
    try:
        floor_spent = []
        for _, day, person in hovers * max(1, sizes.repeat):
            lo = f"{_date(day) - timedelta(days=2)}"
            hi = f"{_date(day) + timedelta(days=3)}"
            began = time.perf_counter()
            conn.execute(
                "SELECT s.id, s.start_utc, s.end_utc FROM shift s"
                " JOIN shift_employee se ON se.shift_id = s.id"
                " WHERE se.employee_id = ? AND s.start_utc >= ? AND s.start_utc < ?"
                " AND s.deleted = 0",
                (person, lo, hi),
            ).fetchall()
            floor_spent.append(time.perf_counter() - began)
    finally:
        conn.close()
    return Row(
        f"drop-target check, {stored} shifts stored (p95 of {len(hovers)})",
        per_run,
        p95(floor_spent),
        "p95 < 2 ms",
        0.002,
        unit="ms",
        note="floor: p95 of one indexed query",
    )


def _date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def _undo(sizes: Sizes) -> Row:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        _, base, template_id, staff = _base(tmp, sizes.undo_people)
        store = open_store(base)
        try:
            with store.session() as s:
                template = s.get(ShiftTemplate, template_id)
                assert template is not None
                template.rrule = "FREQ=DAILY"
        finally:
            store.close()
        last = START + timedelta(days=sizes.undo_days - 1)
        apps = [Application(template_id, (person,)) for person in staff]
        times, floors = [], []
        shifts = 0
        for n in range(sizes.repeat):
            path = tmp / f"run{n}.shiftdesk"
            shutil.copyfile(base, path)
            store = open_store(path)
            try:
                with store.session() as s:
                    applied = apply_templates(s, apps, START, last)
                shifts = len(applied.ids)
                copy = tmp / f"floor{n}.shiftdesk"
                shutil.copyfile(path, copy)

                def undo(store: Any = store, applied: Any = applied) -> None:
                    with store.session() as s:
                        applied.undo(s)

                # The application's garbage is collected first, as runner.runs does for
                # every other row (and the desktop's collector between two actions):
                # else its collections land in the undo's time.
                gc.collect()
                took, _ = timed(undo)
            finally:
                store.close()
            times.append(took)
            floors.append(_undo_floor(copy, template_id))
    return Row(
        f"undo of a {shifts}-shift application",
        times,
        min(floors),
        "< 0.5 s",
        0.5,
        note="floor: raw UPDATE + DELETE of its entries",
    )


def _undo_floor(path: Path, template_id: str) -> float:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        began = time.perf_counter()
        with conn:
            conn.execute(
                "UPDATE shift SET deleted = 1, dirty = 0, updated_at = ? WHERE template_id = ?",
                (f"{datetime.now(UTC).replace(tzinfo=None)}", template_id),
            )
            conn.execute(
                "DELETE FROM outbox WHERE record_id IN"
                " (SELECT id FROM shift WHERE template_id = ?)",
                (template_id,),
            )
        return time.perf_counter() - began
    finally:
        conn.close()
