"""The payroll workbook, written with XlsxWriter: Summary, Detail, To decide (when a
day waits for a supervisor) and Policy sheets.

Every formula is written together with the figure core computed for it, so the
workbook shows totals in previews, viewers and pandas before Excel recalculates,
and Excel's recalculation lands on the same numbers.

Accountants print the workbook or save it as PDF, so every sheet is set up for
paper: landscape, one page wide, the header row (and the name columns) repeated
on each page, and the company, period and page numbers in the page margins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from core.attendance import LEAVE_CREDIT_RULE, Rules
from core.export.columns import DETAIL, SUMMARY, Column, Kind, detail_rows
from core.pay_periods import period_label
from core.payroll import Payroll
from core.timeutil import as_utc

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Characters a column is wide at least and at most (longer text wraps).
MIN_WIDTH, MAX_WIDTH = 6, 40
#: The Summary's rows: a title line, then the table's header, then one row a person.
TITLE_ROW, SUMMARY_HEADER_ROW = 0, 1
#: Widths of the Policy sheet's columns; long values wrap within them.
POLICY_WIDTHS = (42, 64)


class _Formats:
    def __init__(self, book: Workbook, currency: str) -> None:
        money = f'#,##0.00 "{currency}"'
        self.header = book.add_format(
            {"bold": True, "bg_color": "#dde6f0", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.by_kind: dict[Kind, Format] = {
            Kind.TEXT: book.add_format({"text_wrap": True, "valign": "top"}),
            Kind.DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
            Kind.HOURS: book.add_format({"num_format": "0.00"}),
            Kind.MONEY: book.add_format({"num_format": money}),
            Kind.FACTOR: book.add_format({"num_format": "0.00"}),
            Kind.COUNT: book.add_format({"num_format": "0"}),
        }
        self.total: dict[Kind, Format] = {
            kind: book.add_format({"bold": True, "top": 1, **_num(kind, money)}) for kind in Kind
        }
        self.label = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        #: Policy values read left to right, numbers too, and wrap when long.
        left = {"align": "left", "valign": "top", "text_wrap": True}
        self.value = book.add_format(left)
        self.value_date = book.add_format({**left, "num_format": "yyyy-mm-dd"})


def _num(kind: Kind, money: str) -> dict[str, str]:
    return {
        Kind.HOURS: {"num_format": "0.00"},
        Kind.MONEY: {"num_format": money},
        Kind.COUNT: {"num_format": "0"},
    }.get(kind, {})


def _cell_value(value: Any) -> Any:
    """Workbook cells take floats; the Decimal's exact digits are what is shown."""
    return float(value) if isinstance(value, Decimal) else value


def _put(sheet: Worksheet, row: int, col: int, value: Any, style: Format) -> None:
    """Write a cell by its type's own call: ``write()`` tries every type and, for
    text, formulas and URLs first (a name starting with "=" would become a formula)."""
    if isinstance(value, str):
        if value:
            sheet.write_string(row, col, value, style)
        else:
            sheet.write_blank(row, col, None, style)
    elif value is None:
        sheet.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, style)
    elif isinstance(value, Decimal | int | float):
        sheet.write_number(row, col, float(value), style)
    else:
        sheet.write(row, col, value, style)


def _shown(value: Any, kind: Kind) -> str:
    """How wide a value looks once formatted, to size its column."""
    if value is None:
        return ""
    if kind in (Kind.HOURS, Kind.FACTOR):
        return f"{value:,.2f}"
    if kind is Kind.MONEY:
        return f"{value:,.2f} XXX"  # the currency code follows the figure
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


#: Points per line of text in a row (Calibri 11 as the workbook's default font).
LINE_HEIGHT = 15


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide.

    XlsxWriter cannot measure text and viewers do not refit rows written with
    wrapped text, so rows are made tall enough here, or lines print on each other.
    """
    usable = max(1.0, width - 1)  # proportional text is narrower; bold about as wide
    return sum(max(1, -(-len(part) // int(usable))) for part in text.split("\n"))


class _Widths:
    def __init__(self, columns: Sequence[Column]) -> None:
        self.widths = [len(c.header) for c in columns]

    def see(self, col: int, text: str) -> None:
        self.widths[col] = max(self.widths[col], len(text))

    def width(self, col: int) -> int:
        return min(MAX_WIDTH, max(MIN_WIDTH, self.widths[col] + 2))

    def apply(self, sheet: Worksheet) -> None:
        for col in range(len(self.widths)):
            sheet.set_column(col, col, self.width(col))


def _header(sheet: Worksheet, columns: Sequence[Column], fmt: _Formats, row: int = 0) -> None:
    for col, column in enumerate(columns):
        sheet.write_string(row, col, column.header, fmt.header)
    sheet.freeze_panes(row + 1, 2)


def period_text(report: Payroll) -> str:
    return f"{report.first:%d %b %Y} to {report.last:%d %b %Y}"


def title_text(report: Payroll) -> str:
    """The line above the Summary's table: whose payroll, and for when."""
    company = f"{report.company} – " if report.company else ""
    closed = f"; {report.period_status}" if report.period_status.startswith("Closed") else ""
    return f"{company}Payroll {period_text(report)} (amounts in {report.currency}){closed}"


def _margin_text(text: str) -> str:
    """Text for a page header or footer, where ``&`` starts a code."""
    return text.replace("&", "&&")


def _print_setup(
    sheet: Worksheet,
    report: Payroll,
    *,
    header_row: int,
    last_row: int,
    last_col: int,
    name_columns: bool,
) -> None:
    """Landscape, one page wide, the header row on every page, and the company,
    period and page numbers in the margins."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4; Excel and LibreOffice switch to Letter where that is usual
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.8)
    sheet.repeat_rows(header_row)
    if name_columns:  # kept on each page if someone prints at 100 % instead
        sheet.repeat_columns(0, 1)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.hide_gridlines(0)  # lines between cells on paper too: rows are easy to follow
    company = _margin_text(report.company)
    sheet.set_header(f'&L{company}&C&"-,Bold"Payroll {_margin_text(period_text(report))}&R&A')
    made = report.generated_at
    generated = "" if made is None else f"Generated {as_utc(made):%Y-%m-%d %H:%M} UTC"
    sheet.set_footer(f"&L{generated}&RPage &P of &N")


def _summary(book: Workbook, report: Payroll, fmt: _Formats) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.write_string(TITLE_ROW, 0, title_text(report), fmt.title)
    _header(sheet, SUMMARY, fmt, SUMMARY_HEADER_ROW)
    first = SUMMARY_HEADER_ROW + 1
    widths = _Widths(SUMMARY)
    letters = {c.name: xl_col_to_name(i) for i, c in enumerate(SUMMARY)}
    for n, line in enumerate(report.lines):
        row = first + n
        refs = {name: f"{letter}{row + 1}" for name, letter in letters.items()}
        values = {column.name: column.value(line) for column in SUMMARY}
        for col, column in enumerate(SUMMARY):
            value = values[column.name]
            widths.see(col, _shown(value, column.kind))
            style = fmt.by_kind[column.kind]
            if column.formula and all(values[name] is not None for name in column.uses):
                sheet.write_formula(
                    row, col, "=" + column.formula.format(**refs), style, _cell_value(value)
                )
            else:
                _put(sheet, row, col, value, style)
    last = len(report.lines)
    total_row = first + last
    sheet.write_string(total_row, 1, "Total", fmt.total[Kind.TEXT])
    for col, column in enumerate(SUMMARY):
        if not column.total:
            continue
        value = _cell_value(report.total(_FIGURE[column.name]))
        style = fmt.total[column.kind]
        if last:
            top = xl_rowcol_to_cell(first, col)
            bottom = xl_rowcol_to_cell(total_row - 1, col)
            sheet.write_formula(total_row, col, f"=SUM({top}:{bottom})", style, value)
        else:
            sheet.write_number(total_row, col, value, style)
        widths.see(col, _shown(value, column.kind))
    sheet.autofilter(SUMMARY_HEADER_ROW, 0, max(total_row - 1, first), len(SUMMARY) - 1)
    widths.apply(sheet)
    # The Employee ID is for matching in other systems, not for reading on paper.
    printed = [i for i, c in enumerate(SUMMARY) if c.name != "employee_id"]
    _print_setup(
        sheet,
        report,
        header_row=SUMMARY_HEADER_ROW,
        last_row=total_row,
        last_col=max(printed),
        name_columns=True,
    )


#: Which PayLine attribute each summed summary column shows.
_FIGURE = {
    "regular": "regular_hours",
    "overtime": "overtime_hours",
    "leave": "paid_leave_hours",
    "late": "late_minutes",
    "penalty": "penalty",
    "regular_pay": "regular_pay",
    "overtime_pay": "overtime_pay",
    "leave_pay": "leave_pay",
    "gross": "gross",
}


def _detail(book: Workbook, report: Payroll, fmt: _Formats) -> None:
    sheet = book.add_worksheet("Detail")
    _header(sheet, DETAIL, fmt)
    widths = _Widths(DETAIL)
    rows = detail_rows(report.lines)
    texts: list[list[tuple[int, str]]] = []
    for n, item in enumerate(rows):
        texts.append([])
        for col, column in enumerate(DETAIL):
            value = column.value(item)
            widths.see(col, _shown(value, column.kind))
            if column.kind is Kind.TEXT and value:
                texts[n].append((col, value))
            if column.kind is Kind.DATE:
                sheet.write_datetime(n + 1, col, _midnight(value), fmt.by_kind[column.kind])
            else:
                _put(sheet, n + 1, col, value, fmt.by_kind[column.kind])
    sheet.autofilter(0, 0, max(len(rows), 1), len(DETAIL) - 1)
    widths.apply(sheet)
    for n, cells in enumerate(texts):
        tall = max((_lines(text, widths.width(col)) for col, text in cells), default=1)
        if tall > 1:
            sheet.set_row(n + 1, LINE_HEIGHT * tall)
    _print_setup(
        sheet,
        report,
        header_row=0,
        last_row=max(len(rows), 1),
        last_col=len(DETAIL) - 1,
        name_columns=True,
    )


def _midnight(day: date) -> datetime:
    """XlsxWriter writes dates as datetimes; a date cell is midnight of its day."""
    return datetime(day.year, day.month, day.day)


def policy_rows(report: Payroll) -> list[tuple[str, Any]]:
    """What the Policy sheet states: the period and every rule that shaped the figures;
    where days were priced under different rules (a closed period keeps those it was
    closed with), the rules of each run of days, after the days they hold."""
    made = report.generated_at
    if report.spans:
        rules_rows = [
            row
            for span in report.spans
            for row in [
                ("Rules of the days", period_label(span.first, span.last)),
                *_rule_rows(span.rules),
            ]
        ]
    else:
        rules_rows = _rule_rows(report.rules)
    return [
        ("Period from", report.first),
        ("Period to", report.last),
        ("Pay period", report.period_status or "Open"),
        ("Currency", report.currency),
        *rules_rows,
        (
            "Overtime",
            "Daily overtime first; only regular hours count toward the weekly threshold,"
            " so no hour is overtime twice.",
        ),
        (
            "Lateness",
            "Minutes late beyond the grace period; a correction marked excused forgives them.",
        ),
        ("Paid leave", LEAVE_CREDIT_RULE),
        ("Rounding", _ROUNDING + (_MIXED_ROUNDING if report.spans else "")),
        ("Generated", "" if made is None else f"{as_utc(made):%Y-%m-%d %H:%M} UTC"),
    ]


_ROUNDING = "Hours to 0.01 per day; pay per component to the cent from the hours shown."
_MIXED_ROUNDING = (
    " Overtime paid at more than one multiplier (no multiplier shown) is each run of"
    " days' overtime pay, added."
)


def _rule_rows(rules: Rules) -> list[tuple[str, Any]]:
    """The settings of one set of rules, as the Policy sheet states them."""
    return [
        ("Grace period (minutes)", rules.grace_minutes),
        ("Daily overtime after (hours, 0 = off)", rules.daily_overtime_hours),
        ("Weekly overtime after (hours, 0 = off)", rules.weekly_overtime_hours),
        ("Overtime multiplier", rules.overtime_multiplier),
        ("Lateness penalty per minute", rules.late_penalty_per_minute),
        ("Punch matches a shift from (minutes before start)", rules.match_before_minutes),
        ("Punch matches a shift until (minutes after end)", rules.match_after_minutes),
        ("Overnight shifts count toward their", f"{rules.overnight_day} day"),
        ("Payroll week starts on", WEEKDAYS[rules.week_start]),
        ("Unpaid break", _unpaid_break(rules)),
    ]


def _policy(book: Workbook, report: Payroll, fmt: _Formats) -> None:
    sheet = book.add_worksheet("Policy")
    sheet.write_string(0, 0, "Setting", fmt.header)
    sheet.write_string(0, 1, "Value", fmt.header)
    sheet.freeze_panes(1, 0)
    rows = policy_rows(report)
    label_width, value_width = POLICY_WIDTHS
    for n, (label, value) in enumerate(rows, start=1):
        sheet.write_string(n, 0, label, fmt.label)
        if isinstance(value, date):
            sheet.write_datetime(n, 1, _midnight(value), fmt.value_date)
        else:
            sheet.write(n, 1, _cell_value(value), fmt.value)
        tall = max(_lines(label, label_width), _lines(str(value), value_width))
        if tall > 1:
            sheet.set_row(n, LINE_HEIGHT * tall)
    for col, width in enumerate(POLICY_WIDTHS):
        sheet.set_column(col, col, width)
    _print_setup(sheet, report, header_row=0, last_row=len(rows), last_col=1, name_columns=False)


def _unpaid_break(rules: Rules) -> str:
    """The policy's automatic break as the Policy sheet says it."""
    if rules.unpaid_break_minutes <= 0:
        return "Punched breaks only"
    return (
        f"At least {rules.unpaid_break_minutes} min on a day of"
        f" {Decimal(rules.unpaid_break_after_hours).normalize():f} h or more:"
        " a shorter punched break is topped up (the Schedule's forecast deducts it too)"
    )


#: The columns of the "To decide" sheet: the Detail's, for the days listed there.
TO_DECIDE_NAMES = (
    "name",
    "date",
    "weekday",
    "shifts",
    "first_in",
    "last_out",
    "worked",
    "leave",
    "flags",
)


def _to_decide(book: Workbook, report: Payroll, fmt: _Formats) -> None:
    """Days worked on approved leave and not yet approved: paid as worked hours plus
    the scheduled hours not worked, until a supervisor decides (approves the day)."""
    rows = report.to_decide
    if not rows:
        return
    sheet = book.add_worksheet("To decide")
    columns = [c for c in DETAIL if c.name in TO_DECIDE_NAMES]
    _header(sheet, columns, fmt)
    widths = _Widths(columns)
    for n, item in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = column.value(item)
            widths.see(col, _shown(value, column.kind))
            if column.kind is Kind.DATE:
                sheet.write_datetime(n, col, _midnight(value), fmt.by_kind[column.kind])
            else:
                _put(sheet, n, col, value, fmt.by_kind[column.kind])
    widths.apply(sheet)
    _print_setup(
        sheet,
        report,
        header_row=0,
        last_row=len(rows),
        last_col=len(columns) - 1,
        name_columns=True,
    )


def write_xlsx(report: Payroll, path: Path) -> Path:
    book = Workbook(str(path))
    book.set_properties(
        {"title": f"Payroll {report.first.isoformat()} to {report.last.isoformat()}"}
    )
    fmt = _Formats(book, report.currency)
    _summary(book, report, fmt)
    _detail(book, report, fmt)
    _to_decide(book, report, fmt)
    _policy(book, report, fmt)
    book.close()
    return path
