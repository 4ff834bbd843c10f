"""How long the Schedule grid takes to show a month for 500 people (fixed seed).

Run: ``python bench/roster_load.py [--employees N]``. Builds a demo store in a
temporary directory, then times, for a month and for a week:

- ``core``: ``core.roster.load_roster`` with every shift's conflicts (what a
  caller without a screen gets);
- ``first frame``: the Schedule page's refresh up to one offscreen paint: the
  shifts, the conflicts of the rows in view, the model, row heights;
- ``all checked``: until the rows out of view have their conflicts too (done a
  slice per turn of the event loop, so the window stays responsive).

The time per shift is printed too, so machines and sizes can be compared.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.demo import build_demo
from core.roster import load_roster, range_for
from core.store import Store, open_store

START = date(2026, 3, 2)


def best_of(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from desktop.app import application
    from desktop.context import AppContext
    from desktop.schedule.page import SchedulePage

    application()
    with tempfile.TemporaryDirectory() as tmp:
        store: Store = open_store(Path(tmp) / "bench.shiftdesk")
        build_demo(store, employees=args.employees, weeks=6, seed=1, start=START)
        page = SchedulePage(AppContext(store))
        page.resize(1600, 1000)
        page.show()
        for span in ("month", "week"):
            first, last = range_for(START + timedelta(days=7), span)

            def query(first: date = first, last: date = last) -> None:
                with store.session() as session:
                    load_roster(session, first, last)

            def refresh(span: str = span) -> None:
                page.span = span
                page.anchor = START + timedelta(days=7)
                page.reload()
                page.view.viewport().grab()

            def complete() -> None:
                refresh()
                while page.problems_pending:
                    QApplication.processEvents()

            q = best_of(args.repeat, query)
            r = best_of(args.repeat, refresh)
            c = best_of(args.repeat, complete)
            roster = page.model.roster
            shifts = len({s.id for cell in roster.cells.values() for s in cell})
            print(
                f"{span:5}: {shifts:5} shifts, {page.model.rowCount()} rows;"
                f" core {q * 1000:4.0f} ms, first frame {r * 1000:4.0f} ms"
                f" ({r / max(shifts, 1) * 1e6:.1f} µs per shift), all checked {c * 1000:4.0f} ms"
            )
        store.close()


if __name__ == "__main__":
    main()
