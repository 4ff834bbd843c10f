"""The company's rules for pay, attendance and rostering, editable, one row per company.

The policy replicates like any record (the ``paypolicies`` collection), so what an
office sets reaches every site's payroll. There is exactly one per company, made
with it on every store and on the server alike, so its id is its company's id: a
site and the server name the same record without asking each other, and a pulled
policy lands on the row the store already has.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Synced

#: Where each setting may lie (inclusive, in its own unit): the ranges core checks
#: (:mod:`core.policy`) and the wire publishes (:mod:`core.wire`).
LIMITS: dict[str, tuple[int | Decimal, int | Decimal]] = {
    "grace_minutes": (0, 240),
    "daily_overtime_hours": (Decimal(0), Decimal(24)),
    "weekly_overtime_hours": (Decimal(0), Decimal(168)),
    "overtime_multiplier": (Decimal(1), Decimal(10)),
    "late_penalty_per_minute": (Decimal(0), Decimal(1000)),
    "match_before_minutes": (0, 1440),
    "match_after_minutes": (0, 1440),
    "week_start": (0, 6),
    "min_rest_hours": (Decimal(0), Decimal(48)),
    "max_consecutive_days": (0, 31),
    "max_shift_hours": (Decimal(0), Decimal(24)),
    "unpaid_break_minutes": (0, 240),
    "unpaid_break_after_hours": (Decimal(0), Decimal(24)),
}
#: Which day an overnight shift's hours count toward.
OVERNIGHT_DAYS = ("start", "end")

#: The settings that change what payroll computes: which punches match which shift,
#: which day an overnight shift counts on, where the payroll week starts, lateness
#: forgiven, overtime, its price, the late penalty and the automatic unpaid break.
#: Pay data, read and set with the pay scopes (:mod:`core.wire`), held as they were
#: by a closed pay period (:mod:`core.pay_periods`), and the whole of attendance's
#: ``Rules``. The rest (rest, days in a row, long shifts) only warn the scheduler.
PAY_FIELDS = (
    "grace_minutes",
    "daily_overtime_hours",
    "weekly_overtime_hours",
    "overtime_multiplier",
    "late_penalty_per_minute",
    "match_before_minutes",
    "match_after_minutes",
    "overnight_day",
    "week_start",
    "unpaid_break_minutes",
    "unpaid_break_after_hours",
)
#: The pay settings that place work: the day an overnight shift counts on and the
#: shift a punch belongs to. A closed period does not keep them (only the rest of
#: PAY_FIELDS): every span of days, and the refusals of edits into closed periods,
#: must give one answer at a period's edge, so they always read the policy as it
#: stands (and :func:`core.pay_periods.refuse_overnight_change` guards the day).
PLACING_FIELDS = ("overnight_day", "match_before_minutes", "match_after_minutes")


class PayPolicy(Synced, Base):
    __tablename__ = "pay_policy"
    __collection__ = "paypolicies"
    #: Made with its company everywhere: its creation is no news to send, and it goes
    #: only with its company (see :mod:`core.outbox`).
    __made_with_company__ = True

    def __init__(self, **values: Any) -> None:
        if values.get("id") is None and values.get("company_id") is not None:
            values["id"] = values["company_id"]
        super().__init__(**values)

    company_id: Mapped[str] = mapped_column(ForeignKey("company.id"), unique=True)
    #: Minutes of lateness or early departure forgiven.
    grace_minutes: Mapped[int] = mapped_column(default=5)
    #: Hours per day and per week after which time is overtime (0 disables one).
    daily_overtime_hours: Mapped[Decimal] = mapped_column(default=Decimal(8))
    weekly_overtime_hours: Mapped[Decimal] = mapped_column(default=Decimal(40))
    overtime_multiplier: Mapped[Decimal] = mapped_column(default=Decimal("1.5"))
    #: Deducted per minute late beyond the grace period.
    late_penalty_per_minute: Mapped[Decimal] = mapped_column(default=Decimal(0))
    #: A punch matches a shift from this many minutes before its start...
    match_before_minutes: Mapped[int] = mapped_column(default=120)
    #: ...to this many minutes after its end.
    match_after_minutes: Mapped[int] = mapped_column(default=240)
    #: Which day an overnight shift's hours count toward: "start" or "end".
    overnight_day: Mapped[str] = mapped_column(String(8), default="start")
    #: First day of the payroll week, 0 = Monday.
    week_start: Mapped[int] = mapped_column(default=0)
    #: Hours of rest wanted between two shifts of one person (a warning).
    min_rest_hours: Mapped[Decimal] = mapped_column(default=Decimal(11))
    #: Most days in a row one person should work (a warning).
    max_consecutive_days: Mapped[int] = mapped_column(default=6)
    #: A shift longer than this many hours is worth a second look (a warning; 0: none).
    max_shift_hours: Mapped[Decimal] = mapped_column(default=Decimal(12), server_default=text("12"))
    #: A day's work of at least ``unpaid_break_after_hours`` has an unpaid break of at
    #: least this many minutes: payroll tops a shorter punched break up to it and the
    #: labour forecast deducts it from the scheduled day (0: no automatic break).
    unpaid_break_minutes: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    unpaid_break_after_hours: Mapped[Decimal] = mapped_column(
        default=Decimal(6), server_default=text("6")
    )
