"""``shiftdesk payroll export``: the period's payroll as .xlsx or .csv."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import command, date_range, group, session
from core.export import export_payroll
from core.payroll import payroll


def _export(args: argparse.Namespace) -> int:
    first, last = date_range(args.date_from, args.date_to)
    with session(args) as s:
        report = payroll(s, first, last)
    warning = report.readiness().warning
    if warning:
        # The same count the desktop asks about before it exports.
        print(f"warning: {warning} in {first} to {last}", file=sys.stderr)
    written = export_payroll(report, Path(args.out))
    gross = report.total("gross")
    people = len(report.lines)
    print(
        f"payroll {first} to {last}: {people} employee{'' if people == 1 else 's'},"
        f" gross {gross:,.2f} {report.currency}"
    )
    print(written)
    return 0


def register(subparsers: Any) -> None:
    commands = group(subparsers, "payroll", "pay per employee for a period")
    export = command(commands, "export", _export, "export payroll to .xlsx or .csv")
    export.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
    export.add_argument("--to", dest="date_to", required=True, help="last day (YYYY-MM-DD)")
    export.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
