"""``shiftdesk leave``: list, request, approve, reject and cancel leave requests.

The person deciding is the operating-system user running the command.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import (
    EXIT_CONFLICT,
    command,
    date_range,
    fail,
    group,
    optional_range,
    print_json,
    print_table,
    session,
)
from cli.shifts import print_warnings
from core.employees import get_employee
from core.identity import current_user
from core.leave import (
    ClashChoice,
    approve_leave,
    cancel_leave,
    list_leave,
    reject_leave,
    request_leave,
)
from core.models import LeaveStatus, LeaveType


def _list(args: argparse.Namespace) -> int:
    first, last = optional_range(args.from_, args.to)
    with session(args) as s:
        employee_id = get_employee(s, args.employee).id if args.employee else None
        rows = list_leave(s, status=args.status, employee_id=employee_id, first=first, last=last)
    if args.json:
        print_json({"leave": rows})
        return 0
    print_table(
        ["id", "employee", "type", "from", "to", "hours", "status", "decided by", "reason"],
        [
            [
                r.id,
                r.employee,
                r.leave_type,
                r.start_date,
                r.end_date,
                f"{r.start_time}–{r.end_time}" if r.start_time else "all day",
                r.status,
                r.decided_by,
                r.reason,
            ]
            for r in rows
        ],
    )
    return 0


def _request(args: argparse.Namespace) -> int:
    first, last = date_range(args.from_, args.to if args.to is not None else args.from_)
    with session(args) as s:
        result = request_leave(
            s,
            employee_id=get_employee(s, args.employee).id,
            start_date=first,
            end_date=last,
            leave_type=args.type,
            start_time=args.start,
            end_time=args.end,
            reason=args.reason,
        )
    print(f"requested leave {result.ids[0]}")
    return 0


def _approve(args: argparse.Namespace) -> int:
    with session(args) as s:
        result = approve_leave(s, args.id, actor=current_user(), on_clash=args.on_clash)
    if result.conflicts:
        shifts = "; ".join(c.reason for c in result.conflicts)
        fail(
            f"not approved, {len(result.conflicts)} shift(s) clash: {shifts};"
            " approve with --unassign or --keep"
        )
        return EXIT_CONFLICT
    print_warnings(result.warnings)
    touched = len(result.ids) - 1
    if touched and args.on_clash == ClashChoice.UNASSIGN:
        print(f"taken off {touched} shift(s)")
    elif touched:
        print(f"kept on {touched} shift(s), now flagged")
    print(f"approved leave {args.id}")
    return 0


def _reject(args: argparse.Namespace) -> int:
    with session(args) as s:
        reject_leave(s, args.id, actor=current_user())
    print(f"rejected leave {args.id}")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    with session(args) as s:
        cancel_leave(s, args.id, actor=current_user())
    print(f"cancelled leave {args.id}")
    return 0


def register(subparsers: Any) -> None:
    leave = group(subparsers, "leave", "leave requests and their approval")
    listing = command(leave, "list", _list, "list leave requests", json_output=True)
    listing.add_argument("--status", choices=[s.value for s in LeaveStatus])
    listing.add_argument("--employee", metavar="ID", help="id or payroll code")
    listing.add_argument("--from", dest="from_", metavar="DATE", help="overlapping this range")
    listing.add_argument("--to", metavar="DATE")

    request = command(leave, "request", _request, "request leave (prints its id)")
    request.add_argument("--employee", required=True, metavar="ID", help="id or payroll code")
    request.add_argument("--from", dest="from_", required=True, metavar="DATE")
    request.add_argument("--to", metavar="DATE", help="last day (default: --from)")
    request.add_argument("--type", required=True, choices=[t.value for t in LeaveType])
    request.add_argument("--start", metavar="HH:MM", help="part day: from this time")
    request.add_argument("--end", metavar="HH:MM", help="part day: until this time")
    request.add_argument("--reason", default="")

    approve = command(
        leave,
        "approve",
        _approve,
        "approve a request; with clashing shifts, say what happens to them",
    )
    approve.add_argument("id")
    choice = approve.add_mutually_exclusive_group()
    choice.add_argument(
        "--unassign",
        dest="on_clash",
        action="store_const",
        const=ClashChoice.UNASSIGN.value,
        help="take the person off the clashing shifts",
    )
    choice.add_argument(
        "--keep",
        dest="on_clash",
        action="store_const",
        const=ClashChoice.KEEP.value,
        help="keep them on and flag those shifts",
    )

    for name, handler, text in (
        ("reject", _reject, "reject a pending request"),
        ("cancel", _cancel, "cancel a pending or approved request"),
    ):
        command(leave, name, handler, text).add_argument("id")
