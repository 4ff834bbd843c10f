"""``shiftdesk employees list``, ``employees import FILE.csv`` and ``employees edit``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import command, group, print_json, print_table, session
from core.employees import (
    CSV_COLUMNS,
    edit_employee,
    get_employee,
    import_employees_csv,
    list_employees,
)
from core.errors import ValidationError


def _list(args: argparse.Namespace) -> int:
    with session(args) as s:
        rows = list_employees(s, include_inactive=args.all)
    if args.json:
        print_json({"employees": rows})
        return 0
    print_table(
        ["id", "name", "department", "code", "rate", "hours", "active", "from", "until"],
        [
            [
                r.id,
                r.name,
                r.department,
                r.code,
                r.hourly_rate,
                r.contract_hours,
                r.active,
                r.employment_start,
                r.employment_end,
            ]
            for r in rows
        ],
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    with session(args) as s:
        result = import_employees_csv(s, args.file, site_id=args.site)
    print(f"{len(result.added)} added, {len(result.updated)} updated")
    if result.departments_created:
        print(f"new departments: {', '.join(result.departments_created)}")
    return 0


#: ``employees edit`` options and the fields they change (an empty value clears a date).
EDIT_OPTIONS = {
    "first_name": "--first-name",
    "last_name": "--last-name",
    "email": "--email",
    "code": "--code",
    "hourly_rate": "--rate",
    "contract_hours": "--contract-hours",
    "employment_start": "--employment-start",
    "employment_end": "--employment-end",
}


def _edit(args: argparse.Namespace) -> int:
    changes = {
        field: getattr(args, field) for field in EDIT_OPTIONS if getattr(args, field) is not None
    }
    if not changes:
        raise ValidationError(
            "employee", f"nothing to change: give one of {', '.join(EDIT_OPTIONS.values())}"
        )
    with session(args) as s:
        employee = get_employee(s, args.employee)
        result = edit_employee(s, employee.id, **changes)
        name = employee.name
    print(f"{name}: {'updated' if result.applied else 'unchanged'} {employee.id}")
    for warning in result.warnings:
        print(f"warning: {warning.reason}", file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    employees = group(subparsers, "employees", "list employees or import them from CSV")
    listing = command(employees, "list", _list, "list active employees", json_output=True)
    listing.add_argument("--all", action="store_true", help="include inactive employees")
    imports = command(
        employees,
        "import",
        _import,
        "add or update employees (matched by code) from a CSV file; all rows or none",
    )
    imports.add_argument("file", type=Path, help=f"CSV with the header {','.join(CSV_COLUMNS)}")
    imports.add_argument("--site", help="site id for new employees (when the store has several)")
    edit = command(
        employees,
        "edit",
        _edit,
        "change a person's fields, such as their first and last day of employment",
    )
    edit.add_argument("employee", help="id or payroll code")
    for field, option in EDIT_OPTIONS.items():
        hint = "YYYY-MM-DD; an empty value clears it" if field.startswith("employment") else ""
        edit.add_argument(option, dest=field, help=hint or field.replace("_", " "))
