"""A supervisor's week on the 500-person demo, with the longest UI-thread stall of each step.

Run it on its own (it prints a Markdown table for bench/RESULTS.md):

    PYTHONPATH=. python -m tests.desktop.stall_survey [--people 500] [--runs 2] [--store F]

Each step is started from the event loop, as a click would start it, and measured
by :class:`tests.desktop.freeze_watch.FreezeWatch` until its background writes are
done and the window has been quiet a while. ``free`` is the longest stall with no
busy indicator showing, with the UI thread's own CPU over that stall in brackets
(much less than the wall figure means the machine's other load or the GIL held
elsewhere, not our work), ``indicated`` the longest one while the window said a
job ran in the background (a write's notice, a page's "Working out…").
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QMessageBox

from tests.desktop.freeze_watch import FreezeWatch, Stalls


def demo_start() -> date:
    """Five weeks back, so this week and the month before it have shifts and punches."""
    today = date.today()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=5)


def build_store(folder: Path, people: int) -> Path:
    from core.demo import build_demo
    from tests.conftest import store_template

    path = folder / f"demo-{people}.shiftdesk"
    return store_template(
        path,
        lambda opened: build_demo(opened, employees=people, weeks=6, seed=1, start=demo_start()),
    )


def _yes(box: QMessageBox | None) -> None:
    if box is not None:
        box.button(QMessageBox.StandardButton.Yes).click()


def survey(path: Path, folder: Path) -> list[Stalls]:
    from core.store import open_store
    from desktop.app import application, start_window
    from desktop.context import AppContext
    from desktop.mainwindow import MainWindow
    from tests.desktop.helpers import drop

    app = application()
    store = open_store(path, create=False)
    context = AppContext(store)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    holder: dict[str, MainWindow] = {}

    def busy() -> bool:
        window = holder.get("window")
        if window is None:
            return context.busy
        built = window.pages.built_keys()  # (asking ``pages`` for a page would build it)
        # The pages' own indicators: the export panel, "Working out attendance…".
        exporting = "payroll" in built and window.pages["payroll"].job is not None
        working = any(
            getattr(window.pages[key], "loading", False)
            for key in ("attendance", "payroll")
            if key in built
        )
        return context.busy or exporting or working

    watch = FreezeWatch(busy)
    results: list[Stalls] = []

    def step(name: str, action: Callable[[], object], settled: Callable[[], bool] = lambda: True):
        results.append(watch.measure(name, action, settled))
        print(results[-1].row(), flush=True)  # as it goes, for a long survey

    def open_window() -> None:  # as desktop.app.main opens it
        holder["window"] = start_window(app, context, settings)
        holder["window"].resize(1560, 1000)

    step("open the app (first window)", open_window)
    window = holder["window"]
    page = window.pages["schedule"]

    def schedule_settled() -> bool:
        return not page.problems_pending and not page.labour_pending

    def span(name: str) -> Callable[[], None]:
        return lambda: page.set_span(name)

    for name in ("two_weeks", "month", "week"):
        step(f"Schedule: show {name}", span(name), schedule_settled)
    step("Schedule: next range", lambda: page.go(1), schedule_settled)
    step("Schedule: previous range", lambda: page.go(-1), schedule_settled)
    step("Schedule: Today", page.go_today, schedule_settled)
    step(
        "Schedule: type a name filter", lambda: page.bar.name_edit.setText("anna"), schedule_settled
    )
    step(
        "Schedule: clear the name filter", lambda: page.bar.name_edit.setText(""), schedule_settled
    )
    step(
        "Schedule: pick a department",
        lambda: page.bar.department_box.setCurrentIndex(1),
        schedule_settled,
    )
    step(
        "Schedule: all departments",
        lambda: page.bar.department_box.setCurrentIndex(0),
        schedule_settled,
    )
    step("Schedule: only problems", lambda: page.show_only_problems(True), schedule_settled)
    step("Schedule: all rows", lambda: page.show_only_problems(False), schedule_settled)

    def pick():
        """A draft of the shown range (else any shift) with its person and day, and a
        day of the range with nothing on it for that person: what the edits act on."""
        roster = page.model.roster
        filled = sorted(((k, c) for k, c in roster.cells.items() if c), key=lambda kc: kc[0][1])
        (emp, day), (shift, *_) = next(
            ((k, c) for k, c in filled if not c[0].published and len(c) == 1), filled[0]
        )
        return emp, day, shift, next(d for d in roster.days if not roster.shifts(emp, d))

    emp, _day, shift, free_day = pick()
    stack = context.undo_stack
    dialogs: list = []

    def open_dialog() -> None:
        dialogs.append(page.open_edit_dialog(shift.id, emp))

    def save_dialog() -> None:
        dialog = dialogs[-1]
        dialog.notes.setPlainText("Swapped with Ben")
        dialog.accept()

    step("Shift dialog: open", open_dialog, schedule_settled)
    step("Shift dialog: save an edit", save_dialog, schedule_settled)
    step("Undo the edit", stack.undo, schedule_settled)
    step("Redo the edit", stack.redo, schedule_settled)
    step("Drag-drop move", lambda: drop(page, shift.id, emp, emp, free_day), schedule_settled)
    step("Undo the move", stack.undo, schedule_settled)
    step("Redo the move", stack.redo, schedule_settled)
    step("Delete a shift", lambda: page.delete_shifts([shift.id]), schedule_settled)
    step("Undo the delete", stack.undo, schedule_settled)
    step("Redo the delete", stack.redo, schedule_settled)
    step("Publish (confirmed)", lambda: _yes(page.publish_range()), schedule_settled)
    step("Undo publish", stack.undo, schedule_settled)
    step("Redo publish", stack.redo, schedule_settled)
    step("Schedule: next range (empty week)", lambda: page.go(1), schedule_settled)
    step("Copy last week (confirmed)", lambda: _yes(page.copy_previous_week()), schedule_settled)
    step("Undo copy", stack.undo, schedule_settled)
    step("Redo copy", stack.redo, schedule_settled)

    for key in ("people", "templates", "leave", "attendance", "payroll", "sync"):
        step(f"Open {key}", lambda key=key: window.show_view(key))
    attendance = window.pages["attendance"]
    step("Attendance: month period", lambda: attendance.period.set_span("month"))
    payroll = window.pages["payroll"]
    step("Payroll: previous month", lambda: payroll.period.go(-1))
    step(
        "Payroll: export .xlsx",
        lambda: payroll.export_to(folder / "payroll.xlsx"),
        lambda: payroll.job is None and not getattr(payroll, "loading", False),
    )
    step("Back to Schedule", lambda: window.show_view("schedule"), schedule_settled)
    # The same edits once every page has been opened (a supervisor's usual state).
    emp, _day, shift, free_day = pick()
    step(
        "Drag-drop move, every page built",
        lambda: drop(page, shift.id, emp, emp, free_day),
        schedule_settled,
    )
    step("Undo it, every page built", stack.undo, schedule_settled)
    step("Publish, every page built", lambda: _yes(page.publish_range()), schedule_settled)
    window.close()
    window.deleteLater()  # its timers stop before the store closes
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    store.close()
    return results


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def table(runs: list[list[Stalls]]) -> list[str]:
    """One row a step: each run's longest free stall with its CPU, and the longest
    indicated one; a step is a freeze of its own when every run says so."""
    head = " | ".join(f"run {n + 1}: free (CPU)" for n in range(len(runs)))
    lines = [f"| step | {head} | indicated, longest |", "|---" * (len(runs) + 2) + "|"]
    for steps in zip(*runs, strict=True):
        free = " | ".join(f"{_ms(s.longest.wall)} ({_ms(s.longest.cpu)}) ms" for s in steps)
        busy = max(s.longest_indicated.wall for s in steps)
        lines.append(f"| {steps[0].name} | {free} | {f'{_ms(busy)} ms' if busy else '—'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--store", type=Path, help="an existing demo store to copy")
    parser.add_argument("--runs", type=int, default=2, help="whole surveys, each on a fresh copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        template = args.store or build_store(folder, args.people)
        print(f"store ready in {time.perf_counter() - began:.1f} s; load {os.getloadavg()}")
        runs = []
        for n in range(args.runs):
            path = folder / f"survey-{n}.shiftdesk"
            shutil.copyfile(template, path)
            runs.append(survey(path, folder))
        print(f"load average after: {os.getloadavg()}")
        print("\n".join(table(runs)))


if __name__ == "__main__":
    main()
