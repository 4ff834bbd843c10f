"""A real drag in the Schedule grid, by mouse, under a real X server.

Offscreen, ``QDrag.exec()`` returns at once without dropping, so the other grid
tests hand the view the drag events themselves (tests/desktop/helpers.py). This
one runs the app in its own process on its own Xvfb and drags with xdotool as a
person does: press on the shift, move in steps onto another day and person,
release (holding Ctrl for a copy); then it reads the store with core.

The app side is :func:`run_app`, started as ``python -m tests.desktop.test_real_drag``.
It reports on a JSON-lines file: ``ready`` with the on-screen points of the shift
and of the target cell, and ``hint`` each time the drag's hover feedback changes,
so the test releases the button only once Qt has seen the drag over the target.
It quits by itself once the drop has changed the data.

Without Xvfb or xdotool (Debian packages xvfb, xdotool, libxcb-icccm4,
libxcb-keysyms1, libxcb-cursor0) the tests skip.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.scheduling import live_shifts
from core.store import Store
from tests.conftest import MONDAY, Org
from tests.desktop.helpers import add_shift

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY = MONDAY + timedelta(days=2)
THURSDAY = MONDAY + timedelta(days=3)
SUNDAY = MONDAY + timedelta(days=6)
#: Generous bounds: a cold start of Qt on a loaded CI machine takes seconds.
START_TIMEOUT = 60.0
HOVER_TIMEOUT = 20.0
EXIT_TIMEOUT = 30.0
POLL = 0.05
#: What Qt says when its X11 plugin cannot start (e.g. without libxcb-cursor0)...
XCB_UNLOADABLE = 'Could not load the Qt platform plugin "xcb"'
#: ...and, before that, when it was the X server that could not be reached.
NO_DISPLAY = "could not connect to display"
#: Mouse steps from the shift to the target cell, as a hand moves.
STEPS = 12

#: Seconds per drag (an X server and the app in a process of its own), while the
#: other grid tests drive the same handlers offscreen: left out by ``-m "not slow"``.
pytestmark = pytest.mark.slow


# --- the app side: runs in the child process ------------------------------------------------


class EventLog:
    """One JSON object a line; each line is flushed whole, so a reader sees whole lines."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")

    def write(self, event: str, **fields: Any) -> None:
        self._file.write(json.dumps({"event": event, **fields}) + "\n")
        self._file.flush()


def run_app(db: str, events_path: str, shift_id: str, source: str, target: str, day: str) -> int:
    """The main window on ``db``, showing the week of ``day``; reports where the
    shift (in ``source``'s row) and ``target``'s cell on ``day`` are on screen."""
    from PySide6.QtCore import QPoint, QSettings, QTimer

    from core.store import open_store
    from desktop.app import application
    from desktop.context import AppContext
    from desktop.mainwindow import MainWindow
    from desktop.schedule.page import SchedulePage

    app = application()
    events = EventLog(Path(events_path))
    context = AppContext(open_store(db))
    settings = QSettings(events_path + ".ini", QSettings.Format.IniFormat)
    window = MainWindow(context, settings)
    page = window.pages["schedule"]
    assert isinstance(page, SchedulePage)
    page.anchor = date.fromisoformat(day)
    page.reload()
    view = page.view

    def report_hint(text: str) -> None:
        hint = view.drop_hint
        if hint is None:
            events.write("hint", text=text)
            return
        request = hint.request
        events.write("hint", text=text, employee=request.employee_id, day=request.day.isoformat())

    view.hint_changed.connect(report_hint)
    context.data_changed.connect(lambda _kinds: QTimer.singleShot(0, app.quit))

    def global_point(point: QPoint) -> list[int]:
        mapped = view.viewport().mapToGlobal(point)
        return [mapped.x(), mapped.y()]

    def report_when_exposed() -> None:
        handle = window.windowHandle()
        if handle is None or not handle.isExposed():
            QTimer.singleShot(20, report_when_exposed)
            return
        model = page.model
        cell = view.visualRect(model.index_of(target, date.fromisoformat(day)))
        events.write(
            "ready",
            source=global_point(view.block_center(shift_id, source)),
            target=global_point(cell.center()),
        )

    window.show()
    QTimer.singleShot(0, report_when_exposed)
    try:
        return app.exec()
    finally:
        context.store.close()


# --- the test side --------------------------------------------------------------------------


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a display number it picks itself; it writes the number once it listens.

    ``-noreset``: by default the server resets when its last client leaves, as the
    app does after the drop, and refuses connections (xdotool's) meanwhile."""
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1000x24"]
    server = subprocess.Popen(
        [*command, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        text = b""
        deadline = time.monotonic() + START_TIMEOUT
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                _stop(server)
                raise RuntimeError("Xvfb did not say its display number in time")
            chunk = os.read(read_end, 64)
            if not chunk:
                server.wait()
                raise RuntimeError(f"Xvfb exited with {server.returncode} before it listened")
            text += chunk
        return server, f":{int(text)}"
    finally:
        os.close(read_end)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"a real drag needs {' and '.join(missing)} (Debian packages xvfb, xdotool,"
            " libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0)"
        )
    server, name = _start_xvfb()
    try:
        yield name
    finally:
        _stop(server)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Asked to end first (Xvfb then removes its socket and lock file), killed if it
    does not within a few seconds."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class App:
    """The app in its own process on ``display``, and the mouse and keys of that display."""

    def __init__(self, display: str, tmp_path: Path) -> None:
        self.display = display
        self.events = tmp_path / "events.jsonl"
        self.events.touch()
        self.log = tmp_path / "app.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, store: Store, shift_id: str, source: str, target: str, day: date) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": self.display}
        args = [str(store.path), str(self.events), shift_id, source, target, day.isoformat()]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.desktop.test_real_drag", *args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _stop(self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def xdotool(self, *args: object) -> None:
        subprocess.run(
            ["xdotool", *map(str, args)],
            env={**os.environ, "DISPLAY": self.display},
            check=True,
            timeout=10,
        )

    def _events(self) -> list[dict[str, Any]]:
        text = self.events.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines(keepends=True) if line[-1] == "\n"]

    def wait_for(
        self, timeout: float, event: str, nudge: tuple[int, int] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """The first event of that name and fields, polled until ``timeout``. With
        ``nudge`` the pointer wiggles by a pixel there on each poll, so a drag that
        Qt had not yet picked up gets another motion to see."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        polls = 0
        while time.monotonic() < deadline:
            for seen in self._events():
                if seen["event"] == event and all(seen.get(k) == v for k, v in fields.items()):
                    return seen
            if self.process.poll() is not None:
                self._skip_without_xcb()
                pytest.fail(f"the app exited early ({self.process.returncode}):\n{self.output()}")
            if nudge is not None:
                polls += 1
                self.xdotool("mousemove", nudge[0] + polls % 2, nudge[1])
            time.sleep(POLL)
        pytest.fail(f"no {event} {fields} within {timeout}s; events {self._events()}")

    def _skip_without_xcb(self) -> None:
        """Qt's X11 plugin needs a few xcb libraries and, without them, says it could
        not load; it says so too when the display is unreachable, which is a failure."""
        output = self.output()
        if XCB_UNLOADABLE in output and NO_DISPLAY not in output:
            pytest.skip(
                "a real drag needs Qt's xcb plugin, which could not load"
                " (are libxcb-icccm4, libxcb-keysyms1 and libxcb-cursor0 installed?)"
            )

    def drag(
        self, source: list[int], target: list[int], hint: dict[str, str], *, copy: bool
    ) -> None:
        """Press on ``source``, move to ``target`` in steps, release once the grid shows
        ``hint`` (its text and cell) there. Button and Ctrl are released whatever
        happens: the X server outlives this test."""
        (x0, y0), (x1, y1) = source, target
        keys = ("ctrl",) if copy else ()
        self.xdotool("mousemove", x0, y0)
        for key in keys:
            self.xdotool("keydown", key)
        try:
            self.xdotool("mousedown", 1)
            try:
                for n in range(1, STEPS + 1):
                    x, y = x0 + (x1 - x0) * n // STEPS, y0 + (y1 - y0) * n // STEPS
                    self.xdotool("mousemove", x, y)
                self.wait_for(HOVER_TIMEOUT, "hint", nudge=(x1, y1), **hint)
                self.xdotool("mousemove", x1, y1)
            finally:
                self.xdotool("mouseup", 1)
        finally:
            for key in keys:
                self.xdotool("keyup", key)

    def wait_for_exit(self) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the app did not quit after the drop:\n{self.output()}")


@pytest.fixture
def app(display: str, tmp_path: Path) -> Iterator[App]:
    running = App(display, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def _week(store: Store) -> list[tuple[str, date, tuple[str, ...], bool]]:
    with store.session() as s:
        return [
            (shift.id, shift.shift_date, tuple(shift.employee_ids), shift.published)
            for shift in live_shifts(s, MONDAY, SUNDAY)
        ]


def _drag_shift(
    app: App, store: Store, shift_id: str, source: str, target: str, day: date, *, copy: bool
) -> None:
    app.start(store, shift_id, source, target, day)
    ready = app.wait_for(START_TIMEOUT, "ready")
    verb = "Copy" if copy else "Move"
    hint = {"text": f"{verb} here", "employee": target, "day": day.isoformat()}
    app.drag(ready["source"], ready["target"], hint, copy=copy)
    assert app.wait_for_exit() == 0, app.output()


def test_dragging_a_shift_with_the_mouse_moves_it_to_that_day_and_person(
    app: App, store: Store, org: Org
) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, published=True)
    _drag_shift(app, store, sid, org.anna, org.ben, WEDNESDAY, copy=False)
    assert _week(store) == [(sid, WEDNESDAY, (org.ben,), True)]


def test_ctrl_dragging_a_shift_with_the_mouse_copies_it_and_keeps_the_original(
    app: App, store: Store, org: Org
) -> None:
    sid = add_shift(store, org, MONDAY, "09:00", "17:00", org.anna, published=True)
    _drag_shift(app, store, sid, org.anna, org.cara, THURSDAY, copy=True)
    original, copy = _week(store)
    assert original == (sid, MONDAY, (org.anna,), True)
    assert copy[1:] == (THURSDAY, (org.cara,), False)
    assert copy[0] != sid


if __name__ == "__main__":
    raise SystemExit(run_app(*sys.argv[1:]))
