"""Employees: written through core.employees, so a payroll code is one person's, the
fields follow the same rules as the desktop's and an HR file's, and ``employed:
false`` is a deactivation (the person comes off the shifts ahead of them, and those
shifts reach the feed too)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.employees import (
    EmployeeDraft,
    add_employee,
    deactivate_employee,
    delete_employee,
    edit_employee,
    reactivate_employee,
)
from core.models import Employee, Synced
from core.wire import COLLECTIONS, Collection
from server.routers.collections import Endpoint, Ops, publish_side_effects


class EmployeeOps(Ops):
    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        add_employee(session, EmployeeDraft(**values), employee_id=record_id)
        employee = session.get(Employee, record_id)
        assert employee is not None
        return employee

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, Employee)
        active = values.pop("active", record.active)
        if values:
            edit_employee(session, record.id, **values)
        if active != record.active:
            if active:
                reactivate_employee(session, record.id)
            else:
                publish_side_effects(session, deactivate_employee(session, record.id), record)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        delete_employee(session, record.id)


ENDPOINT = Endpoint(COLLECTIONS["employees"], "schedule", EmployeeOps())
