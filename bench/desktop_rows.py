"""The app's rows: cold start to the first frame, and the month grid.

Cold start is timed from outside: a new Python process opens the app on the
demo store (``shiftdesk --db``'s path through ``desktop.app``), shows the main
window and paints it once, then says so on stdout; the parent times from the
spawn to that line. Its floor is a process that shows and paints a trivial Qt
window the same way. Each is started once untimed first (bytecode cached, as
after the first start on a person's machine). The child also reports its peak
RSS and whether alembic or the server were imported, which the app has no use
for on a store at head.

The month grid is timed through the Schedule page's public refresh (as
``bench/roster_load.py`` does), beside the raw fetch of the month's shifts.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.runner import Row, Sizes, runs

ROOT = Path(__file__).resolve().parent.parent


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SHIFTDESK_DB", None)
    # As on a person's machine, where bytecode is cached after the first start: with
    # PYTHONDONTWRITEBYTECODE every start would compile ShiftDesk's modules again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(home / "config")  # QSettings of the child, not the user's
    env["XDG_DATA_HOME"] = str(home / "data")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _spawn(code: str, home: Path) -> tuple[float, str]:
    """Seconds from starting ``python -c code`` to its first line of output."""
    import time

    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(home),
        cwd=home,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    took = time.perf_counter() - began
    _, err = child.communicate(timeout=60)
    if child.returncode != 0 or not line.startswith("frame"):
        raise RuntimeError(f"the child did not paint: {line!r} {err[-2000:]}")
    return took, line.strip()


FLOOR = """
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
window = QWidget()
window.resize(1440, 900)
window.show()
app.processEvents()
window.grab()
print("frame", flush=True)
import os; os._exit(0)
"""

APP = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from desktop.app import application, open_first_store, start_window
from desktop.context import AppContext
app = application()
store = open_first_store(Path({path!r}), named=True)
window = start_window(app, AppContext(store), QSettings())
app.processEvents()
window.grab()
import resource
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
heavy = sorted(m for m in ("alembic", "mako", "server", "fastapi", "uvicorn") if m in sys.modules)
print("frame", rss, ",".join(heavy) or "-", flush=True)
import os; os._exit(0)
"""


def demo_start() -> date:
    """The demo's first Monday: five weeks back, so the week shown at start has shifts
    and the month before it has its punches."""
    today = date.today()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=5)


def cold_start(store_path: Path, sizes: Sizes) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        _spawn(FLOOR, home)  # untimed: caches bytecode, as a first start would
        _spawn(APP.format(path=str(store_path)), home)
        floor = min(_spawn(FLOOR, home)[0] for _ in range(sizes.repeat))
        times, said = [], ""
        for _ in range(sizes.repeat):
            took, said = _spawn(APP.format(path=str(store_path)), home)
            times.append(took)
    _, rss, heavy = said.split()
    note = f"peak RSS {rss} MB; imported: {heavy}"
    return [
        Row(
            f"cold start to first frame ({sizes.people} people)",
            times,
            floor,
            "< 2 s",
            2.0,
            note=note,
        )
    ]


def month_grid(store_path: Path, sizes: Sizes) -> list[Row]:
    """The Schedule page showing a month: load, model, row heights, one paint."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from core.bulk import gc_paused
    from core.store import open_store
    from desktop.app import application
    from desktop.context import AppContext
    from desktop.schedule.page import SchedulePage

    application()
    store = open_store(store_path, create=False)
    anchor = demo_start() + timedelta(weeks=2)
    try:
        page = SchedulePage(AppContext(store))
        page.resize(1600, 1000)
        page.show()

        def refresh() -> None:
            page.span = "month"
            page.anchor = anchor
            page.reload()
            page.view.viewport().grab()

        refresh()  # the first one pays for imports and caches
        # As in the app, whose collector (desktop.collector) keeps Python's automatic
        # collection off and collects between two events of the UI thread: here
        # before each run, as runs() does.
        with gc_paused():
            times = runs(refresh, sizes.repeat)
        shifts = len({s.id for cell in page.model.roster.cells.values() for s in cell})
        first = anchor.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        page.close()
        page.deleteLater()
    finally:
        store.close()

    def raw() -> None:
        conn = sqlite3.connect(store_path)
        try:
            conn.execute(
                "SELECT s.*, se.employee_id FROM shift s"
                " LEFT JOIN shift_employee se ON se.shift_id = s.id"
                " WHERE s.shift_date BETWEEN ? AND ? AND s.deleted = 0",
                (first.isoformat(), last.isoformat()),
            ).fetchall()
        finally:
            conn.close()

    floor = min(runs(raw, max(3, sizes.repeat)))
    return [
        Row(
            f"month grid, {sizes.people} people ({shifts} shifts): load + model + paint",
            times,
            floor,
            "< 150 ms",
            0.150,
            unit="ms",
            note="floor: raw fetch of the month's shifts",
        )
    ]
