"""The errors core raises; each edge (CLI, server, desktop) renders them once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from core.results import Conflict


class ShiftDeskError(Exception):
    """Base of every error core raises on purpose."""


class ValidationError(ShiftDeskError):
    """Input that cannot be accepted; names the field so a form can point at it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Duplicate(ValidationError):
    """A value that must be unique is another record's already (a department's or a
    template's name, a payroll code, a punch). The field names it; each edge treats
    it as the clash it is (the server: 409), not as malformed input."""


class IllegalState(ValidationError):
    """A change the record's state forbids (a state machine's refusal: a decided
    leave request edited, rejected leave approved). The input is well formed; the
    server answers it 422, apart from malformed input (400)."""


class InUse(ValidationError):
    """A record that others still depend on cannot be removed; the problem says which
    and how many, and what to do first."""


#: The conflict kind of a shift in a closed pay period (:mod:`core.pay_periods`),
#: beside overlap and leave.
CLOSED_PERIOD = "closed_period"


class ConflictError(ShiftDeskError):
    """A change refused because it would clash with the schedule."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        self.conflicts = tuple(conflicts)
        reasons = "; ".join(c.reason for c in self.conflicts)
        # A closed pay period refuses without a clash to name.
        clash = any(c.kind != CLOSED_PERIOD for c in self.conflicts)
        super().__init__(
            f"refused, it would conflict: {reasons}" if clash else f"refused: {reasons}"
        )


class NotFound(ShiftDeskError):
    """A record that does not exist (or was deleted)."""

    def __init__(self, kind: str, record_id: str, *, by_name: bool = False) -> None:
        """``by_name``: the lookup took a name as well as an id, and says so."""
        how = "named or with id" if by_name else "with id"
        super().__init__(f"no {kind} {how} {record_id}")
        self.kind = kind
        self.record_id = record_id


class StoreError(ShiftDeskError):
    """The database file cannot be used; the file itself was left untouched."""


class StoreMissing(StoreError):
    """No store at the path, and the caller did not ask for one to be created."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no ShiftDesk database at {path}")
        self.path = path
