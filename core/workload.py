"""How much one shift and one week ask of a person: soft limits, never refusals.

Two warnings join the rest-time and days-in-a-row ones wherever a shift is
checked (the shift dialog, a drop, a template's dry run, the server): a shift
longer than the store's limit (``PayPolicy.max_shift_hours``, 12 h unless set;
0 turns it off), and a week in which the person would work more hours than
their contract says (``Employee.contract_hours``; 0 means no contract to pass).

The hours of a week are counted from the :class:`~core.conflicts.ConflictIndex`
the check already loaded, plus what a bulk operation added to it, and the limits
came with that index (:meth:`Workload.of`), so a check asks the store for nothing
more. The index reaches the whole of the shift's week, however few days the
days-in-a-row rule looks at (:func:`core.conflicts.load_index`).
Hours are the shifts' real lengths (an overnight shift over a clock change lasts
what it lasts), in the policy's week (``PayPolicy.week_start``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from core.conflicts import DEFAULT_MAX_SHIFT_HOURS, Busy, ConflictIndex, Proposed, RosterRules
from core.models import Employee
from core.results import RuleWarning
from core.timeutil import week_start

HOUR = timedelta(hours=1)


@dataclass
class Workload:
    """The limits of the people a check is about, and the hours of their weeks as
    the index knows them, counted once per person and kept up to date as a bulk
    operation accepts shifts (:meth:`add`)."""

    max_shift: timedelta | None = timedelta(hours=float(DEFAULT_MAX_SHIFT_HOURS))
    contract: Mapping[str, Decimal] = field(default_factory=dict)
    first_weekday: int = 0
    #: person -> week start -> [(shift or proposal id, length)]
    _weeks: dict[str, dict[date, list[tuple[str, timedelta]]]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, session: Session, company_id: str | None, employee_ids: Iterable[str]
    ) -> Workload:
        """The store's limits for these people: two small queries."""
        rules = RosterRules.for_company(session, company_id)
        ids = list(dict.fromkeys(employee_ids))
        contract = dict(session.execute(_CONTRACTS, {"ids": ids}).all()) if ids else {}
        return cls.limits(rules, contract)

    @classmethod
    def of(cls, index: ConflictIndex) -> Workload:
        """The limits of the people ``index`` loaded, as it loaded them: no query."""
        return cls.limits(index.rules, index.contract)

    @classmethod
    def limits(cls, rules: RosterRules, contract: Mapping[str, Decimal]) -> Workload:
        hours = rules.max_shift_hours
        return cls(
            max_shift=timedelta(hours=float(hours)) if hours and hours > 0 else None,
            contract=contract,
            first_weekday=rules.week_start,
        )

    def warnings(
        self,
        index: ConflictIndex,
        people: Collection[str],
        start: datetime,
        end: datetime,
        day: date,
        exclude: frozenset[str] = frozenset(),
    ) -> tuple[RuleWarning, ...]:
        """A shift of these people from ``start`` to ``end`` on ``day``; the shifts in
        ``exclude`` (the one being edited) do not count towards the week."""
        found: list[RuleWarning] = []
        length = end - start
        first = next(iter(people), "")
        if self.max_shift is not None and length > self.max_shift:
            found.append(
                RuleWarning(
                    "long_shift",
                    first,
                    f"lasts {_hours(length)} h, longer than {_hours(self.max_shift)} h",
                )
            )
        monday = week_start(day, self.first_weekday)
        for person in people:
            limit = self.contract.get(person)
            if not limit or limit <= 0:
                continue
            week = self._week(index, person).get(monday, [])
            worked = sum((hours for sid, hours in week if sid not in exclude), timedelta())
            total, allowed = worked + length, timedelta(hours=float(limit))
            if total > allowed:
                found.append(
                    RuleWarning(
                        "over_contract",
                        person,
                        f"{index.names.get(person, 'this employee')} would work"
                        f" {_hours(total)} h in the week of {monday:%a %d %b},"
                        f" over the {_hours(allowed)} h of their contract",
                    )
                )
        return tuple(found)

    def within_contract(
        self, index: ConflictIndex, person: str, proposed: Iterable[Proposed]
    ) -> bool:
        """Whether every week stays within the person's contract even with all of
        ``proposed`` worked (and what ``index`` holds): then no :meth:`warnings`
        of one of them says ``over_contract`` for this person, whichever others
        were accepted before it (see :meth:`ConflictIndex.undisturbed`)."""
        limit = self.contract.get(person)
        if not limit or limit <= 0:
            return True
        # Weeks by number, the days since a week's first day before 1 Jan 1 AD over 7:
        # the same weeks as week_start's, without a date made per shift.
        first = 1 + self.first_weekday  # date.fromordinal(1) is a Monday
        weeks: dict[int, timedelta] = defaultdict(timedelta)
        for busy in index.shifts_of(person):
            if busy.day is not None:
                weeks[(busy.day.toordinal() - first) // 7] += busy.end - busy.start
        for start, end, day in proposed:
            weeks[(day.toordinal() - first) // 7] += end - start
        allowed = timedelta(hours=float(limit))
        return all(total <= allowed for total in weeks.values())

    def add(self, busy: Busy) -> None:
        """A shift a bulk operation accepted (and added to its index) counts too."""
        if busy.day is not None and busy.employee_id in self._weeks:
            monday = week_start(busy.day, self.first_weekday)
            self._weeks[busy.employee_id][monday].append((busy.source_id, busy.end - busy.start))

    def _week(self, index: ConflictIndex, person: str) -> dict[date, list[tuple[str, timedelta]]]:
        if person not in self._weeks:
            weeks: dict[date, list[tuple[str, timedelta]]] = defaultdict(list)
            for busy in index.shifts_of(person):
                if busy.day is not None:
                    weeks[week_start(busy.day, self.first_weekday)].append(
                        (busy.source_id, busy.end - busy.start)
                    )
            self._weeks[person] = weeks
        return self._weeks[person]


_EMPLOYEE = Employee.__table__.c
#: People's contract hours (a Core statement, built once: see core.conflicts).
_CONTRACTS = select(_EMPLOYEE.id, _EMPLOYEE.contract_hours).where(
    _EMPLOYEE.id.in_(bindparam("ids", expanding=True))
)


def _hours(length: timedelta) -> str:
    value = length / HOUR
    return f"{value:.1f}".rstrip("0").rstrip(".")
