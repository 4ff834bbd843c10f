"""Hours and money are Decimal, quantized here and nowhere else."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
HOURS_PLACES = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def hours(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)


def minutes_to_hours(minutes: int | Decimal) -> Decimal:
    """Exact hours from minutes; quantize at the end of a computation, not per step."""
    return Decimal(minutes) / MINUTES_PER_HOUR


@lru_cache(maxsize=4096)
def minutes_as_hours(minutes: int) -> Decimal:
    """Whole minutes as the hours a day shows, rounded to hundredths. Cached: a month
    of a large site prices tens of thousands of day figures from a few hundred values."""
    return hours(minutes_to_hours(minutes))
