"""``shiftdesk payroll export``: the period's payroll as .xlsx or .csv; ``payroll close``
and ``payroll reopen``: a paid period kept as it was paid, until reopened with a reason."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import command, date_range, group, print_json, print_table, session
from core.export import export_payroll
from core.identity import current_user
from core.pay_periods import close_period, period_label, periods, reopen_period
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


def _close(args: argparse.Namespace) -> int:
    first, last = date_range(args.date_from, args.date_to)
    with session(args) as s:
        closed = close_period(s, first, last, actor=args.by or current_user())
    print(f"pay period {period_label(first, last)} closed: {closed.ids[0]}")
    return 0


def _reopen(args: argparse.Namespace) -> int:
    first, last = date_range(args.date_from, args.date_to)
    with session(args) as s:
        reopened = reopen_period(
            s, first, last, actor=args.by or current_user(), reason=args.reason
        )
    print(f"pay period {period_label(first, last)} reopened: {reopened.ids[0]}")
    return 0


def _periods(args: argparse.Namespace) -> int:
    with session(args) as s:
        rows = [
            {
                "id": p.id,
                "from": p.first_day,
                "to": p.last_day,
                "closed_by": p.closed_by,
                "closed_at": p.closed_at,
                "reopened_by": p.reopened_by,
                "reopened_at": p.reopened_at,
                "reopen_reason": p.reopen_reason or None,
            }
            for p in periods(s)
        ]
    if args.json:
        print_json({"periods": rows})
        return 0
    print_table(
        ["id", "period", "closed by", "closed at", "reopened by", "reason"],
        [
            [
                r["id"],
                period_label(r["from"], r["to"]),
                r["closed_by"],
                f"{r['closed_at']:%Y-%m-%d %H:%M}",
                r["reopened_by"],
                r["reopen_reason"],
            ]
            for r in rows
        ],
    )
    return 0


def _period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", required=True, help="last day (YYYY-MM-DD)")
    parser.add_argument("--by", help="who does it (default: the account's user name)")


def register(subparsers: Any) -> None:
    commands = group(subparsers, "payroll", "pay per employee for a period")
    export = command(commands, "export", _export, "export payroll to .xlsx or .csv")
    export.add_argument("--from", dest="date_from", required=True, help="first day (YYYY-MM-DD)")
    export.add_argument("--to", dest="date_to", required=True, help="last day (YYYY-MM-DD)")
    export.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
    close = command(
        commands,
        "close",
        _close,
        "close a paid period: its shifts, attendance and leave decisions can no longer change",
    )
    _period_arguments(close)
    reopen = command(
        commands, "reopen", _reopen, "reopen a closed period (the reason is kept in the audit)"
    )
    _period_arguments(reopen)
    reopen.add_argument("--reason", required=True, help="why the period is reopened")
    command(
        commands,
        "periods",
        _periods,
        "every period closed, newest first, with who reopened it and why",
        json_output=True,
    )
