"""Shift templates: written through core.templates, so a rule is core's (no
FREQ=HOURLY, one that occurs from its start date) and a name is unique at a site."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import ShiftTemplate, Synced
from core.templates import TemplateDraft, create_template, delete_template, edit_template
from core.wire import COLLECTIONS, Collection
from server.routers.collections import Endpoint, Ops


class TemplateOps(Ops):
    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        create_template(session, TemplateDraft(**values), template_id=record_id)
        template = session.get(ShiftTemplate, record_id)
        assert template is not None
        return template

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        edit_template(session, record.id, **values)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        delete_template(session, record.id)


ENDPOINT = Endpoint(COLLECTIONS["shifttemplates"], "schedule", TemplateOps())
