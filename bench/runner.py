"""The suite's small runner: timing over ``time.perf_counter``, rows, the table.

A row is one piece of work timed several times (min / median), beside its floor:
the least the same work can cost on this machine (SQLite or XlsxWriter or a
trivial window doing only the unavoidable part), timed in the same run. The
ratio of the work's min to its floor is what compares across machines and loads.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sizes:
    """How big each generated store is, and how often each piece of work runs."""

    repeat: int = 3
    people: int = 500  # the demo store: month grid, cold start, attendance, payroll
    weeks: int = 6
    template_people: int = 1000  # one template application per person
    template_weeks: int = 52  # two shifts a week: about 104,000 shifts
    undo_people: int = 100  # a daily template for a year: 36,500 shifts
    undo_days: int = 365
    hovers: int = 200  # drop-target checks per run
    feed_records: int = 53_000
    writes: int = 300  # new shifts over HTTP, each a POST and a PATCH: 600 writes a run

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            repeat=1,
            people=12,
            weeks=2,
            template_people=10,
            template_weeks=4,
            undo_people=5,
            undo_days=20,
            hovers=5,
            feed_records=300,
            writes=20,
        )


@dataclass
class Row:
    """One line of the table. ``times`` are in seconds, one per run."""

    name: str
    times: list[float]
    floor: float | None
    target: str
    #: The target as a bound on the same figure, to say whether it is met; None: no bound.
    limit: float | None = None
    #: How the figure reads: "s", "ms" (per item), or "/s" (rate: items per second).
    unit: str = "s"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor <= 0:
            return None
        return self.best / self.floor

    def verdict(self) -> str:
        """'yes' when the median meets the target, 'min' when only the best run does."""
        if self.limit is None:
            return "—"
        if self.median < self.limit:
            return "yes"
        return "min only" if self.best < self.limit else "no"


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    value = work()
    return time.perf_counter() - began, value


def runs(work: Callable[[], Any], repeat: int, *, collect: bool = True) -> list[float]:
    """Seconds of ``repeat`` runs of ``work``; garbage from earlier work is collected
    first, so one run does not pay for another's."""
    spent = []
    for _ in range(repeat):
        if collect:
            gc.collect()
        took, _ = timed(work)
        spent.append(took)
    return spent


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _figure(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "—"
    if unit == "ms":
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.3f} s"


def table(rows: list[Row]) -> str:
    """The Markdown table the suite prints (and bench/RESULTS.md keeps)."""
    lines = [
        "| work | min | median | floor | ratio | target | met | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.1f}×"
        lines.append(
            f"| {row.name} | {_figure(row.best, row.unit)} | {_figure(row.median, row.unit)}"
            f" | {_figure(row.floor, row.unit)} | {ratio} | {row.target} | {row.verdict()}"
            f" | {row.note} |"
        )
    return "\n".join(lines)
