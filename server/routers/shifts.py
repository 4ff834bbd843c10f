"""Shifts: writes go through core.scheduling so the overlap and leave rules are core's;
lists filter by date, range, department, status and assigned people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, func, inspect, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from core.errors import CLOSED_PERIOD, ConflictError, IllegalState
from core.models import Shift, ShiftEmployee, Synced
from core.results import OpResult
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift
from core.wire import COLLECTIONS, DATE, INVALID, Collection, Problem, WireError, parse_id
from server import docs
from server.routers.collections import Endpoint, Ops

SHIFTS = COLLECTIONS["shifts"]


def _refused(result: OpResult) -> None:
    """A clash is 409; a closed pay period is a state the change may not touch (422,
    as core's own refusals of deletes and publishing in one are)."""
    closed = [c for c in result.conflicts if c.kind == CLOSED_PERIOD]
    if closed:
        raise IllegalState("shift_date", closed[0].reason)
    if result.conflicts:
        raise ConflictError(result.conflicts)


class ShiftOps(Ops):
    """Creates, edits and deletes through core.scheduling, so its rules decide."""

    #: An edit reads the shift with its people, departments and site, as core does.
    loaded = (joinedload(Shift.employees), joinedload(Shift.departments), joinedload(Shift.site))

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        flag = values.pop("flag", "")
        # A POST's id was made just now; a PUT's was looked up before this runs
        # (Writes._create holds what it found): one the session does not hold is in
        # no row, and core need not look for it.
        unheld = session.identity_map.get(identity_key(Shift, record_id)) is None
        _refused(create_shift(session, ShiftDraft(**values), shift_id=record_id, unheld=unheld))
        shift = session.get(Shift, record_id)
        assert shift is not None
        shift.flag = flag
        for name in {"employees", "departments"} & inspect(shift).unloaded:
            # Assignments core never touched: a new shift has none, so none to read back.
            set_committed_value(shift, name, [])
        return shift

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, Shift)
        if "flag" in values:  # a note for people, not part of the schedule's rules
            record.flag = values.pop("flag")
        if values:
            _refused(edit_shift(session, record.id, **values))

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        delete_shifts(session, [record.id])


def _date(params: Mapping[str, str], name: str) -> Any:
    try:
        return DATE.parse(params[name])
    except ValueError as exc:
        raise WireError([Problem(name, INVALID, str(exc))]) from exc


def shift_filters(params: Mapping[str, str]) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for name, compare in (
        ("shiftDate", Shift.shift_date.__eq__),
        ("from", Shift.shift_date.__ge__),
        ("to", Shift.shift_date.__le__),
    ):
        if name in params:
            clauses.append(compare(_date(params, name)))
    op = params.get("assignedUserIds_op", "overlap")
    if op not in ("contains", "overlap"):
        raise WireError([Problem("assignedUserIds_op", INVALID, "must be contains or overlap")])
    if "assignedUserIds" in params:
        try:
            ids = sorted({parse_id(v) for v in params["assignedUserIds"].split(",")})
        except ValueError as exc:
            raise WireError([Problem("assignedUserIds", INVALID, str(exc))]) from exc
        matching = (
            select(ShiftEmployee.shift_id)
            .where(ShiftEmployee.employee_id.in_(ids))
            .group_by(ShiftEmployee.shift_id)
        )
        if op == "contains":
            matching = matching.having(func.count() == len(ids))
        clauses.append(Shift.id.in_(matching))
    return clauses


_LIST = {"type": "string", "pattern": "^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36})*$"}

ENDPOINT = Endpoint(
    SHIFTS,
    "schedule",
    ShiftOps(),
    extra_filters=shift_filters,
    extra_params=(
        docs.query("shiftDate", "on this date", {"type": "string", "format": "date"}),
        docs.query("from", "on or after this date", {"type": "string", "format": "date"}),
        docs.query("to", "on or before this date", {"type": "string", "format": "date"}),
        docs.query("assignedUserIds", "comma-separated employee ids", _LIST),
        docs.query(
            "assignedUserIds_op",
            "contains: every id assigned; overlap: any of them",
            {"type": "string", "enum": ["contains", "overlap"]},
        ),
    ),
    order=lambda m: (m.shift_date, m.start_time, m.id),
)
