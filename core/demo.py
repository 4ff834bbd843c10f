"""A realistic, deterministic demo store: the same seed always gives the same company.

A hotel with five departments, RRULE templates, a rota built from them, leave in
every state, punches with some lateness and missing punches, and shifts an approved
leave kept the person on, flagged for the supervisor to find, so every view has
something true to show. Everything goes through core's rules (the rota's checks,
leave's state machine), so the store holds nothing the server would refuse when it
joins a company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import product

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.leave import ClashChoice, approve_leave, reject_leave, request_leave
from core.models import (
    Base,
    ClockEvent,
    Company,
    Department,
    Employee,
    LeaveStatus,
    LeaveType,
    OutboxEntry,
    PayPolicy,
    PunchKind,
    PunchSource,
    ShiftTemplate,
    Site,
    Synced,
    new_id,
)
from core.scheduling import BulkPlan, ShiftDraft, plan_bulk, write_bulk
from core.store import Store
from core.timeutil import utcnow, week_start

#: Who decides the demo's leave.
SUPERVISOR = "demo supervisor"

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Cara",
    "Dan",
    "Eva",
    "Felix",
    "Greta",
    "Hugo",
    "Ida",
    "Jonas",
    "Katja",
    "Leon",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Udo",
    "Vera",
    "Wim",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Aylin",
    "Bruno",
    "Clara",
    "David",
    "Elif",
    "Finn",
    "Hanna",
    "Ilias",
    "Jana",
    "Karl",
    "Lena",
    "Milan",
    "Nora",
    "Oskar",
    "Pia",
    "Rafael",
    "Sofia",
    "Timo",
    "Ulla",
    "Valentin",
    "Wanda",
]
LAST_NAMES = [
    "Berg",
    "Cole",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jansen",
    "Kaya",
    "Lange",
    "Meyer",
    "Novak",
    "Okafor",
    "Petrov",
    "Quist",
    "Richter",
    "Schulz",
    "Tanaka",
    "Ulrich",
    "Vogel",
    "Weber",
    "Yilmaz",
    "Zimmermann",
    "Braun",
    "Costa",
    "Dubois",
    "Engel",
    "Frank",
    "Graf",
    "Haas",
    "Klein",
    "Lorenz",
    "Moreau",
    "Nowak",
    "Otto",
    "Peters",
    "Roth",
    "Sauer",
]


@dataclass(frozen=True)
class _Pattern:
    """One template of a department: local times and the weekdays it recurs on."""

    name: str
    start: str
    end: str
    byday: tuple[str, ...]

    @property
    def rrule(self) -> str:
        return "FREQ=WEEKLY;BYDAY=" + ",".join(self.byday)


_WEEK = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DEPARTMENTS: dict[str, tuple[str, tuple[_Pattern, ...]]] = {
    "Front Desk": (
        "#3b82c4",
        (
            _Pattern("Front desk early", "06:30", "14:30", _WEEK),
            _Pattern("Front desk late", "14:30", "22:30", _WEEK),
            _Pattern("Night audit", "22:30", "06:30", _WEEK),
        ),
    ),
    "Kitchen": (
        "#d9822b",
        (
            _Pattern("Breakfast line", "05:30", "13:30", _WEEK),
            _Pattern("Dinner line", "15:00", "23:00", ("TU", "WE", "TH", "FR", "SA", "SU")),
        ),
    ),
    "Housekeeping": (
        "#2f9e74",
        (_Pattern("Rooms", "08:00", "16:00", _WEEK),),
    ),
    "Restaurant": (
        "#8e5bd0",
        (
            _Pattern("Lunch service", "10:30", "16:30", _WEEK),
            _Pattern("Dinner service", "17:00", "23:30", ("TU", "WE", "TH", "FR", "SA", "SU")),
        ),
    ),
    "Maintenance": (
        "#6b7785",
        (_Pattern("Day maintenance", "07:00", "15:30", ("MO", "TU", "WE", "TH", "FR")),),
    ),
}


def build_demo(
    store: Store,
    *,
    employees: int = 40,
    weeks: int = 6,
    seed: int = 1,
    start: date | None = None,
) -> None:
    """Fill an empty store; ``start`` (default: last week's Monday) begins the rota."""
    if employees < 1 or weeks < 1:
        raise ValueError("a demo needs at least one employee and one week")
    rng = random.Random(seed)
    first = week_start(start) if start else week_start(date.today()) - timedelta(days=7)
    with store.session() as session:
        _Demo(session, rng, first, weeks).build(employees)


class _Demo:
    def __init__(self, session: Session, rng: random.Random, first: date, weeks: int) -> None:
        self.s = session
        self.rng = rng
        self.first = first
        self.last = first + timedelta(days=7 * weeks - 1)

    def build(self, employee_count: int) -> None:
        company = Company(name="Harbourview Hotel", currency="EUR")
        self.s.add(company)
        self.s.flush()
        site = Site(company_id=company.id, name="Harbourview", timezone="Europe/Berlin")
        self.s.add(site)
        # The demo's people punch a 30-minute break on shifts of 6 h or more; the
        # policy says so, so the labour forecast deducts it as payroll does.
        self.s.add(PayPolicy(company_id=company.id, unpaid_break_minutes=30))
        self.s.flush()
        self.company, self.site = company, site
        teams = self._departments_and_people(employee_count)
        drafts = self._rota(teams)
        plan = plan_bulk(self.s, drafts)
        write_bulk(self.s, plan)
        self._leave(teams, plan)
        self._punches(plan)
        self._settle()

    def _settle(self) -> None:
        """A demo starts with nothing waiting to sync: it is nobody's offline work."""
        self.s.flush()
        for mapper in Base.registry.mappers:
            if issubclass(mapper.class_, Synced):
                self.s.execute(update(mapper.class_).values(dirty=False))
        self.s.execute(delete(OutboxEntry))

    def _departments_and_people(self, count: int) -> list[tuple[Department, list[Employee]]]:
        teams = []
        names = list(DEPARTMENTS)
        for name, (color, patterns) in DEPARTMENTS.items():
            dept = Department(
                company_id=self.company.id, site_id=self.site.id, name=name, color=color
            )
            self.s.add(dept)
            self.s.flush()
            for pattern in patterns:
                self.s.add(
                    ShiftTemplate(
                        company_id=self.company.id,
                        site_id=self.site.id,
                        name=pattern.name,
                        description=f"{name}: {pattern.start}–{pattern.end}",
                        start_time=pattern.start,
                        end_time=pattern.end,
                        rrule=pattern.rrule,
                        dtstart=self.first,
                        department_id=dept.id,
                        location=name,
                    )
                )
            teams.append((dept, []))
        self.s.flush()
        pairs = list(product(FIRST_NAMES, LAST_NAMES))
        chosen = self.rng.sample(pairs, min(count, len(pairs)))
        for n in range(count):
            dept, people = teams[n % len(names)]
            first, last = chosen[n % len(chosen)]
            hours = self.rng.choice((Decimal(40), Decimal(40), Decimal(30), Decimal(20)))
            emp = Employee(
                company_id=self.company.id,
                site_id=self.site.id,
                department_id=dept.id,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@harbourview.example".lower(),
                code=f"E{n + 1:04d}",
                hourly_rate=Decimal(self.rng.randrange(1450, 2600)) / 100,
                contract_hours=hours,
            )
            self.s.add(emp)
            people.append(emp)
        self.s.flush()
        return teams

    def _rota(self, teams: list[tuple[Department, list[Employee]]]) -> list[ShiftDraft]:
        """Each person keeps one pattern and works about contract_hours/8 days a week."""
        drafts = []
        for dept, people in teams:
            patterns = DEPARTMENTS[dept.name][1]
            for i, emp in enumerate(people):
                pattern = patterns[i % len(patterns)]
                days_a_week = max(2, min(5, int(emp.contract_hours) // 8))
                offset = self.rng.randrange(7)
                day = self.first
                while day <= self.last:
                    weekday = (day.weekday() - offset) % 7
                    if _WEEK[day.weekday()] in pattern.byday and weekday < days_a_week:
                        drafts.append(
                            ShiftDraft(
                                site_id=self.site.id,
                                shift_date=day,
                                start_time=pattern.start,
                                end_time=pattern.end,
                                employee_ids=(emp.id,),
                                location=dept.name,
                                department_id=dept.id,
                                published=day < self.last - timedelta(days=6),
                            )
                        )
                    day += timedelta(days=1)
        return drafts

    def _leave(self, teams: list[tuple[Department, list[Employee]]], plan: BulkPlan) -> None:
        """Requests in every state. Sick leave starts on a day the person works, and
        its approval keeps them on that shift, flagged: a clash left for the
        supervisor to find, as core's rules allow one."""
        people = [e for _, team in teams for e in team]
        workdays: dict[str, list[date]] = {}
        for placed in plan.accepted:
            for emp_id in placed.draft.employee_ids:
                workdays.setdefault(emp_id, []).append(placed.draft.shift_date)
        states = (
            (LeaveStatus.APPROVED, LeaveType.PAID),
            (LeaveStatus.PENDING, LeaveType.PAID),
            (LeaveStatus.APPROVED, LeaveType.SICK),
            (LeaveStatus.REJECTED, LeaveType.UNPAID),
            (LeaveStatus.PENDING, LeaveType.UNPAID),
        )
        for n, (status, kind) in enumerate(states * max(1, len(people) // 20)):
            emp = people[(n * 7) % len(people)]
            begin = self.first + timedelta(
                days=self.rng.randrange(0, (self.last - self.first).days)
            )
            if kind == LeaveType.SICK and workdays.get(emp.id):
                begin = self.rng.choice(workdays[emp.id])
            # Asked as anyone asks: refused, and left out, where it overlaps another
            # open request of the person, so the demo never pays a day of leave twice.
            try:
                asked = request_leave(
                    self.s,
                    employee_id=emp.id,
                    leave_type=kind,
                    start_date=begin,
                    end_date=min(self.last, begin + timedelta(days=self.rng.randrange(0, 4))),
                    reason="Family visit" if kind == LeaveType.PAID else "",
                )
            except ValidationError:
                continue
            self.s.flush()
            self._decide(asked.ids[0], status)

    def _decide(self, leave_id: str, status: LeaveStatus) -> None:
        """Decide as a supervisor does, through leave's state machine: an approval
        keeps the person on the shifts it covers, each flagged for a second look."""
        if status == LeaveStatus.APPROVED:
            approve_leave(self.s, leave_id, actor=SUPERVISOR, on_clash=ClashChoice.KEEP)
        elif status == LeaveStatus.REJECTED:
            reject_leave(self.s, leave_id, actor=SUPERVISOR)
        self.s.flush()

    def _punches(self, plan: BulkPlan) -> None:
        """Punches for shifts that have ended: mostly on time, some late, some forgotten."""
        now = utcnow()
        rows = []
        for placed in plan.accepted:
            if placed.end_utc > now or not placed.draft.employee_ids:
                continue
            emp = placed.draft.employee_ids[0]
            roll = self.rng.random()
            if roll < 0.03:
                continue  # absent
            late = self.rng.choice((7, 12, 25)) if roll < 0.15 else self.rng.randrange(-10, 3)
            clock_in = placed.start_utc + timedelta(minutes=late)
            clock_out = placed.end_utc + timedelta(minutes=self.rng.randrange(-4, 20))
            rows.append(self._punch(emp, PunchKind.IN, clock_in))
            if placed.end_utc - placed.start_utc >= timedelta(hours=6):
                pause = placed.start_utc + (placed.end_utc - placed.start_utc) / 2
                rows.append(self._punch(emp, PunchKind.BREAK_START, pause))
                rows.append(self._punch(emp, PunchKind.BREAK_END, pause + timedelta(minutes=30)))
            if roll > 0.97:
                continue  # forgot to clock out
            rows.append(self._punch(emp, PunchKind.OUT, clock_out))
        if rows:
            self.s.execute(insert(ClockEvent), rows)

    def _punch(self, employee_id: str, kind: PunchKind, at: datetime) -> dict[str, object]:
        return {
            "id": new_id(),
            "company_id": self.company.id,
            "employee_id": employee_id,
            "kind": kind,
            "at_utc": at.replace(second=0, microsecond=0),
            "source": PunchSource.LOCK,
            "device_id": "lobby-terminal",
            "dirty": True,
            "deleted": False,
            "created_at": at,
            "updated_at": at,
        }
