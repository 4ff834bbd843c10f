"""What an operation hands back: what changed, what clashed, and how to undo it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from core.changes import Changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Conflict:
    """A hard clash: the operation was not applied.

    ``kind`` is ``overlap`` (another shift of the same person), ``leave``
    (approved leave) or ``employment`` (a day before the person starts or after
    they leave); ``other_id`` is that shift's or leave's id (the person's own id
    for ``employment``).
    """

    kind: str
    employee_id: str
    other_id: str
    reason: str


@dataclass(frozen=True)
class RuleWarning:
    """A soft rule (rest time, consecutive days): applied, but worth a look."""

    kind: str
    employee_id: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A proposal a bulk operation left out, with every reason it could not be written.

    One proposal counts once however many reasons it has; ``proposal`` names it as
    a supervisor reads it (who, date and time), not the shift it clashed with.
    """

    proposal: str
    shift_date: date
    start_time: str
    end_time: str
    employee_ids: tuple[str, ...]
    department_ids: tuple[str, ...]
    conflicts: tuple[Conflict, ...]

    @property
    def reason(self) -> str:
        return f"{self.proposal}: " + "; ".join(c.reason for c in self.conflicts)


@dataclass(frozen=True)
class Check:
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[RuleWarning, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class OpResult:
    """``changed`` names the kinds of data that moved, so views refresh only those.

    ``undo`` reverses the operation exactly and returns the result of doing so,
    whose own ``undo`` redoes it; it is None when nothing was applied.
    """

    changed: Changes = Changes.NONE
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[RuleWarning, ...] = ()
    undo: Callable[[Session], OpResult] | None = field(default=None, compare=False)
    ids: tuple[str, ...] = ()
    #: Bulk operations only: proposals left out (each with its reasons) while the rest applied.
    skipped: tuple[Skipped, ...] = ()
    #: Bulk operations only: how many shifts written have a warning (each counts once,
    #: however many it has), the count a dry run shows as "N shifts with warnings".
    warned: int = 0

    @property
    def applied(self) -> bool:
        return not self.conflicts and self.undo is not None
