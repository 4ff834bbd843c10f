"""Clock events: recorded through core.punches (an active person, no duplicate), and
append-only: PATCH and DELETE are not routed (405) and a PUT over an existing punch
is refused, since a wrong punch is put right by a correction of its own."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.models import ClockEvent, Synced
from core.punches import record_punch
from core.wire import COLLECTIONS, Collection
from server.envelope import ApiError
from server.routers.collections import Endpoint, Ops


def _never_changed(spec: Collection) -> ApiError:
    return ApiError(
        409,
        "APPEND_ONLY",
        f"a {spec.item} is never changed or deleted once recorded;"
        " correct the day's attendance instead",
    )


class PunchOps(Ops):
    append_only = True
    removable = False

    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        record_punch(
            session,
            employee_id=values["employee_id"],
            kind=values["kind"],
            at=values["at_utc"],
            source=values.get("source", "manual"),
            device_id=values.get("device_id"),
            punch_id=record_id,
        )
        punch = session.get(ClockEvent, record_id)
        assert punch is not None
        return punch

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        raise _never_changed(spec)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        raise _never_changed(spec)


ENDPOINT = Endpoint(COLLECTIONS["clockevents"], "attendance", PunchOps())
