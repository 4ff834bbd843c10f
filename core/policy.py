"""The store's pay policy as people change it: read it, and set a field within its bounds.

A store holds one company and its one :class:`PayPolicy` (made with the store). Until
now its fields could only be changed in the database; the command line (and any
form) changes them through :func:`set_policy`, which checks each value here once and
records the change as one undo step, as every operation does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import undo
from core.errors import ValidationError
from core.models import Company, PayPolicy
from core.money import hours
from core.results import OpResult

#: The longest limit a shift can be given: a day.
MAX_SHIFT_HOURS_CEILING = Decimal(24)


@dataclass(frozen=True)
class PolicyRow:
    """The policy's fields people set, as plain values (what ``policy show`` prints)."""

    company: str
    #: A shift longer than this is warned about; 0: no such warning.
    max_shift_hours: Decimal
    min_rest_hours: Decimal
    max_consecutive_days: int
    grace_minutes: int
    daily_overtime_hours: Decimal
    weekly_overtime_hours: Decimal
    overtime_multiplier: Decimal
    unpaid_break_minutes: int
    unpaid_break_after_hours: Decimal


def store_policy(session: Session, company_id: str | None = None) -> PayPolicy:
    """The pay policy of ``company_id``, else of the store's only company."""
    if company_id is None:
        companies = list(session.scalars(select(Company.id).limit(2)))
        if len(companies) != 1:
            problem = (
                "the store has several companies; name one"
                if companies
                else ("the store is not set up yet; set it up first (company, site and time zone)")
            )
            raise ValidationError("company", problem)
        company_id = companies[0]
    policy = session.scalar(select(PayPolicy).where(PayPolicy.company_id == company_id))
    if policy is None:
        raise ValidationError("company", f"no pay policy for company {company_id}")
    return policy


def show_policy(session: Session, company_id: str | None = None) -> PolicyRow:
    policy = store_policy(session, company_id)
    company = session.get(Company, policy.company_id)
    return PolicyRow(
        company=company.name if company is not None else policy.company_id,
        max_shift_hours=hours(policy.max_shift_hours),
        min_rest_hours=hours(policy.min_rest_hours),
        max_consecutive_days=policy.max_consecutive_days,
        grace_minutes=policy.grace_minutes,
        daily_overtime_hours=hours(policy.daily_overtime_hours),
        weekly_overtime_hours=hours(policy.weekly_overtime_hours),
        overtime_multiplier=policy.overtime_multiplier,
        unpaid_break_minutes=policy.unpaid_break_minutes,
        unpaid_break_after_hours=hours(policy.unpaid_break_after_hours),
    )


def checked_max_shift_hours(value: Decimal | int | str) -> Decimal:
    """The long-shift limit checked: hours from 0 (no warning) to 24, as typed
    ("10.5", "10,5") or as a number; a clear sentence naming the field otherwise."""
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(
            "max_shift_hours", f"{value!r} is not a number of hours (e.g. 12 or 10.5)"
        )
    if not 0 <= number <= MAX_SHIFT_HOURS_CEILING:
        raise ValidationError(
            "max_shift_hours",
            f"{text} is outside 0 to 24 hours (0 turns the long-shift warning off)",
        )
    checked = hours(number)
    if checked != number:
        raise ValidationError(
            "max_shift_hours", f"{text} has more than two decimal places (e.g. 10.25)"
        )
    return checked


def set_policy(
    session: Session,
    *,
    max_shift_hours: Decimal | int | str | None = None,
    company_id: str | None = None,
) -> OpResult:
    """Change the fields given (None leaves one as it is) on the store's policy, as
    one undo step; a change to the value already held is no step (``applied`` False).

    The schedule's checks read the policy when they run, so the next check uses it.
    """
    policy = store_policy(session, company_id)
    wanted: dict[str, object] = {}
    if max_shift_hours is not None:
        wanted["max_shift_hours"] = checked_max_shift_hours(max_shift_hours)
    wanted = {k: v for k, v in wanted.items() if getattr(policy, k) != v}
    if not wanted:
        return OpResult(ids=(policy.id,))
    with undo.recording(session) as recorder:
        for key, value in wanted.items():
            setattr(policy, key, value)
    return recorder.result(ids=(policy.id,))
