"""Who takes which open shift: a minimum-cost assignment per day, state carried over.

Each day's open shifts and the people who could work them form an assignment
problem (a cost matrix of :meth:`FillState.option` costs, hard-rule breaches left
out), solved exactly by ``scipy.optimize.linear_sum_assignment``. The day's choices
then join the state (the conflict index, hours, weekends, nights), so the next day
sees them: rest after a night shift, hours toward the contract, days in a row.
A person takes at most one open shift per round; when a day has more open shifts
than people free, further rounds (rechecked against the earlier ones) fill the rest.

OR-Tools CP-SAT over the whole month was measured against this (bench/RESULTS.md):
its model prices each pair once, before the run (carrying hours, rest and days in a
row into it needs far more constraints), took 30 s against 2.5 s here, and, priced
as a run would, cost more and broke the soft rules 2,031 times against none here
(rest and days in a row: measured before core.workload's week-over-contract warning).

:func:`solve_greedy` is the baseline the benchmark compares with: the same costs,
each shift in turn given to the cheapest person free then.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

from core.autofill.problem import FillState, OpenShift, Option, Person
from core.results import Conflict

#: Cost of a pair that breaks a hard rule: never chosen while anything else fits.
_BLOCKED = 1e12


@dataclass(frozen=True)
class Choice:
    option: Option
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Solution:
    chosen: tuple[Choice, ...]
    #: Shifts nobody could take, each with the sentence saying why.
    unfilled: tuple[tuple[OpenShift, str], ...]


def solve(state: FillState, shifts: Sequence[OpenShift], people: Sequence[Person]) -> Solution:
    """Fill ``shifts`` (sorted by start) day by day with minimum total cost."""
    from scipy.optimize import linear_sum_assignment  # heavy: imported when a fill runs

    by_site = _by_site(people)
    chosen: list[Choice] = []
    unfilled: list[tuple[OpenShift, str]] = []
    for _day, day_shifts in groupby(shifts, key=lambda s: s.shift_date):
        waiting = list(day_shifts)
        blocked: dict[str, list[Conflict]] = {}
        while waiting:
            # A shift's k cheapest people, k the shifts still waiting: an optimal
            # assignment never needs anyone beyond them (one of a shift's k is
            # always left by the other k - 1 shifts).
            rows = []
            twins: dict[tuple, tuple[list[Option], list[Conflict]]] = {}
            for shift in waiting:
                # Shifts alike in all that prices them share one ranking.
                key = (shift.site_id, shift.start_utc, shift.end_utc, shift.department_id)
                if key not in twins:
                    people_here = by_site.get(shift.site_id, ())
                    twins[key] = best_options(state, shift, people_here, len(waiting))
                options, blocked[shift.id] = twins[key]
                rows.append(options)
            taken = [
                replace(option, shift=waiting[r])
                for r, option in _assign(rows, linear_sum_assignment)
            ]
            if not taken:
                break
            for option in taken:
                chosen.append(Choice(option, state.explain(option)))
                state.take(option)
            done = {o.shift.id for o in taken}
            waiting = [s for s in waiting if s.id not in done]
        for shift in waiting:
            unfilled.append((shift, why_unfilled(blocked[shift.id], by_site.get(shift.site_id))))
    return Solution(tuple(chosen), tuple(unfilled))


def best_options(
    state: FillState, shift: OpenShift, people: Sequence[Person], k: int
) -> tuple[list[Option], list[Conflict]]:
    """The ``k`` cheapest people who may take ``shift``, cheapest first, and the hard
    rules met on the way (all of them when nobody may).

    People are tried in the order of :meth:`FillState.floors`, the least each can
    cost, and the rules are checked only until nobody left can beat the k-th.
    """
    ranked = sorted(zip(state.floors(shift, people), range(len(people)), strict=True))
    best: list[tuple[float, int, Option]] = []  # a max-heap of the k best, by -cost
    blocked: list[Conflict] = []
    for bound, n in ranked:
        if len(best) >= k and bound >= -best[0][0]:
            break
        found = state.option(people[n], shift)
        if isinstance(found, Conflict):
            blocked.append(found)
        elif len(best) < k:
            heapq.heappush(best, (-found.cost, -n, found))
        elif found.cost < -best[0][0]:
            heapq.heapreplace(best, (-found.cost, -n, found))
    return [o for _c, _n, o in sorted(best, key=lambda e: (-e[0], -e[1]))], blocked


def _assign(rows: list[list[Option]], linear_sum_assignment: Any) -> list[tuple[int, Option]]:
    """The cheapest set of (row, option) pairs, one person per row and one row per
    person, among each row's options."""
    columns = {o.person.id: None for row in rows for o in row}
    if not columns:
        return []
    where = {pid: c for c, pid in enumerate(columns)}
    matrix = [[_BLOCKED] * len(where) for _ in rows]
    for r, row in enumerate(rows):
        for option in row:
            matrix[r][where[option.person.id]] = option.cost
    picked_rows, picked_cols = linear_sum_assignment(matrix)
    by_cell = {(r, where[o.person.id]): o for r, row in enumerate(rows) for o in row}
    return [
        (int(r), by_cell[(r, c)])
        for r, c in zip(picked_rows, picked_cols, strict=True)
        if (r, c) in by_cell
    ]


def solve_greedy(
    state: FillState, shifts: Sequence[OpenShift], people: Sequence[Person]
) -> Solution:
    """The baseline: each shift in time order to the cheapest person free then."""
    by_site = _by_site(people)
    chosen: list[Choice] = []
    unfilled: list[tuple[OpenShift, str]] = []
    for shift in shifts:
        options, blocked = best_options(state, shift, by_site.get(shift.site_id, ()), 1)
        if not options:
            unfilled.append((shift, why_unfilled(blocked, by_site.get(shift.site_id))))
            continue
        chosen.append(Choice(options[0], state.explain(options[0])))
        state.take(options[0])
    return Solution(tuple(chosen), tuple(unfilled))


def _by_site(people: Sequence[Person]) -> dict[str, list[Person]]:
    found: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        found[person.site_id].append(person)
    return found


_KINDS = {
    "overlap": "already work{s} then",
    "leave": "{is_are} on approved leave",
    "inactive": "{is_are} inactive",
    "site": "work{s} at another site",
    "employment": "{is_are} not employed that day",
}


def why_unfilled(blocked: Sequence[Conflict], people: Sequence[Person] | None) -> str:
    """Why nobody can take a shift, counted by rule: "12 people already work then,
    2 are on approved leave"."""
    if not people:
        return "nobody active works at this shift's site"
    if not blocked:
        return "everyone free then was proposed for another shift"
    per_person: dict[str, str] = {}
    for conflict in blocked:
        per_person.setdefault(conflict.employee_id, conflict.kind)
    counts: dict[str, int] = defaultdict(int)
    for kind in per_person.values():
        counts[kind] += 1
    parts = []
    for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        words = _KINDS.get(kind, "cannot take it ({kind})")
        one = n == 1
        text = words.format(s="s" if one else "", is_are="is" if one else "are", kind=kind)
        parts.append(f"{n} {'person' if one else 'people'} {text}")
    free = len(people) - len(per_person)
    if free > 0:
        parts.append(f"the other {free} {'was' if free == 1 else 'were'} proposed elsewhere")
    return "nobody can take it: " + ", ".join(parts)
