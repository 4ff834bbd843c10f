"""``shiftdesk policy``: the store's pay policy, shown and set (the long-shift limit)."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import command, group, print_json, print_table, session
from core.errors import ValidationError
from core.policy import set_policy, show_policy


def _show(args: argparse.Namespace) -> int:
    with session(args) as s:
        row = show_policy(s)
    if args.json:
        print_json({"policy": row})
        return 0
    print_table(["field", "value"], [[name, value] for name, value in vars(row).items()])
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.max_shift_hours is None:
        raise ValidationError("policy", "nothing to change: give --max-shift-hours")
    with session(args) as s:
        result = set_policy(s, max_shift_hours=args.max_shift_hours)
        row = show_policy(s)
    limit = f"{row.max_shift_hours.normalize():f} h" if row.max_shift_hours else "off"
    print(f"long-shift limit {'now' if result.applied else 'unchanged:'} {limit}")
    return 0


def register(subparsers: Any) -> None:
    policy = group(
        subparsers, "policy", "the store's pay policy: show it, set the long-shift limit"
    )
    command(policy, "show", _show, "the pay policy's fields and values", json_output=True)
    setting = command(
        policy,
        "set",
        _set,
        "change the pay policy; the schedule's checks use it from the next check on",
    )
    setting.add_argument(
        "--max-shift-hours",
        metavar="N",
        help="warn about a shift longer than N hours (0 to 24; 0 turns the warning off)",
    )
