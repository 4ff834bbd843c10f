"""``shiftdesk shifts autofill``: propose a person for every open shift (core.autofill).

A dry run unless ``--commit``, as ``templates expand``: the proposals with their
reasons and the shifts nobody can take with why; ``--commit`` assigns them all as
one operation (one undo step in the app, one group in the outbox).
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import command, date_range, print_json, print_table, session
from core.autofill import AutofillPlan, Proposal, apply_autofill, plan_autofill
from core.organisation import get_department


def _proposal_json(p: Proposal) -> dict[str, Any]:
    return {
        "shift_id": p.shift_id,
        "date": p.shift_date,
        "start_time": p.start_time,
        "end_time": p.end_time,
        "department": p.department_name,
        "employee_id": p.employee_id,
        "employee": p.employee_name,
        "cost": p.cost,
        "reasons": list(p.reasons),
        "warnings": [w.reason for w in p.warnings],
    }


def _plan_json(plan: AutofillPlan) -> dict[str, Any]:
    return {
        "from": plan.first,
        "to": plan.last,
        "proposals": [_proposal_json(p) for p in plan.proposals],
        "unfilled": [
            {
                "shift_id": u.shift_id,
                "date": u.shift_date,
                "start_time": u.start_time,
                "end_time": u.end_time,
                "department": u.department_name,
                "reason": u.reason,
            }
            for u in plan.unfilled
        ],
        "cost": plan.cost,
    }


def _print_plan(plan: AutofillPlan) -> None:
    print_table(
        ["date", "time", "department", "proposed", "why"],
        [
            [
                p.shift_date.isoformat(),
                f"{p.start_time}–{p.end_time}",
                p.department_name,
                p.employee_name,
                ", ".join(p.reasons),
            ]
            for p in plan.proposals
        ],
    )
    for u in plan.unfilled:
        print(
            f"not filled: {u.shift_date.isoformat()} {u.start_time}–{u.end_time}"
            f" {u.department_name}: {u.reason}"
        )


def _autofill(args: argparse.Namespace) -> int:
    first, last = date_range(args.from_, args.to)
    with session(args) as s:
        teams = [get_department(s, ref).id for ref in args.department]
        plan = plan_autofill(s, first, last, department_ids=teams)
        if not args.commit:
            if args.json:
                print_json({**_plan_json(plan), "committed": False})
                return 0
            _print_plan(plan)
            print(
                f"{len(plan.proposals)} of {len(plan.proposals) + len(plan.unfilled)} open"
                f" shift(s) can be filled, labour cost {plan.cost};"
                " nothing written (add --commit to assign them)"
            )
            return 0
        result = apply_autofill(s, plan.proposals)
    if args.json:
        print_json(
            {
                **_plan_json(plan),
                "committed": True,
                "filled": list(result.ids),
                "skipped": [
                    {"proposal": x.proposal, "reasons": [c.reason for c in x.conflicts]}
                    for x in result.skipped
                ],
            }
        )
        return 0
    for u in plan.unfilled:
        print(f"not filled: {u.shift_date.isoformat()} {u.start_time}–{u.end_time}: {u.reason}")
    for skipped in result.skipped:
        print(f"skipped: {skipped.reason}")
    print(
        f"{len(result.ids)} open shift(s) filled, {len(plan.unfilled)} left open,"
        f" {len(result.skipped)} skipped"
    )
    return 0


def register(shifts: Any) -> None:
    """Add ``autofill`` to the ``shifts`` group."""
    fill = command(
        shifts,
        "autofill",
        _autofill,
        "propose a person for every open shift in a range (a dry run unless --commit)",
        json_output=True,
    )
    fill.add_argument("--from", dest="from_", required=True, metavar="DATE")
    fill.add_argument("--to", required=True, metavar="DATE")
    fill.add_argument(
        "--department",
        action="append",
        default=[],
        metavar="ID",
        help="only this department's open shifts (id or name; repeat for several)",
    )
    fill.add_argument("--commit", action="store_true", help="assign the proposals")
