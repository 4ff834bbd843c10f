"""``shiftdesk shifts``: list, add, edit, move and delete through core.scheduling."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cli import autofill
from cli.common import (
    EXIT_USAGE,
    command,
    date_range,
    fail,
    group,
    print_json,
    print_table,
    session,
)
from core.employees import get_employee
from core.errors import ConflictError
from core.export.roster_scope import RosterScope
from core.organisation import get_department
from core.results import OpResult, RuleWarning
from core.scheduling import (
    Publication,
    ShiftDraft,
    create_shift,
    delete_shifts,
    edit_shift,
    move_shift,
)
from core.shift_list import shift_rows
from core.timeutil import parse_date


def print_warnings(warnings: Sequence[RuleWarning]) -> None:
    for warning in warnings:
        print(f"warning: {warning.reason}", file=sys.stderr)


def applied(result: OpResult) -> OpResult:
    """The result of an applied change; a refused one exits 3 naming its conflicts."""
    if result.conflicts:
        raise ConflictError(result.conflicts)
    print_warnings(result.warnings)
    return result


def _list(args: argparse.Namespace) -> int:
    first, last = date_range(args.from_, args.to)
    with session(args) as s:
        rows = shift_rows(s, first, last, employee_id=args.employee)
    if args.json:
        print_json({"shifts": rows})
        return 0
    print_table(
        ["id", "date", "time", "who", "location", "status", "flag"],
        [
            [
                r.id,
                r.date,
                f"{r.start}–{r.end}",
                ", ".join([e.name for e in r.employees] + [d.name for d in r.departments])
                or "(open)",
                r.location,
                r.status + (f" ({r.publication})" if r.publication is Publication.CHANGED else ""),
                r.flag,
            ]
            for r in rows
        ],
    )
    return 0


def _add(args: argparse.Namespace) -> int:
    if args.open != (args.department is not None):
        fail("shifts add: an open shift takes --open with --department, a person's --employee")
        return EXIT_USAGE
    day = parse_date(args.date, "--date")
    with session(args) as s:
        if args.open:
            # Nobody on it yet: it waits in the department's open shifts.
            department = get_department(s, args.department)
            site_id, people, department_id = department.site_id, (), department.id
        else:
            employee = get_employee(s, args.employee)
            site_id, people = employee.site_id, (employee.id,)
            department_id = employee.department_id
        draft = ShiftDraft(
            site_id=site_id,
            shift_date=day,
            start_time=args.start,
            end_time=args.end,
            employee_ids=people,
            location=args.location,
            department_id=department_id,
        )
        result = applied(create_shift(s, draft))
    print(f"added shift {result.ids[0]}")
    return 0


#: ``shifts edit`` options and the ShiftDraft fields they set.
_EDITABLE = (
    ("start", "start_time"),
    ("end", "end_time"),
    ("location", "location"),
    ("notes", "notes"),
)


def _edit(args: argparse.Namespace) -> int:
    changes = {
        name: getattr(args, option)
        for option, name in _EDITABLE
        if getattr(args, option) is not None
    }
    if not changes:
        fail("shifts edit: give --start, --end, --location or --notes")
        return EXIT_USAGE
    with session(args) as s:
        applied(edit_shift(s, args.id, **changes))
    print(f"edited shift {args.id}")
    return 0


def _move(args: argparse.Namespace) -> int:
    if args.date is None and args.employee is None:
        fail("shifts move: give --date, --employee or both")
        return EXIT_USAGE
    day = parse_date(args.date, "--date") if args.date is not None else None
    with session(args) as s:
        employee_id = get_employee(s, args.employee).id if args.employee is not None else None
        applied(move_shift(s, args.id, day=day, employee_id=employee_id))
    print(f"moved shift {args.id}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with session(args) as s:
        delete_shifts(s, [args.id])
    print(f"deleted shift {args.id}")
    return 0


def _export(args: argparse.Namespace) -> int:
    # Here, not at the top: fpdf2 brings numpy and Pillow (0.4 s), which no other
    # command needs.
    from core.export.roster_file import export_roster

    first, last = date_range(args.from_, args.to)
    scope = RosterScope(
        first,
        last,
        employee_ids=tuple(args.employee),
        department_ids=tuple(args.department),
        drafts=args.drafts,
    )
    with session(args) as s:
        export = export_roster(s, scope, Path(args.out), per_department=not args.combined)
    count = len(export.shifts())
    drafts = " (drafts included)" if args.drafts else ""
    print(f"shifts {first} to {last}: {count} shift{'' if count == 1 else 's'}{drafts}")
    print(args.out)
    return 0


def register(subparsers: Any) -> None:
    shifts = group(subparsers, "shifts", "list and edit shifts")
    listing = command(shifts, "list", _list, "shifts dated in a range", json_output=True)
    listing.add_argument("--from", dest="from_", required=True, metavar="DATE")
    listing.add_argument("--to", required=True, metavar="DATE")
    listing.add_argument("--employee", metavar="ID", help="only this person's (id or code)")

    add = command(
        shifts,
        "add",
        _add,
        "add a shift for one person at their site, or an open one (nobody yet) in a department",
    )
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--employee", metavar="ID", help="id or payroll code")
    who.add_argument("--open", action="store_true", help="nobody yet; give --department")
    add.add_argument("--department", metavar="ID", help="an open shift's department (id or name)")
    add.add_argument("--date", required=True, metavar="DATE")
    add.add_argument("--start", required=True, metavar="HH:MM")
    add.add_argument("--end", required=True, metavar="HH:MM", help="at or before start: next day")
    add.add_argument("--location", default="", metavar="L")

    edit = command(
        shifts, "edit", _edit, "change a shift's times, location or notes; the rest stays"
    )
    edit.add_argument("id")
    edit.add_argument("--start", metavar="HH:MM")
    edit.add_argument("--end", metavar="HH:MM", help="at or before start: next day")
    edit.add_argument("--location", metavar="L", help='"" clears it')
    edit.add_argument("--notes", metavar="N", help='"" clears them')

    move = command(shifts, "move", _move, "move a shift to another day and/or person")
    move.add_argument("id")
    move.add_argument("--date", metavar="DATE")
    move.add_argument("--employee", metavar="ID", help="id or payroll code")

    delete = command(shifts, "delete", _delete, "delete a shift")
    delete.add_argument("id")

    export = command(
        shifts,
        "export",
        _export,
        "write the published shifts of a range as a printable rota (.pdf) or a calendar (.ics)",
    )
    export.add_argument("--from", dest="from_", required=True, metavar="DATE")
    export.add_argument("--to", required=True, metavar="DATE")
    export.add_argument(
        "--employee",
        action="append",
        default=[],
        metavar="ID",
        help="only this person's shifts (id or code); repeat for more",
    )
    export.add_argument(
        "--department",
        action="append",
        default=[],
        metavar="ID",
        help="this department's shifts, open ones included (id or name); repeat for more",
    )
    export.add_argument("--out", required=True, metavar="FILE", help="FILE.pdf or FILE.ics")
    export.add_argument(
        "--drafts", action="store_true", help="unpublished shifts too (staff do not see them)"
    )
    export.add_argument(
        "--combined",
        action="store_true",
        help="PDF: all departments on shared pages instead of a page per department",
    )

    autofill.register(shifts)
