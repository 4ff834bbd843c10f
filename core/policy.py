"""The store's pay policy as people change it: read it, and set any field within its bounds.

A store holds one company and its one :class:`PayPolicy` (made with the store). Its
fields are changed through :func:`set_policy`, which checks each value here once,
naming the field with a sentence that says what is allowed, and records the change
as one undo step, as every operation does. The policy replicates (the
``paypolicies`` collection): the edit is queued for the server like any other, and
the server changes a policy through this same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import undo
from core.errors import ValidationError
from core.models import Company, PayPolicy
from core.models.policy import LIMITS, OVERNIGHT_DAYS
from core.money import hours
from core.pay_periods import refuse_overnight_change
from core.results import OpResult

#: The longest limit a shift can be given: a day.
MAX_SHIFT_HOURS_CEILING = LIMITS["max_shift_hours"][1]


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
    late_penalty_per_minute: Decimal
    match_before_minutes: int
    match_after_minutes: int
    overnight_day: str
    week_start: int
    unpaid_break_minutes: int
    unpaid_break_after_hours: Decimal


@dataclass(frozen=True)
class Setting:
    """How one numeric field is checked and talked about."""

    #: The unit a value is counted in ("hours", "minutes"); "" for a bare number.
    unit: str
    #: Decimal places allowed; 0 for a whole number.
    places: int = 0
    #: What a typical value looks like, for the sentence refusing a malformed one.
    example: str = ""
    #: What the bounds mean, said after a value outside them.
    note: str = ""


_PLACES = {2: "two", 4: "four"}

#: Every numeric field, in the order ``policy show`` lists them.
SETTINGS: dict[str, Setting] = {
    "max_shift_hours": Setting("hours", 2, "12 or 10.5", "0 turns the long-shift warning off"),
    "min_rest_hours": Setting("hours", 2, "11 or 10.5", "0 turns the rest warning off"),
    "max_consecutive_days": Setting("days", note="0 turns the days-in-a-row warning off"),
    "grace_minutes": Setting("minutes"),
    "daily_overtime_hours": Setting("hours", 2, "8 or 7.5", "0 turns daily overtime off"),
    "weekly_overtime_hours": Setting("hours", 2, "40 or 37.5", "0 turns weekly overtime off"),
    "overtime_multiplier": Setting("", 2, "1.5", "1 pays overtime as regular time"),
    "late_penalty_per_minute": Setting("", 4, "0.25", "an amount per minute late; 0: none"),
    "match_before_minutes": Setting("minutes", note="before a shift's start"),
    "match_after_minutes": Setting("minutes", note="after a shift's end"),
    "week_start": Setting("", note="0 = Monday ... 6 = Sunday"),
    "unpaid_break_minutes": Setting("minutes", note="0: no automatic break"),
    "unpaid_break_after_hours": Setting("hours", 2, "6 or 5.5"),
}

#: Every field :func:`set_policy` takes.
FIELDS = (*SETTINGS, "overnight_day")

#: The days ``week_start`` counts, 0 = Monday; it takes their names too.
WEEK_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
    values = {
        name: hours(value) if setting.unit == "hours" else value
        for name, setting in SETTINGS.items()
        for value in [getattr(policy, name)]
    }
    return PolicyRow(
        company=company.name if company is not None else policy.company_id,
        overnight_day=policy.overnight_day,
        **values,
    )


def _range(lo: object, hi: object, unit: str) -> str:
    return f"{lo} to {hi}{f' {unit}' if unit else ''}"


def allowed(name: str) -> str:
    """What a numeric field takes, as its refusal says it: ``0 to 24 hours (0 turns
    daily overtime off)``, so a form can show the bounds before anyone is refused."""
    setting = SETTINGS[name]
    lo, hi = LIMITS[name]
    note = f" ({setting.note})" if setting.note else ""
    return f"{_range(lo, hi, setting.unit)}{note}"


def checked(name: str, value: object) -> object:
    """One field's value as the policy stores it, from a number or as typed ("10.5",
    "10,5"; a day's name for ``week_start``); a :class:`ValidationError` naming the
    field and saying what is allowed otherwise."""
    if name == "overnight_day":
        text = str(value).strip().lower()
        if text not in OVERNIGHT_DAYS:
            raise ValidationError(
                name,
                f"{value!r} is neither start nor end (the day an overnight shift's hours"
                " count toward)",
            )
        return text
    if name not in SETTINGS:
        raise ValidationError(name, "is not a setting of the pay policy")
    setting = SETTINGS[name]
    lo, hi = LIMITS[name]
    text = str(value).strip().replace(",", ".")
    if name == "week_start" and text.lower() in WEEK_DAYS:
        return WEEK_DAYS.index(text.lower())
    try:
        number = Decimal(text) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    what = f"a number of {setting.unit}" if setting.unit else "a number"
    if setting.places == 0:
        what = f"a whole number of {setting.unit}" if setting.unit else "a whole number"
    if number is None or not number.is_finite() or (setting.places == 0 and number % 1):
        example = f" (e.g. {setting.example})" if setting.example else ""
        if not text:  # a field left empty: nothing to quote
            raise ValidationError(name, f"give {what}{example}")
        raise ValidationError(name, f"{value!r} is not {what}{example}")
    if not lo <= number <= hi:
        raise ValidationError(name, f"{text} is outside {allowed(name)}")
    if setting.places == 0:
        return int(number)
    step = Decimal(1).scaleb(-setting.places)
    if number != number.quantize(step):
        example = "10.25" if setting.places == 2 else "0.1234"
        raise ValidationError(
            name, f"{text} has more than {_PLACES[setting.places]} decimal places (e.g. {example})"
        )
    return number.quantize(step)


def checked_max_shift_hours(value: Decimal | int | str) -> Decimal:
    """The long-shift limit checked: hours from 0 (no warning) to 24."""
    return checked("max_shift_hours", value)  # type: ignore[return-value]


def set_policy(session: Session, *, company_id: str | None = None, **values: object) -> OpResult:
    """Change the fields given (a value of None leaves one as it is) on the policy of
    ``company_id`` (else the store's), every one checked first, as one undo step; a
    change to the values already held is no step (``applied`` False).

    The schedule's checks and payroll read the policy when they run, so the next one
    uses it, except on the days of a closed pay period, which keep the rules they
    were closed with (:func:`core.pay_periods.close_period`); the overnight day is
    refused while one holds overnight shifts. A field that is not a setting is
    refused by name.
    """
    unknown = [name for name in values if name not in FIELDS]
    if unknown:
        raise ValidationError(unknown[0], "is not a setting of the pay policy")
    policy = store_policy(session, company_id)
    wanted = {name: checked(name, value) for name, value in values.items() if value is not None}
    wanted = {k: v for k, v in wanted.items() if getattr(policy, k) != v}
    if not wanted:
        return OpResult(ids=(policy.id,))
    if "overnight_day" in wanted:
        refuse_overnight_change(session, policy.company_id)
    with undo.recording(session) as recorder:
        for key, value in wanted.items():
            setattr(policy, key, value)
    return recorder.result(ids=(policy.id,))
