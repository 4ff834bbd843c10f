"""``shiftdesk attendance``: import punches, report derived attendance, correct, approve."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cli.common import command, date_range, group, print_json, print_table, session
from core.attendance import (
    DayRecord,
    approve_day,
    attendance,
    correct_day,
    import_punches_csv,
)
from core.employees import get_employee
from core.errors import ValidationError
from core.models import Employee, Site
from core.money import hours, minutes_to_hours
from core.timeutil import (
    local_instant,
    missing_time_problem,
    parse_date,
    parse_hhmm,
    to_local,
    zone,
)


def _import(args: argparse.Namespace) -> int:
    with session(args) as s:
        result = import_punches_csv(s, Path(args.file), skip_existing=args.skip_existing)
    skipped = f", skipped {result.skipped} already stored" if args.skip_existing else ""
    print(f"imported {result.imported} punches{skipped}")
    return 0


def _clock(instant: Any, tz: str) -> str:
    return "-" if instant is None else f"{to_local(instant, tz):%H:%M}"


def _approval(day: DayRecord) -> str:
    """``yes``, ``no``, or ``again`` for a day corrected after its sign-off."""
    if day.approved:
        return "yes"
    return "again" if day.approved_at is not None else "no"


def _day_json(day: DayRecord) -> dict[str, Any]:
    """One employee-day of ``attendance report --json``; times local to the day's site."""
    tz = day.timezone

    def local(instant: datetime | None) -> str | None:
        return None if instant is None else to_local(instant, tz).isoformat()

    c = day.correction
    return {
        "employee_id": day.employee_id,
        "work_date": day.work_date.isoformat(),
        "shifts": [
            {"id": s.id, "label": s.label, "start": local(s.start), "end": local(s.end)}
            for s in day.shifts
        ],
        "first_in": local(day.first_in),
        "last_out": local(day.last_out),
        "scheduled_minutes": day.scheduled_minutes,
        "worked_minutes": day.worked_minutes,
        "break_minutes": day.break_minutes,
        "unscheduled_minutes": day.unscheduled_minutes,
        "late_minutes": day.late_minutes,
        "early_minutes": day.early_minutes,
        "regular_minutes": day.regular_minutes,
        "daily_overtime_minutes": day.daily_overtime_minutes,
        "weekly_overtime_minutes": day.weekly_overtime_minutes,
        "leave_type": day.leave_type,
        "paid_leave_hours": str(day.paid_leave_hours),
        "flags": [str(f) for f in day.flags],
        "correction": None
        if c is None
        else {
            "id": c.id,
            "clock_in": local(c.clock_in),
            "clock_out": local(c.clock_out),
            "break_minutes": c.break_minutes,
            "excused": c.excused,
            "reason": c.reason,
            "author": c.author,
            "at": c.at.isoformat(),
        },
        "approved": day.approved,
        # Only a standing sign-off names its signer; one a later correction
        # outdated asks for a new approval instead.
        "approved_by": day.approved_by if day.approved else None,
        "approved_at": day.approved_at.isoformat() if day.approved and day.approved_at else None,
        "needs_reapproval": day.approved_at is not None and not day.approved,
        "punches": [
            {"kind": p.kind, "at": local(p.at), "scheduled": p.shift_id is not None}
            for p in day.punches
        ],
    }


def _report(args: argparse.Namespace) -> int:
    first, last = date_range(args.date_from, args.date_to)
    with session(args) as s:
        employees = [get_employee(s, args.employee).id] if args.employee else None
        derived = attendance(s, first, last, employee_ids=employees)
    people = derived.people
    if args.json:
        print_json(
            {
                "from": first,
                "to": last,
                "days": [
                    {
                        "employee": people[d.employee_id].name,
                        "code": people[d.employee_id].code,
                        **_day_json(d),
                    }
                    for d in derived.days
                ],
            }
        )
        return 0
    print_table(
        [
            "date",
            "employee",
            "shift",
            "in",
            "out",
            "worked h",
            "late",
            "early",
            "OT h",
            "approved",
            "flags",
        ],
        [
            [
                d.work_date,
                people[d.employee_id].name,
                ", ".join(
                    f"{_clock(x.start, d.timezone)}–{_clock(x.end, d.timezone)}" for x in d.shifts
                )
                or "-",
                _clock(d.first_in, d.timezone),
                _clock(d.last_out, d.timezone),
                hours(minutes_to_hours(d.worked_minutes)),
                d.late_minutes,
                d.early_minutes,
                hours(minutes_to_hours(d.overtime_minutes)),
                _approval(d),
                ", ".join(d.flags) or "-",
            ]
            for d in derived.days
        ],
    )
    return 0


def _first_in(s: Session, employee_id: str, day: date) -> datetime | None:
    """When the day began as it stands, so a clock-out before it is the next morning."""
    found = attendance(s, day, day, employee_ids=[employee_id]).days
    return found[0].first_in if found else None


def _correct(args: argparse.Namespace) -> int:
    day = parse_date(args.date, "--date")
    with session(args) as s:
        employee_id = get_employee(s, args.employee).id
        employee = s.get(Employee, employee_id)
        assert employee is not None
        site = s.get(Site, employee.site_id)
        assert site is not None
        tz = zone(site.timezone)

        def instant(on: date, at: time, option: str) -> datetime:
            problem = missing_time_problem(on, at, site.timezone)
            if problem is not None:
                raise ValidationError(option, problem)
            return local_instant(on, at, tz)

        clock_in = (
            instant(day, parse_hhmm(args.clock_in, "--in"), "--in") if args.clock_in else None
        )
        clock_out = None
        if args.clock_out:
            out_time = parse_hhmm(args.clock_out, "--out")
            clock_out = local_instant(day, out_time, tz)
            start = clock_in or _first_in(s, employee_id, day)
            on = day + timedelta(days=1) if start is not None and clock_out <= start else day
            clock_out = instant(on, out_time, "--out")
        result = correct_day(
            s,
            employee_id=employee_id,
            work_date=day,
            clock_in=clock_in,
            clock_out=clock_out,
            break_minutes=args.break_minutes,
            excused=args.excused,
            reason=args.reason,
            author=args.by,
        )
    print(f"day corrected: {result.ids[0]}")
    return 0


def _approve(args: argparse.Namespace) -> int:
    day = parse_date(args.date, "--date")
    with session(args) as s:
        result = approve_day(
            s, employee_id=get_employee(s, args.employee).id, work_date=day, actor=args.by
        )
    print(f"day approved: {result.ids[0]}")
    return 0


def register(subparsers: Any) -> None:
    commands = group(subparsers, "attendance", "punches and the attendance derived from them")
    imp = command(commands, "import", _import, "import punches from a CSV file, all or nothing")
    imp.add_argument("file", help="CSV with employee, timestamp, kind[, device]")
    imp.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave out punches already stored (an overlapping export) instead of refusing",
    )
    report = command(commands, "report", _report, "attendance per employee-day", json_output=True)
    report.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="date_to", required=True, help="last day (YYYY-MM-DD)")
    report.add_argument("--employee", help="only this employee (id or code)")
    correct = command(commands, "correct", _correct, "correct an employee-day, with a reason")
    correct.add_argument("--employee", required=True, help="id or code")
    correct.add_argument("--date", required=True, help="the work day (YYYY-MM-DD)")
    correct.add_argument("--in", dest="clock_in", help="clock-in, local HH:MM")
    correct.add_argument(
        "--out", dest="clock_out", help="clock-out, local HH:MM (before --in: next day)"
    )
    correct.add_argument("--break", dest="break_minutes", type=int, help="break minutes")
    correct.add_argument(
        "--excused",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="forgive lateness, early leave, absence (--no-excused withdraws it)",
    )
    correct.add_argument("--reason", required=True, help="why the day is corrected")
    correct.add_argument("--by", required=True, help="who corrects it")
    approve = command(commands, "approve", _approve, "sign off an employee-day")
    approve.add_argument("--employee", required=True, help="id or code")
    approve.add_argument("--date", required=True, help="the work day (YYYY-MM-DD)")
    approve.add_argument("--by", required=True, help="who approves it")
