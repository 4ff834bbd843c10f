"""``templates``: list and add shift templates, preview a rule, apply a template."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.common import command, date_range, group, print_json, print_table, session
from cli.shifts import print_warnings
from core import recurrence
from core.employees import get_employee
from core.errors import ConflictError
from core.models import Department, Employee
from core.organisation import get_department, resolve_site
from core.templates import (
    Expansion,
    OnConflict,
    TemplateDraft,
    commit_expansion,
    create_template,
    expand_template,
    live_templates,
)
from core.timeutil import parse_date

_COLUMNS = ("id", "name", "start_time", "end_time", "rrule", "dtstart", "location")


def _list(args: argparse.Namespace) -> int:
    with session(args) as s:
        templates = live_templates(s)
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "start_time": t.start_time,
                "end_time": t.end_time,
                "rrule": t.rrule,
                "dtstart": t.dtstart,
                "department_id": t.department_id,
                "location": t.location,
                "site_id": t.site_id,
            }
            for t in templates
        ]
    if args.json:
        print_json({"templates": rows})
        return 0
    print_table(
        ["id", "name", "start", "end", "rrule", "from", "location"],
        [[r[k] or None for k in _COLUMNS] for r in rows],
    )
    return 0


def _add(args: argparse.Namespace) -> int:
    with session(args) as s:
        draft = TemplateDraft(
            site_id=resolve_site(s, args.site).id,
            name=args.name,
            start_time=args.start,
            end_time=args.end,
            rrule=args.rrule,
            dtstart=parse_date(args.dtstart, "dtstart"),
            description=args.description,
            department_id=get_department(s, args.department).id if args.department else None,
            location=args.location,
        )
        result = create_template(s, draft)
    print_warnings(result.warnings)
    print(f"template {draft.name!r} added: {result.ids[0]}")
    return 0


def _preview(args: argparse.Namespace) -> int:
    dtstart = parse_date(args.dtstart, "dtstart")
    for day in recurrence.preview(args.rrule, dtstart, args.count, args.timezone):
        print(day.isoformat())
    return 0


def _names(s: Session, expansion: Expansion) -> dict[str, str]:
    emp_ids = {p.employee_id for p in expansion.shifts if p.employee_id}
    dept_ids = {p.department_id for p in expansion.shifts if p.department_id}
    names = {e.id: e.name for e in s.scalars(select(Employee).where(Employee.id.in_(emp_ids)))}
    names.update(
        (d.id, f"{d.name} (department)")
        for d in s.scalars(select(Department).where(Department.id.in_(dept_ids)))
    )
    return names


def _proposed_json(expansion: Expansion) -> list[dict[str, Any]]:
    return [
        {
            "date": p.shift_date,
            "start_time": p.start_time,
            "end_time": p.end_time,
            "start_utc": p.start_utc,
            "end_utc": p.end_utc,
            "employee_id": p.employee_id,
            "department_id": p.department_id,
            "conflicts": [c.reason for c in p.conflicts],
            "warnings": [w.reason for w in p.warnings],
        }
        for p in expansion.shifts
    ]


def _print_dry_run(expansion: Expansion, names: dict[str, str]) -> None:
    rows = []
    for p in expansion.shifts:
        who = names.get(p.employee_id or p.department_id or "", "-")
        found = []
        if p.conflicts:
            found.append("conflict: " + "; ".join(c.reason for c in p.conflicts))
        if p.warnings:
            found.append("warning: " + "; ".join(w.reason for w in p.warnings))
        status = " | ".join(found) or "ok"
        rows.append([p.shift_date.isoformat(), p.start_time, p.end_time, who, status])
    print_table(["date", "start", "end", "who", "status"], rows)
    clashing = sum(1 for p in expansion.shifts if p.conflicts)
    print(
        f"{len(expansion.shifts)} shift(s) proposed, {clashing} with a conflict,"
        f" {expansion.plan.warned} with warnings; nothing written (add --commit to write them)"
    )


def _expand(args: argparse.Namespace) -> int:
    first, last = date_range(args.from_, args.to)
    with session(args) as s:
        people = [get_employee(s, ref).id for ref in args.employee]
        teams = [get_department(s, ref).id for ref in args.department]
        expansion = expand_template(
            s, args.id, first, last, people, teams, per_member=args.per_member
        )
        if not args.commit:
            if args.json:
                print_json(
                    {
                        "template_id": args.id,
                        "from": first,
                        "to": last,
                        "committed": False,
                        "shifts": _proposed_json(expansion),
                    }
                )
            else:
                _print_dry_run(expansion, _names(s, expansion))
            return 0
        result = commit_expansion(s, expansion, on_conflict=args.on_conflict)
        if result.conflicts:
            raise ConflictError(result.conflicts)
    if args.json:
        print_json(
            {
                "template_id": args.id,
                "from": first,
                "to": last,
                "committed": True,
                "written": list(result.ids),
                "skipped": [
                    {
                        "date": x.shift_date,
                        "start_time": x.start_time,
                        "end_time": x.end_time,
                        "employee_ids": list(x.employee_ids),
                        "department_ids": list(x.department_ids),
                        "proposal": x.proposal,
                        "reasons": [c.reason for c in x.conflicts],
                    }
                    for x in result.skipped
                ],
                "warnings": [w.reason for w in result.warnings],
            }
        )
        return 0
    for skipped in result.skipped:
        print(f"skipped: {skipped.reason}")
    print(
        f"{len(result.ids)} shift(s) written, {len(result.skipped)} skipped for a conflict,"
        f" {result.warned} with warnings (see the dry run)"
    )
    return 0


def register(subparsers: Any) -> None:
    templates = group(subparsers, "templates", "recurring shift templates")
    command(templates, "list", _list, "list the templates", json_output=True)

    add = command(templates, "add", _add, "add a template; prints its id last")
    add.add_argument("--name", required=True)
    add.add_argument("--start", required=True, metavar="HH:MM", help="local start time")
    add.add_argument(
        "--end", required=True, metavar="HH:MM", help="local end (next day if earlier)"
    )
    add.add_argument("--rrule", required=True, help="RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO")
    add.add_argument("--dtstart", required=True, metavar="DATE", help="first day the rule runs")
    add.add_argument("--department", metavar="ID", help="id or name")
    add.add_argument("--location", default="")
    add.add_argument("--description", default="")
    add.add_argument("--site", metavar="ID", help="needed when the store has several sites")

    preview = command(
        templates, "preview", _preview, "list a rule's next occurrences, one date a line", db=False
    )
    preview.add_argument("--rrule", required=True)
    preview.add_argument("--dtstart", required=True, metavar="DATE")
    preview.add_argument("--count", type=int, default=10)
    preview.add_argument(
        "--timezone", default="UTC", help="zone a UTC UNTIL or EXDATE is read in (default UTC)"
    )

    expand = command(
        templates,
        "expand",
        _expand,
        "apply a template to people over a date range (a dry run unless --commit)",
        json_output=True,
    )
    expand.add_argument("id", help="the template's id")
    expand.add_argument("--from", dest="from_", required=True, metavar="DATE")
    expand.add_argument("--to", required=True, metavar="DATE")
    expand.add_argument(
        "--employee", action="append", default=[], metavar="ID", help="id or payroll code"
    )
    expand.add_argument(
        "--department", action="append", default=[], metavar="ID", help="id or name"
    )
    # As the desktop's Apply panel: each member of a department gets their own shift
    # unless asked for one shift for the whole department.
    members = expand.add_mutually_exclusive_group()
    members.add_argument(
        "--per-member",
        dest="per_member",
        action="store_true",
        default=True,
        help="each active member of a --department gets their own shift (the default)",
    )
    members.add_argument(
        "--whole-department",
        dest="per_member",
        action="store_false",
        help="one shift per date for each --department as a whole",
    )
    expand.add_argument("--commit", action="store_true", help="write the shifts")
    expand.add_argument(
        "--on-conflict",
        choices=[m.value for m in OnConflict],
        default=OnConflict.ABORT.value,
        help="abort (default): write nothing if any shift clashes; skip: write the rest",
    )
