"""The columns of the payroll summary and detail, defined once for every format.

A summary column may carry a formula template; ``{name}`` stands for the cell of
the column called ``name`` in the same row. The xlsx writer turns it into a live
formula (with core's figure as its cached value); the CSV writer writes the figure.
A row where a cell the formula uses is blank (the overtime multiplier of a line
paid at several) gets core's figure instead: a formula would price it otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from string import Formatter
from typing import Any

from core.payroll import PayDay, PayLine
from core.timeutil import to_local


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    HOURS = "hours"
    MONEY = "money"
    FACTOR = "factor"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    kind: Kind
    value: Callable[[Any], Any]
    formula: str | None = None
    #: Summed in the totals row.
    total: bool = False

    @property
    def uses(self) -> tuple[str, ...]:
        """The columns its formula refers to."""
        if self.formula is None:
            return ()
        return tuple(name for _, name, _, _ in Formatter().parse(self.formula) if name)


SUMMARY: tuple[Column, ...] = (
    Column("code", "Code", Kind.TEXT, lambda line: line.person.code or ""),
    Column("name", "Employee", Kind.TEXT, lambda line: line.person.name),
    Column("rate", "Hourly rate", Kind.MONEY, lambda line: line.rate),
    Column("regular", "Regular h", Kind.HOURS, lambda line: line.regular_hours, total=True),
    Column("overtime", "Overtime h", Kind.HOURS, lambda line: line.overtime_hours, total=True),
    Column("multiplier", "OT multiplier", Kind.FACTOR, lambda line: line.multiplier),
    Column("leave", "Paid leave h", Kind.HOURS, lambda line: line.paid_leave_hours, total=True),
    Column("late", "Late min", Kind.COUNT, lambda line: line.late_minutes, total=True),
    Column("penalty", "Lateness penalty", Kind.MONEY, lambda line: line.penalty, total=True),
    Column(
        "regular_pay",
        "Regular pay",
        Kind.MONEY,
        lambda line: line.regular_pay,
        formula="ROUND({regular}*{rate},2)",
        total=True,
    ),
    Column(
        "overtime_pay",
        "Overtime pay",
        Kind.MONEY,
        lambda line: line.overtime_pay,
        formula="ROUND({overtime}*{rate}*{multiplier},2)",
        total=True,
    ),
    Column(
        "leave_pay",
        "Leave pay",
        Kind.MONEY,
        lambda line: line.leave_pay,
        formula="ROUND({leave}*{rate},2)",
        total=True,
    ),
    Column(
        "gross",
        "Gross pay",
        Kind.MONEY,
        lambda line: line.gross,
        formula="{regular_pay}+{overtime_pay}+{leave_pay}-{penalty}",
        total=True,
    ),
    Column("employee_id", "Employee ID", Kind.TEXT, lambda line: line.person.id),
)


def _clock(day: PayDay, instant: datetime | None) -> str:
    """Local ``HH:MM``, marked ``(+1)``/``(-1)`` when it falls on another day."""
    if instant is None:
        return ""
    local = to_local(instant, day.record.timezone)
    shift = (local.date() - day.record.work_date).days
    return f"{local:%H:%M}" + (f" ({shift:+d})" if shift else "")


def _shifts(day: PayDay) -> str:
    return ", ".join(f"{_clock(day, s.start)}–{_clock(day, s.end)}" for s in day.record.shifts)


def _correction(day: PayDay) -> str:
    c = day.record.correction
    return "" if c is None else f"{c.author}: {c.reason}"


def _weekday(day: PayDay) -> str:
    return f"{day.record.work_date:%a}"


def _date(day: PayDay) -> date:
    return day.record.work_date


#: One row per employee-day; the row's PayLine comes along for the name and code.
DETAIL: tuple[Column, ...] = (
    Column("code", "Code", Kind.TEXT, lambda row: row[0].person.code or ""),
    Column("name", "Employee", Kind.TEXT, lambda row: row[0].person.name),
    Column("date", "Date", Kind.DATE, lambda row: _date(row[1])),
    Column("weekday", "Day", Kind.TEXT, lambda row: _weekday(row[1])),
    Column("shifts", "Shift(s)", Kind.TEXT, lambda row: _shifts(row[1])),
    Column("first_in", "First in", Kind.TEXT, lambda row: _clock(row[1], row[1].record.first_in)),
    Column("last_out", "Last out", Kind.TEXT, lambda row: _clock(row[1], row[1].record.last_out)),
    Column("break", "Break min", Kind.COUNT, lambda row: row[1].record.break_minutes),
    Column("worked", "Worked h", Kind.HOURS, lambda row: row[1].worked_hours),
    Column("regular", "Regular h", Kind.HOURS, lambda row: row[1].regular_hours),
    Column("daily_ot", "Daily OT h", Kind.HOURS, lambda row: row[1].daily_overtime_hours),
    Column("weekly_ot", "Weekly OT h", Kind.HOURS, lambda row: row[1].weekly_overtime_hours),
    Column("leave", "Paid leave h", Kind.HOURS, lambda row: row[1].paid_leave_hours),
    Column("late", "Late min", Kind.COUNT, lambda row: row[1].record.late_minutes),
    Column("early", "Early min", Kind.COUNT, lambda row: row[1].record.early_minutes),
    Column(
        "flags", "Flags", Kind.TEXT, lambda row: ", ".join(f.words for f in row[1].record.flags)
    ),
    Column("correction", "Correction", Kind.TEXT, lambda row: _correction(row[1])),
    Column(
        "approved", "Approved", Kind.TEXT, lambda row: "yes" if row[1].record.approved else "no"
    ),
)


def detail_rows(lines: tuple[PayLine, ...]) -> list[tuple[PayLine, PayDay]]:
    return [(line, day) for line in lines for day in line.days]


def plain(value: Any) -> Any:
    """A figure as text for CSV: Decimals keep their exact digits."""
    if isinstance(value, Decimal):
        cents = value.quantize(Decimal("0.01"))
        return f"{cents if cents == value else value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return value
