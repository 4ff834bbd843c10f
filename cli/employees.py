"""``shiftdesk employees list`` and ``employees import FILE.csv``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import command, group, print_json, print_table, session
from core.employees import CSV_COLUMNS, import_employees_csv, list_employees


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
