"""Closed pay periods: paid history that edits may no longer change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Synced
from core.timeutil import utcnow


class PayPeriod(Synced, Base):
    """A payroll period a manager closed after paying it, from ``first_day`` to
    ``last_day`` (local days, inclusive).

    Reopening keeps the record and says who reopened it, when and why, so the
    record is its own audit trail; closing the period again is a new record.
    A period is closed while ``reopened_at`` is None (see :mod:`core.pay_periods`).

    ``pay_rules`` keeps the pay policy's rules that payroll used when it was closed
    (its ``PAY_FIELDS``, as the wire shows them), so a later change of the policy
    does not re-price what was paid; None for a period closed before they were kept.
    """

    __tablename__ = "pay_period"
    __collection__ = "payperiods"
    __table_args__ = (Index("ix_pay_period_company_range", "company_id", "first_day"),)

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"))
    first_day: Mapped[date]
    last_day: Mapped[date]
    closed_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reopened_by: Mapped[str | None] = mapped_column(String(100), default=None)
    reopened_at: Mapped[datetime | None] = mapped_column(default=None)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    pay_rules: Mapped[dict[str, Any] | None] = mapped_column(default=None)
