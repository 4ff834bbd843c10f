"""``python -m bench``: every hot path beside its floor, as one table.

Each row runs on a store generated with fixed seeds in a temporary directory,
several times (min / median), beside its floor measured in the same run: the
least the same work can cost here (raw SQLite, typed XlsxWriter writes, a trivial
Qt window, ``GET /health``). The ratio of min to floor is the figure to compare
across machines; ``met`` says whether the median (or only the best run) is within
the target.

``--quick`` runs each row once on tiny stores: a smoke run that checks every
benchmark still runs (CI runs it; it asserts no time). ``--only WORD`` runs the
groups whose name holds WORD (app, reports, templates, autofill, server).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.runner import Row, Sizes, table


def _demo_store(tmp: Path, sizes: Sizes) -> Path:
    from bench.desktop_rows import demo_start
    from core.demo import build_demo
    from core.store import open_store

    path = tmp / "demo.shiftdesk"
    store = open_store(path)
    try:
        build_demo(store, employees=sizes.people, weeks=sizes.weeks, seed=1, start=demo_start())
    finally:
        store.close()
    return path


def _app(sizes: Sizes, tmp: Path) -> list[Row]:
    from bench.desktop_rows import cold_start, month_grid

    path = _demo_store(tmp, sizes)
    return cold_start(path, sizes) + month_grid(path, sizes)


def _reports(sizes: Sizes, tmp: Path) -> list[Row]:
    from bench.desktop_rows import demo_start
    from bench.report_rows import payroll_rows, xlsx_rows

    path = _demo_store(tmp, sizes)
    rows, report = payroll_rows(path, demo_start(), sizes)
    return rows + xlsx_rows(report, sizes)


def _templates(sizes: Sizes, tmp: Path) -> list[Row]:
    from bench.template_rows import template_rows

    return template_rows(sizes)


def _autofill(sizes: Sizes, tmp: Path) -> list[Row]:
    from bench.autofill import autofill_rows

    return autofill_rows(sizes, tmp)


def _server(sizes: Sizes, tmp: Path) -> list[Row]:
    from bench.server_rows import server_rows

    return server_rows(sizes)


GROUPS: dict[str, Callable[[Sizes, Path], list[Row]]] = {
    "app": _app,
    "reports": _reports,
    "templates": _templates,
    "autofill": _autofill,
    "server": _server,
}


def machine() -> str:
    cores = os.cpu_count() or 0
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cores} cores, Python {python}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--repeat", type=int, help="runs per row (default 3; 1 with --quick)")
    parser.add_argument("--only", action="append", default=[], help="groups: " + ", ".join(GROUPS))
    args = parser.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes()
    if args.repeat:
        sizes = Sizes(**{**sizes.__dict__, "repeat": args.repeat})
    chosen = [g for g in GROUPS if not args.only or any(w in g for w in args.only)]
    rows: list[Row] = []
    began = time.perf_counter()
    for group in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"[{group}] …", file=sys.stderr, flush=True)
            rows.extend(GROUPS[group](sizes, Path(tmp)))
    spent = timedelta(seconds=round(time.perf_counter() - began))
    kind = "quick run (tiny sizes: no figure means anything)" if args.quick else "full run"
    print(f"{machine()}; {kind}; min / median of {sizes.repeat}; took {spent}\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
