"""The Schedule view's verbs: each calls one core operation through the context.

The controller knows no widgets. It answers the view's questions (would this drop
clash?) and performs edits as undo steps; what the user must see or decide comes
out as signals the page turns into a notice or a question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import scheduling
from core.conflicts import members_by_department
from core.errors import ShiftDeskError
from core.pay_periods import PeriodClosed
from core.results import Check, OpResult
from core.roster import CopyScope, RosterFilter, copy_scope
from core.scheduling import ShiftDraft
from desktop.context import AppContext
from desktop.notice import plural


@dataclass(frozen=True)
class DropRequest:
    """A shift dragged from one person's row onto a person and a day."""

    shift_id: str
    from_employee_id: str
    employee_id: str
    day: date
    copy: bool = False

    @property
    def verb(self) -> str:
        return "Copy" if self.copy else "Move"


#: Reasons a notice names before it says "and N more" (a bulk step can meet hundreds).
SHOWN_REASONS = 3


def describe(check: Check, limit: int | None = None) -> str:
    """The reasons, as one sentence: a clash's alone when there is one (what else
    the drop would break does not matter once it cannot happen), else the warnings;
    with ``limit``, that many and how many more."""
    problems = check.conflicts or check.warnings
    shown = problems if limit is None else problems[:limit]
    more = len(problems) - len(shown)
    return "; ".join(p.reason for p in shown) + (f" and {more:,} more" if more else "")


class ScheduleController(QObject):
    #: ``kind`` ("error", "warning", "info") and a sentence for the notice bar.
    notice = Signal(str, str)
    #: A drop met only warnings: the page asks, then calls :meth:`apply_drop`.
    confirm_drop = Signal(object, object)  # DropRequest, Check

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._previews: dict[DropRequest, Check] = {}
        context.data_changed.connect(self._forget_previews)
        context.store_changed.connect(self._forget_previews)

    def _forget_previews(self, *_args: Any) -> None:
        self._previews.clear()

    # --- questions -------------------------------------------------------------------

    def preview(self, request: DropRequest) -> Check:
        """What a drop here would meet; asked on every hover, so answers are kept
        until data changes."""
        if request not in self._previews:
            with self.context.store.session() as session:
                self._previews[request] = scheduling.preview_move(
                    session,
                    request.shift_id,
                    day=request.day,
                    employee_id=request.employee_id,
                    from_employee_id=request.from_employee_id,
                    copy=request.copy,
                )
        return self._previews[request]

    def team_sizes(self, department_ids: Sequence[str]) -> dict[str, int]:
        """How many active members each department has: who a team shift binds."""
        with self.context.store.session() as session:
            found = members_by_department(session, department_ids)
        return {dept: len(members) for dept, members in found.items()}

    def check_draft(self, draft: ShiftDraft, exclude: Sequence[str] = ()) -> Check:
        """Raises ValidationError naming the field when the draft is not a shift."""
        with self.context.store.session() as session:
            return scheduling.check_draft(session, draft, exclude)

    # --- edits -----------------------------------------------------------------------

    def drop(self, request: DropRequest) -> None:
        """Refuse a hard conflict with its reason, ask about warnings, else apply."""
        self._previews.pop(request, None)
        check = self.preview(request)
        if check.conflicts:
            self.notice.emit("error", f"{request.verb} refused: {describe(check)}")
        elif check.warnings:
            self.confirm_drop.emit(request, check)
        else:
            self.apply_drop(request)

    def apply_drop(self, request: DropRequest) -> OpResult:
        op = scheduling.copy_shift if request.copy else scheduling.move_shift
        return self._run(
            f"{request.verb} shift",
            partial(
                op,
                shift_id=request.shift_id,
                day=request.day,
                employee_id=request.employee_id,
                from_employee_id=request.from_employee_id,
            ),
        )

    def create(self, draft: ShiftDraft) -> OpResult:
        return self._run("New shift", partial(scheduling.create_shift, draft=draft))

    def edit(self, shift_id: str, **changes: Any) -> OpResult:
        return self._run("Edit shift", partial(scheduling.edit_shift, shift_id=shift_id, **changes))

    def delete(self, shift_ids: Sequence[str]) -> OpResult:
        ids = list(dict.fromkeys(shift_ids))
        text = "Delete shift" if len(ids) == 1 else f"Delete {plural(len(ids), 'shift')}"
        result = self._run(text, partial(scheduling.delete_shifts, shift_ids=ids))
        if result.applied:
            self.notice.emit("info", f"Deleted {plural(len(ids), 'shift')}.")
        return result

    def copy_scope(self, week_start: date, filt: RosterFilter) -> CopyScope:
        """What "Copy last week" would copy into the week of ``week_start``, as the
        filters show the previous week."""
        with self.context.store.session() as session:
            return copy_scope(session, week_start, filt)

    def copy_previous_week(
        self, week_start: date, site_id: str | None, scope: CopyScope, where: str
    ) -> None:
        """The previous week's shifts in ``scope`` onto this week, unpublished, as one
        undo step; ``where`` says what the filters show ("in Kitchen"). Hundreds of
        shifts take seconds, so the copy runs on the writer thread and the notice
        says what it did when it is done."""
        count = plural(scope.count, "shift")
        self._run_in_background(
            f"Copy {count} {where} from the previous week",
            f"Copying {count} {where} from the previous week…",
            partial(
                scheduling.copy_week,
                source_start=scope.source_start,
                target_start=week_start,
                site_id=site_id,
                shift_ids=scope.shift_ids,
                employee_ids=scope.employee_ids,
                department_ids=scope.department_ids,
            ),
            partial(self._copied, where),
        )

    def _copied(self, where: str, result: OpResult) -> None:
        if result.skipped:
            reasons = "; ".join(c.reason for c in result.skipped[:SHOWN_REASONS])
            left = len(result.skipped) - SHOWN_REASONS
            more = f" and {left:,} more" if left > 0 else ""
            self.notice.emit(
                "warning",
                f"Copied {plural(len(result.ids), 'shift')} {where};"
                f" {len(result.skipped)} left out: {reasons}{more}",
            )
        elif result.applied:
            self.notice.emit(
                "info", f"Copied {plural(len(result.ids), 'shift')} {where} from the previous week."
            )

    def publish(self, shift_ids: Sequence[str], where: str) -> None:
        """Publish these shown shifts as one undo step on the writer thread; ``where``
        says what is shown."""
        count = plural(len(shift_ids), "shift")
        self._run_in_background(
            f"Publish {count} {where}",
            f"Publishing {count} {where}…",
            partial(scheduling.publish_shifts, shift_ids=list(shift_ids)),
            partial(self._published, where),
        )

    def _published(self, where: str, result: OpResult) -> None:
        if result.applied:
            self.notice.emit("info", f"Published {plural(len(result.ids), 'shift')} {where}.")

    def _run_in_background(
        self, text: str, doing: str, operation: Any, then: Callable[[OpResult], None]
    ) -> None:
        """The window's busy indicators show ``doing`` meanwhile; the outcome's
        notice (refusal, warnings, or ``then``'s) follows."""

        def done(result: OpResult) -> None:
            if not self._report(text, result):
                then(result)

        def failed(error: ShiftDeskError) -> None:
            if isinstance(error, PeriodClosed):  # publishing paid history
                self.notice.emit("error", f"{text} refused: {error.problem}")
                return
            self.notice.emit("error", f"{text} failed: {error}")

        self.context.run_in_background(text, doing, operation, done, failed)

    def _run(self, text: str, operation: Any) -> OpResult:
        """Each action replaces the last one's message: a refusal or warnings say
        so, a quiet success takes the old message away."""
        try:
            result = self.context.run(text, operation)
        except PeriodClosed as closed:  # deleting or publishing paid history
            self.notice.emit("error", f"{text} refused: {closed.problem}")
            return OpResult()
        if not self._report(text, result) and result.applied:
            self.notice.emit("info", "")
        return result

    def _report(self, text: str, result: OpResult) -> bool:
        """Say a refusal or the warnings met; True when it said something."""
        if result.conflicts:
            reasons = describe(Check(result.conflicts), SHOWN_REASONS)
            self.notice.emit("error", f"{text} refused: {reasons}")
        elif result.warnings:
            reasons = describe(Check((), result.warnings), SHOWN_REASONS)
            self.notice.emit("warning", f"{text} done. {reasons}")
        else:
            return False
        return True
