"""``shiftdesk policy``: the store's pay policy, shown and set, a flag per field."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import command, group, print_json, print_table, session
from core.errors import ValidationError
from core.policy import FIELDS, SETTINGS, allowed, set_policy, show_policy

#: What each flag of ``policy set`` does, by the field it sets; its bounds are core's
#: (:func:`core.policy.allowed`), added to the help, so they are stated in one place.
_HELP = {
    "max_shift_hours": "warn about a shift longer than N hours",
    "min_rest_hours": "warn about less than N hours of rest between two shifts",
    "max_consecutive_days": "warn about more than N days in a row",
    "grace_minutes": "minutes of lateness or early departure forgiven",
    "daily_overtime_hours": "hours a day after which time is overtime",
    "weekly_overtime_hours": "hours a week after which time is overtime",
    "overtime_multiplier": "what an overtime hour pays, in regular hours (e.g. 1.5)",
    "late_penalty_per_minute": "deducted per minute late beyond the grace",
    "match_before_minutes": "a punch matches a shift from N minutes before its start",
    "match_after_minutes": "... to N minutes after its end",
    "overnight_day": "the day an overnight shift's hours count toward: start or end",
    "week_start": "first day of the payroll week, or its name",
    "unpaid_break_minutes": "unpaid break of a long day, in minutes",
    "unpaid_break_after_hours": "a day of at least N hours has the unpaid break",
}


def _help(name: str) -> str:
    return f"{_HELP[name]}: {allowed(name)}" if name in SETTINGS else _HELP[name]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _show(args: argparse.Namespace) -> int:
    with session(args) as s:
        row = show_policy(s)
    if args.json:
        print_json({"policy": row})
        return 0
    print_table(["field", "value"], [[name, value] for name, value in vars(row).items()])
    return 0


def _set(args: argparse.Namespace) -> int:
    values = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    if not values:
        raise ValidationError(
            "policy", "nothing to change: give --max-shift-hours or another setting (see --help)"
        )
    with session(args) as s:
        result = set_policy(s, **values)
        row = show_policy(s)
    said = "now" if result.applied else "unchanged:"
    if list(values) == ["max_shift_hours"]:
        limit = f"{row.max_shift_hours.normalize():f} h" if row.max_shift_hours else "off"
        print(f"long-shift limit {said} {limit}")
        return 0
    for name in values:
        value = getattr(row, name)
        print(f"{name} {said} {value}")
    return 0


def register(subparsers: Any) -> None:
    policy = group(subparsers, "policy", "the store's pay policy: show it, change its fields")
    command(policy, "show", _show, "the pay policy's fields and values", json_output=True)
    setting = command(
        policy,
        "set",
        _set,
        "change the pay policy (each field given; checked first, one undo step, synced);"
        " the schedule's checks and payroll use it from the next run on",
    )
    for name in FIELDS:
        setting.add_argument(
            _flag(name),
            dest=name,
            metavar="start|end" if name == "overnight_day" else "N",
            help=_help(name),
        )
