"""What an operation hands back: what changed, what clashed, and how to undo it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Conflict:
    """A hard clash: the operation was not applied.

    ``kind`` is ``overlap`` (another shift of the same person) or ``leave``
    (approved leave); ``other_id`` is that shift's or leave's id.
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

    changed: frozenset[str] = frozenset()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[RuleWarning, ...] = ()
    undo: Callable[[Session], OpResult] | None = field(default=None, compare=False)
    ids: tuple[str, ...] = ()
    #: Bulk operations only: items left out for a conflict while the rest applied.
    skipped: tuple[Conflict, ...] = ()

    @property
    def applied(self) -> bool:
        return not self.conflicts and self.undo is not None
