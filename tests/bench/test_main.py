"""``python -m bench --quick``: every benchmark of the suite still runs (never a time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: A phrase of each row the suite prints.
ROWS = (
    "cold start to first frame",
    "month grid",
    "attendance + payroll",
    "payroll .xlsx export",
    "template applications",
    "drop-target check",
    "undo of a",
    "auto-fill of",
    "auto-fill apply",
    "auto-fill undo",
    "auto-fill redo",
    "change feed",
    "first download",
    "no-op sync",
    "server writes",
)


@pytest.mark.slow
def test_the_quick_run_prints_every_row() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("SHIFTDESK_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| work | min | median | floor | ratio | target |")
    for phrase in ROWS:
        assert sum(phrase in line for line in table) == 1, f"no row for {phrase!r}"
    assert len(table) == len(ROWS) + 1
