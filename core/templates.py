"""Shift templates: keeping them, and applying them to people over a date range.

Applying is two steps, as the supervisor sees it: :func:`expand_templates` (or
:func:`expand_template` for one) is a dry run listing every proposed shift with
its conflicts and warnings, and :func:`commit_expansion` writes those shifts in
one transaction (:func:`apply_templates` does both at once). The conflict rules
are :mod:`core.scheduling`'s bulk plan, which checks the whole batch against the
store and against itself while reading the range once, so applying many
templates together is one read and one write however many there are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import recurrence, undo
from core.bulk import gc_paused
from core.changes import Changes
from core.conflicts import members_by_department
from core.errors import Duplicate, NotFound, ValidationError
from core.models import Department, ShiftTemplate, Site, new_id
from core.results import Check, Conflict, OpResult, RuleWarning
from core.scheduling import BulkPlan, Placed, ShiftDraft, day_long_warnings, plan_bulk, write_bulk
from core.store import Store
from core.timeutil import parse_hhmm

TEMPLATES = Changes.TEMPLATES

#: The longest range one application may cover, so expansion stays bounded.
MAX_RANGE = timedelta(days=5 * 366)


@dataclass(frozen=True)
class TemplateDraft:
    """A template as plain values: what a form or a command line fills in."""

    site_id: str
    name: str
    start_time: str
    end_time: str
    rrule: str
    dtstart: date
    description: str = ""
    department_id: str | None = None
    location: str = ""


_FIELDS = tuple(f.name for f in fields(TemplateDraft))


def _validate(
    session: Session, draft: TemplateDraft, template_id: str | None = None
) -> tuple[TemplateDraft, str]:
    """The draft, tidied, and its site's company; every problem names its field.

    A name is unique among a site's live templates (ignoring case), since people
    pick a template by its name.
    """
    if not draft.name.strip():
        raise ValidationError("name", "give the template a name")
    site = session.get(Site, draft.site_id)
    if site is None:
        raise ValidationError("site", f"no site with id {draft.site_id}")
    parse_hhmm(draft.start_time, "start")
    parse_hhmm(draft.end_time, "end")
    if not isinstance(draft.dtstart, date):
        raise ValidationError("dtstart", f"{draft.dtstart!r} is not a date")
    recurrence.validate(draft.rrule, draft.dtstart, site.timezone)
    if draft.department_id is not None:
        dept = session.get(Department, draft.department_id)
        if dept is None or dept.deleted:
            raise ValidationError("department", f"no department with id {draft.department_id}")
    tidy = replace(
        draft,
        name=draft.name.strip(),
        start_time=draft.start_time.strip(),
        end_time=draft.end_time.strip(),
        rrule=draft.rrule.strip(),
    )
    same = next(
        (
            t
            for t in live_templates(session, site_id=site.id)
            if t.id != template_id and t.name.casefold() == tidy.name.casefold()
        ),
        None,
    )
    if same is not None:
        raise Duplicate(
            "name",
            f"{site.name} already has a template called {same.name!r}"
            f" ({same.start_time}–{same.end_time}, id {same.id})",
        )
    return tidy, site.company_id


def get_template(session: Session, template_id: str) -> ShiftTemplate:
    template = session.get(ShiftTemplate, template_id)
    if template is None or template.deleted:
        raise NotFound("template", template_id)
    return template


def live_templates(session: Session, *, site_id: str | None = None) -> list[ShiftTemplate]:
    query = select(ShiftTemplate).where(ShiftTemplate.deleted.is_(False))
    if site_id:
        query = query.where(ShiftTemplate.site_id == site_id)
    return list(session.scalars(query.order_by(ShiftTemplate.name, ShiftTemplate.id)))


# --- keeping templates ------------------------------------------------------------------


def create_template(
    session: Session, draft: TemplateDraft, *, template_id: str | None = None
) -> OpResult:
    draft, company_id = _validate(session, draft, template_id)
    new = template_id or new_id()
    with undo.recording(session) as recorder:
        session.add(ShiftTemplate(id=new, company_id=company_id, **vars(draft)))
    return recorder.result(warnings=_time_warnings(draft), ids=(new,))


def edit_template(session: Session, template_id: str, **changes: Any) -> OpResult:
    """Change any of a template's fields (those of :class:`TemplateDraft`)."""
    template = get_template(session, template_id)
    try:
        draft = replace(TemplateDraft(**{n: getattr(template, n) for n in _FIELDS}), **changes)
    except TypeError as exc:
        raise ValidationError("template", str(exc)) from exc
    draft, _ = _validate(session, draft, template_id)
    with undo.recording(session) as recorder:
        for name in _FIELDS:
            value = getattr(draft, name)
            if getattr(template, name) != value:
                setattr(template, name, value)
    return recorder.result(warnings=_time_warnings(draft), ids=(template_id,))


def _time_warnings(draft: TemplateDraft) -> tuple[RuleWarning, ...]:
    """A template's times warn as a shift's do: every shift it makes would last 24 hours."""
    return day_long_warnings(draft.start_time, draft.end_time)


def delete_template(session: Session, template_id: str) -> OpResult:
    """Soft delete, so the delete can sync; shifts made from it stay as they are."""
    template = get_template(session, template_id)
    with undo.recording(session) as recorder:
        template.deleted = True
    return recorder.result(ids=(template_id,))


# --- expansion ------------------------------------------------------------------------


class OnConflict(StrEnum):
    """What committing does with occurrences that clash."""

    SKIP = "skip"  # write the rest; the clashing ones come back in ``skipped``
    ABORT = "abort"  # write nothing; the conflicts come back


@dataclass(frozen=True)
class Application:
    """One template for some people: each employee gets a shift per occurrence, and
    each department gets one shift per occurrence assigned to it as a whole, or,
    with ``per_member``, each of its active members gets their own (checked for
    that person's clashes, and movable one by one)."""

    template_id: str
    employee_ids: tuple[str, ...] = ()
    department_ids: tuple[str, ...] = ()
    per_member: bool = False


@dataclass(frozen=True, slots=True)
class ProposedShift:
    """One shift an application would write, with what checking it found.

    A view of the plan's own item, not a copy of its fields: a year of templates
    lists 100,000 of them, and copying ten fields into each cost as much as
    checking them."""

    placed: Placed
    check: Check

    @property
    def template_id(self) -> str:
        return self.placed.draft.template_id or ""

    @property
    def shift_date(self) -> date:
        return self.placed.draft.shift_date

    @property
    def start_time(self) -> str:
        return self.placed.draft.start_time

    @property
    def end_time(self) -> str:
        return self.placed.draft.end_time

    @property
    def start_utc(self) -> datetime:
        return self.placed.start_utc

    @property
    def end_utc(self) -> datetime:
        return self.placed.end_utc

    @property
    def employee_id(self) -> str | None:
        employees = self.placed.draft.employee_ids
        return employees[0] if employees else None

    @property
    def department_id(self) -> str | None:
        departments = self.placed.draft.department_ids
        return departments[0] if departments else None

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.check.conflicts

    @property
    def warnings(self) -> tuple[RuleWarning, ...]:
        return self.check.warnings

    @property
    def ok(self) -> bool:
        return not self.check.conflicts


@dataclass(frozen=True)
class Expansion:
    """The dry run of applying templates: nothing of it has been written."""

    first: date
    last: date
    #: Each template's occurrence dates within the range.
    occurrences: Mapping[str, tuple[date, ...]]
    plan: BulkPlan = field(repr=False, compare=False)

    @cached_property
    def shifts(self) -> tuple[ProposedShift, ...]:
        """Every proposed shift in order; built when first asked (a commit needs none)."""
        with gc_paused():
            return self._proposed()

    def _proposed(self) -> tuple[ProposedShift, ...]:
        return tuple(ProposedShift(placed, check) for placed, check in self.plan.items)

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.plan.check.conflicts

    @property
    def warnings(self) -> tuple[RuleWarning, ...]:
        return self.plan.check.warnings

    @property
    def ok(self) -> bool:
        return not self.conflicts


def _drafts(
    template: ShiftTemplate,
    days: Sequence[date],
    app: Application,
    members: Mapping[str, Sequence[str]] | None = None,
) -> list[ShiftDraft]:
    """``members`` (each department's active employees) turns the whole departments
    into one shift per member; a member also chosen by name gets one shift."""
    # The template's fields are read once here, not through the ORM once per shift.
    site_id, start, end = template.site_id, template.start_time, template.end_time
    location, template_id, own = template.location, template.id, template.department_id
    assignments = [((emp,), (), own) for emp in app.employee_ids]
    if members is None:
        assignments += [((), (dept,), own or dept) for dept in app.department_ids]
    else:
        named = set(app.employee_ids)
        assignments += [
            ((emp,), (), own or dept)
            for dept in app.department_ids
            for emp in members.get(dept, ())
            if emp not in named
        ]
    return [
        ShiftDraft(
            site_id=site_id,
            shift_date=day,
            start_time=start,
            end_time=end,
            employee_ids=employees,
            department_ids=departments,
            location=location,
            department_id=department_id,
            template_id=template_id,
        )
        for day in days
        for employees, departments, department_id in assignments
    ]


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise ValidationError("to", f"the range ends ({last}) before it starts ({first})")
    if last - first >= MAX_RANGE:
        raise ValidationError(
            "to", f"a template is applied to at most {MAX_RANGE.days} days at once"
        )


def expand_templates(
    session: Session, applications: Sequence[Application], first: date, last: date
) -> Expansion:
    """The shifts applying these templates from ``first`` to ``last`` would write, each
    with its conflicts (with the store and within the whole batch) and warnings.

    Writes nothing. However many templates, the store is read once for the range.
    """
    with gc_paused():
        return _expand(session, applications, first, last)


def _expand(
    session: Session, applications: Sequence[Application], first: date, last: date
) -> Expansion:
    _check_range(first, last)
    drafts: list[ShiftDraft] = []
    occurrences: dict[str, tuple[date, ...]] = {}
    zones: dict[str, str] = {}
    for app in applications:
        app = Application(
            app.template_id,
            tuple(dict.fromkeys(app.employee_ids)),
            tuple(dict.fromkeys(app.department_ids)),
            app.per_member,
        )
        if not app.employee_ids and not app.department_ids:
            raise ValidationError("employees", "choose at least one employee or department")
        members = _members(session, app) if app.per_member else None
        template = get_template(session, app.template_id)
        if template.site_id not in zones:
            site = session.get(Site, template.site_id)
            assert site is not None
            zones[template.site_id] = site.timezone
        days = recurrence.occurrences(
            template.rrule, template.dtstart, first, last, zones[template.site_id]
        )
        occurrences[template.id] = tuple(days)
        drafts.extend(_drafts(template, days, app, members))
    plan = plan_bulk(session, drafts)
    return Expansion(first, last, occurrences, plan)


def _members(session: Session, app: Application) -> dict[str, list[str]]:
    """The chosen departments' active members, for one shift each; a choice that
    names nobody at all is refused rather than written as nothing."""
    members = members_by_department(session, app.department_ids)
    if not app.employee_ids and not any(members.values()):
        raise ValidationError("departments", "the chosen departments have no active members")
    return members


def expand_template(
    session: Session,
    template_id: str,
    first: date,
    last: date,
    employee_ids: Sequence[str] = (),
    department_ids: Sequence[str] = (),
    *,
    per_member: bool = False,
) -> Expansion:
    """The dry run of applying one template (see :func:`expand_templates`)."""
    app = Application(template_id, tuple(employee_ids), tuple(department_ids), per_member)
    return expand_templates(session, [app], first, last)


def _mode(on_conflict: OnConflict | str) -> OnConflict:
    try:
        return OnConflict(on_conflict)
    except ValueError:
        choices = ", ".join(m.value for m in OnConflict)
        raise ValidationError("on_conflict", f"{on_conflict!r} is not one of {choices}") from None


def commit_expansion(
    session: Session, expansion: Expansion, *, on_conflict: OnConflict | str = OnConflict.SKIP
) -> OpResult:
    """Write a dry run made in this same session, in one go; its undo removes every
    shift it wrote as one step (see :func:`core.scheduling.write_bulk`), where none
    of them changed since.

    With ``skip`` the clashing shifts are left out and listed in ``skipped``; with
    ``abort`` any clash means nothing is written and the conflicts are returned.
    """
    if _mode(on_conflict) is OnConflict.ABORT and not expansion.ok:
        return OpResult(conflicts=expansion.conflicts, warnings=expansion.warnings)
    return write_bulk(session, expansion.plan)


def apply_templates(
    session: Session,
    applications: Sequence[Application],
    first: date,
    last: date,
    *,
    on_conflict: OnConflict | str = OnConflict.SKIP,
) -> OpResult:
    """Expand and commit in one call: the dry run's rules, then one transaction."""
    _mode(on_conflict)
    expansion = expand_templates(session, applications, first, last)
    return commit_expansion(session, expansion, on_conflict=on_conflict)


@dataclass(frozen=True)
class DryRun:
    """A dry run to show, and to commit later in another session (the desktop's
    preview, then Apply) while the store is as the dry run read it."""

    expansion: Expansion
    applications: tuple[Application, ...]
    #: The store read, and its :meth:`~core.store.Store.data_version` before the read
    #: (a version means nothing for another store, even on the same file).
    store: Store = field(repr=False, compare=False)
    version: int


def dry_run(
    store: Store, session: Session, applications: Sequence[Application], first: date, last: date
) -> DryRun:
    """:func:`expand_templates` in a session of ``store``, kept for :func:`commit_dry_run`."""
    version = store.data_version()
    expansion = expand_templates(session, applications, first, last)
    return DryRun(expansion, tuple(applications), store, version)


def commit_dry_run(
    store: Store,
    session: Session,
    dry: DryRun,
    *,
    on_conflict: OnConflict | str = OnConflict.SKIP,
) -> OpResult:
    """Write the shifts the dry run showed, without expanding a year again, when
    nothing was committed to the store since it read it; otherwise expand again, so
    what is written is always checked against the roster as it is."""
    _mode(on_conflict)
    if dry.store is store and store.unchanged_since(session, dry.version):
        return commit_expansion(session, dry.expansion, on_conflict=on_conflict)
    e = dry.expansion
    return apply_templates(session, dry.applications, e.first, e.last, on_conflict=on_conflict)


def apply_template(
    session: Session,
    template_id: str,
    first: date,
    last: date,
    employee_ids: Sequence[str] = (),
    department_ids: Sequence[str] = (),
    *,
    on_conflict: OnConflict | str = OnConflict.SKIP,
) -> OpResult:
    """Apply one template (see :func:`apply_templates`)."""
    app = Application(template_id, tuple(employee_ids), tuple(department_ids))
    return apply_templates(session, [app], first, last, on_conflict=on_conflict)


def site_zones(session: Session) -> dict[str, str]:
    """Each site's time zone by id: the zone its templates' rules are read in."""
    return dict(session.execute(select(Site.id, Site.timezone).order_by(Site.name)).all())
