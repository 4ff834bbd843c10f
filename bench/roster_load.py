"""How long the schedule grid takes to load a month for 500 people (fixed seed).

Run: ``python bench/roster_load.py [--employees N]``. Builds a demo store in a
temporary directory, then times ``core.roster.load_roster`` for a month and a
week and prints the ratio per shift, so machines can be compared.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from core.demo import build_demo
from core.roster import load_roster, range_for
from core.store import open_store

START = date(2026, 3, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.shiftdesk")
        build_demo(store, employees=args.employees, weeks=6, seed=1, start=START)
        for span in ("month", "week"):
            first, last = range_for(START + timedelta(days=7), span)
            best = float("inf")
            for _ in range(args.repeat):
                began = time.perf_counter()
                with store.session() as session:
                    roster = load_roster(session, first, last)
                best = min(best, time.perf_counter() - began)
            shifts = len({s.id for cell in roster.cells.values() for s in cell})
            print(
                f"{span}: {shifts} shifts, {len(roster.problems)} with problems,"
                f" best {best * 1000:.0f} ms, {best / max(shifts, 1) * 1e6:.1f} µs per shift"
            )
        store.close()


if __name__ == "__main__":
    main()
