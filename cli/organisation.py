"""``shiftdesk setup`` and ``shiftdesk departments``: making a store one's own."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import command, group, print_json, print_table, session
from core.organisation import Setup, add_department, list_departments, setup_store
from core.store import default_path, open_store


def _setup(args: argparse.Namespace) -> int:
    setup = Setup(
        company=args.company, site=args.site, timezone=args.timezone, currency=args.currency
    ).checked()  # before the file exists, so bad input leaves no empty store behind
    store = open_store(args.db if args.db is not None else default_path(), create=True)
    try:
        with store.session() as s:
            result = setup_store(s, setup)
    finally:
        store.close()
    print(
        f"{store.path} is set up for {setup.company} ({setup.currency}),"
        f" site {setup.site!r} in {setup.timezone}: {result.ids[1]}"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    with session(args) as s:
        rows = list_departments(s)
    if args.json:
        print_json({"departments": rows})
        return 0
    print_table(
        ["id", "name", "colour", "site", "employees"],
        [[r.id, r.name, r.color, r.site, r.employees] for r in rows],
    )
    return 0


def _add(args: argparse.Namespace) -> int:
    with session(args) as s:
        result = add_department(s, args.name, color=args.color, site_id=args.site)
    print(f"added department {args.name.strip()!r}: {result.ids[0]}")
    return 0


def register(subparsers: Any) -> None:
    setup = command(
        subparsers,
        "setup",
        _setup,
        "set a new store up: its company, its site and the site's time zone; prints the site id",
    )
    setup.add_argument("--company", required=True, metavar="NAME")
    setup.add_argument("--site", required=True, metavar="NAME")
    setup.add_argument(
        "--timezone", required=True, metavar="ZONE", help="IANA zone, e.g. Europe/Berlin"
    )
    setup.add_argument("--currency", default="EUR", help="ISO 4217 code of pay (EUR)")

    departments = group(subparsers, "departments", "the teams people and shifts belong to")
    command(departments, "list", _list, "list the departments", json_output=True)
    add = command(departments, "add", _add, "add a department; prints its id last")
    add.add_argument("name")
    add.add_argument("--color", metavar="#RRGGBB", help="its shifts' colour in the grid")
    add.add_argument("--site", metavar="ID", help="needed when the store has several sites")
