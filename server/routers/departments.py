"""Departments: written through core.organisation, so a name is unique in any case
and a department still in use is not deleted from under its people."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import Department, Synced
from core.organisation import add_department, delete_department, edit_department
from core.wire import COLLECTIONS, Collection
from server.routers.collections import Endpoint, Ops


class DepartmentOps(Ops):
    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        add_department(
            session,
            values["name"],
            color=values.get("color"),
            site_id=values["site_id"],
            department_id=record_id,
        )
        dept = session.get(Department, record_id)
        assert dept is not None
        return dept

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        edit_department(session, record.id, **values)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        delete_department(session, record.id)


ENDPOINT = Endpoint(COLLECTIONS["departments"], "schedule", DepartmentOps())
