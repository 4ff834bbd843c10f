"""Employment dates: the one place that says whether a person works for the company
on a day, and how to say why not.

A person is employed from ``employment_start`` to ``employment_end``, both days
included (local days of their site, as a shift's date is); a missing start or end
is open-ended. The schedule's rules (:mod:`core.conflicts`), attendance, payroll
and auto-fill all ask :func:`employed_on`, so they cannot disagree about a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


class HasEmployment(Protocol):
    @property
    def employment_start(self) -> date | None: ...

    @property
    def employment_end(self) -> date | None: ...


@dataclass(frozen=True)
class Employment:
    """A person's employment as plain values (what bulk checks keep per person)."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def of(cls, employee: HasEmployment) -> Employment:
        return cls(employee.employment_start, employee.employment_end)

    def covers(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def outside(self, who: str, day: date) -> str | None:
        """Why ``who`` cannot work on ``day`` ("Mia starts on 5 Dec"), or None if they can."""
        why = self._why_not(day)
        return None if why is None else f"{who} {why}"

    def off_on(self, day: date) -> str | None:
        """Why nobody can put this person on ``day``, said of a day in their row
        ("Starts on 5 Dec 2026", "Left on 30 Nov 2026"), or None if they can."""
        why = self._why_not(day)
        return None if why is None else why[:1].upper() + why[1:]

    def _why_not(self, day: date) -> str | None:
        if self.start is not None and day < self.start:
            return f"starts on {_day(self.start)}"
        if self.end is not None and day > self.end:
            return f"left on {_day(self.end)}"
        return None

    @property
    def span(self) -> str:
        """The dates as a list shows them: "from 5 Dec 2026", "until 30 Nov 2026",
        "5 Dec 2026 – 30 Nov 2027", or "" for someone with neither."""
        if self.start is not None and self.end is not None:
            return f"{_day(self.start)} – {_day(self.end)}"
        if self.start is not None:
            return f"from {_day(self.start)}"
        if self.end is not None:
            return f"until {_day(self.end)}"
        return ""


#: Employed on every day: a person with neither date (everyone from before they were kept).
OPEN_ENDED = Employment()


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def employed_on(employee: HasEmployment, day: date) -> bool:
    """Whether the person is employed on this (local) day, first and last day included."""
    return Employment.of(employee).covers(day)


def employment_problem(start: date | None, end: date | None) -> str | None:
    """What is wrong with a start and end together (the end before the start), if anything."""
    if start is not None and end is not None and end < start:
        return f"the employment would end ({_day(end)}) before it starts ({_day(start)})"
    return None
