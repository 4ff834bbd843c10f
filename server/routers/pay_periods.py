"""Closed pay periods: written through core.pay_periods, so the server keeps the same
record of what is closed as the sites do, and refuses (through core's rules) any
later write into a closed period, from whichever site it comes.

A period is closed by creating its record and reopened by setting who reopened it,
when and why (a PATCH); its days never change and it is never deleted, since the
record is the trail of what was paid and why it was opened again. It keeps the
pay rules it was closed with (``payRules``, pay data): those the site sent, or,
from a key that may not set pay data, the company's policy as the server holds it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.errors import IllegalState
from core.models import PayPeriod, Synced
from core.pay_periods import close_period, reopen
from core.wire import COLLECTIONS, Collection
from server.routers.collections import Endpoint, Ops

PAY_PERIODS = COLLECTIONS["payperiods"]
_FIXED = ("first_day", "last_day", "closed_by", "closed_at", "pay_rules")


class PayPeriodOps(Ops):
    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        close_period(
            session,
            values["first_day"],
            values["last_day"],
            actor=values["closed_by"],
            company_id=company_id,
            now=values.get("closed_at"),
            period_id=record_id,
            pay_rules=values.get("pay_rules"),
        )
        period = session.get(PayPeriod, record_id)
        assert period is not None
        if values.get("reopened_at") or values.get("reopened_by"):  # closed and reopened offline
            self._reopen(session, period, values, actor)
        return period

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, PayPeriod)
        for key in _FIXED:
            if key in values and values[key] != getattr(record, key):
                raise IllegalState(
                    key,
                    "a closed period keeps its days, who closed it and the pay rules it"
                    " was paid with; reopen it instead",
                )
        reopening = {"reopened_by", "reopened_at", "reopen_reason"} & set(values)
        if reopening and record.reopened_at is None:
            self._reopen(session, record, values, actor)

    @staticmethod
    def _reopen(session: Session, period: PayPeriod, values: dict, actor: str) -> None:
        reopen(
            session,
            period,
            actor=values.get("reopened_by") or actor,
            reason=values.get("reopen_reason", ""),
            now=values.get("reopened_at"),
        )

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        raise IllegalState("id", "a pay period is reopened (with a reason), never deleted")


ENDPOINT = Endpoint(PAY_PERIODS, "attendance", PayPeriodOps(), order=lambda m: (m.first_day, m.id))
