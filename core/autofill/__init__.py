"""Auto-fill open shifts: propose a person for each, then apply all or some as one step.

:func:`plan_autofill` is the dry run (nothing is written): every proposal with its
reasons and the shifts nobody can take with why. :func:`apply_autofill` assigns the
proposals the supervisor kept through :func:`core.scheduling.edit_shift`, the op
every other assignment goes through (so each is checked again against the store,
recorded for undo and queued in the outbox), inside one recording: one undo step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from core import undo
from core.autofill.problem import FillState, OpenShift, candidates, open_shifts
from core.autofill.solve import Solution, solve, solve_greedy
from core.conflicts import shift_label
from core.errors import ValidationError
from core.models import Shift
from core.money import money
from core.results import Conflict, OpResult, RuleWarning, Skipped
from core.scheduling import edit_shift

__all__ = [
    "AutofillPlan",
    "Proposal",
    "Unfilled",
    "apply_autofill",
    "plan_autofill",
]

#: The longest range one fill looks at: a quarter, as a payroll export allows.
MAX_DAYS = 92


@dataclass(frozen=True)
class Proposal:
    """One open shift and the person proposed for it, with why."""

    shift_id: str
    shift_date: date
    start_time: str
    end_time: str
    department_name: str
    location: str
    employee_id: str
    employee_name: str
    #: What payroll would pay for it, overtime included.
    cost: Decimal
    reasons: tuple[str, ...]
    warnings: tuple[RuleWarning, ...]
    #: What the solver minimised for it: the labour cost plus the soft rules' weights.
    score: float = 0.0

    @property
    def explanation(self) -> str:
        """ "Mia Lopez: 32 of 40 contract hours, 11 h rest, own department, …" """
        return f"{self.employee_name}: " + ", ".join(self.reasons)


@dataclass(frozen=True)
class Unfilled:
    shift_id: str
    shift_date: date
    start_time: str
    end_time: str
    department_name: str
    location: str
    reason: str


@dataclass(frozen=True)
class AutofillPlan:
    first: date
    last: date
    proposals: tuple[Proposal, ...]
    unfilled: tuple[Unfilled, ...]

    @property
    def cost(self) -> Decimal:
        return sum((p.cost for p in self.proposals), Decimal(0))

    @property
    def warnings(self) -> tuple[RuleWarning, ...]:
        return tuple(w for p in self.proposals for w in p.warnings)

    @property
    def score(self) -> float:
        """The objective the solver minimised, summed (lower is better)."""
        return sum(p.score for p in self.proposals)


def plan_autofill(
    session: Session,
    first: date,
    last: date,
    *,
    department_ids: Sequence[str] = (),
    site_id: str | None = None,
    greedy: bool = False,
) -> AutofillPlan:
    """Propose a person for every open shift dated ``first``..``last`` (of these
    departments when named). Writes nothing. ``greedy`` runs the baseline the
    benchmark compares the solver with."""
    if last < first:
        raise ValidationError("to", f"{last} is before {first}; the range would be empty")
    if (last - first).days >= MAX_DAYS:
        raise ValidationError("to", f"fill at most {MAX_DAYS} days at a time")
    shifts = open_shifts(session, first, last, department_ids, site_id)
    people = candidates(session, {s.site_id for s in shifts})
    state = FillState.load(session, people, shifts, first, last)
    solution = (solve_greedy if greedy else solve)(state, shifts, people, first, last)
    return _plan(first, last, solution)


def _plan(first: date, last: date, solution: Solution) -> AutofillPlan:
    proposals = []
    for choice in solution.chosen:
        option = choice.option
        shift = option.shift
        proposals.append(
            Proposal(
                shift.id,
                shift.shift_date,
                shift.start_time,
                shift.end_time,
                shift.department_name,
                shift.location,
                option.person.id,
                option.person.name,
                money(Decimal(str(option.labour))),
                choice.reasons,
                option.warnings,
                option.cost,
            )
        )
    proposals.sort(key=lambda p: (p.shift_date, p.start_time, p.department_name, p.shift_id))
    unfilled = sorted(
        (_unfilled(shift, reason) for shift, reason in solution.unfilled),
        key=lambda u: (u.shift_date, u.start_time, u.department_name, u.shift_id),
    )
    return AutofillPlan(first, last, tuple(proposals), tuple(unfilled))


def _unfilled(shift: OpenShift, reason: str) -> Unfilled:
    return Unfilled(
        shift.id,
        shift.shift_date,
        shift.start_time,
        shift.end_time,
        shift.department_name,
        shift.location,
        reason,
    )


def apply_autofill(session: Session, proposals: Sequence[Proposal]) -> OpResult:
    """Assign the kept proposals as one undo step.

    Each goes through :func:`edit_shift`, so the store is checked again: a shift
    someone filled since the dry run, or a person who clashes now, is left out and
    named in the result's ``skipped`` while the rest apply.
    """
    skipped: list[Skipped] = []
    warnings: list[RuleWarning] = []
    written: list[str] = []
    with undo.recording(session) as recorder:
        for proposal in proposals:
            shift = session.get(Shift, proposal.shift_id)
            if shift is None or shift.deleted:
                conflicts = (Conflict("gone", "", proposal.shift_id, "the shift was deleted"),)
            elif shift.employee_ids or shift.assigned_department_ids:
                conflicts = (
                    Conflict("filled", "", proposal.shift_id, "someone was put on it since"),
                )
            else:
                result = edit_shift(
                    session, proposal.shift_id, employee_ids=(proposal.employee_id,)
                )
                conflicts = result.conflicts
                if not conflicts:
                    written.append(proposal.shift_id)
                    warnings.extend(result.warnings)
                    continue
            skipped.append(_skipped(proposal, conflicts))
    if not written:
        return OpResult(skipped=tuple(skipped))
    return recorder.result(warnings=tuple(warnings), ids=tuple(written), skipped=tuple(skipped))


def _skipped(proposal: Proposal, conflicts: tuple[Conflict, ...]) -> Skipped:
    label = shift_label(proposal.shift_date, proposal.start_time, proposal.end_time)
    return Skipped(
        f"{proposal.employee_name} {label}",
        proposal.shift_date,
        proposal.start_time,
        proposal.end_time,
        (proposal.employee_id,),
        (),
        conflicts,
    )
