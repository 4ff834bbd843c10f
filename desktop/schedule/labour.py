"""Labour hours and cost as the Schedule says them: day headers, tooltips, the totals bar.

The figures come from :func:`core.labour.labour_of`; this module only words them.
A cost that misses people without a rate is never shown as if complete: it gets
a "+ ?" and the tooltip says whose hours are not priced.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from core.labour import Labour, LabourPlan

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF ", "JPY": "¥"}
OPEN_NOT_COSTED = "Open shifts count in hours but have no cost until someone is on them."
UNKNOWN_RATE = "no hourly rate in this store (a key without pay:read syncs none)"


def plain_hours(value: Decimal) -> str:
    """``26``, ``7.5``: hours without trailing zeros."""
    return f"{Decimal(value).normalize():f}"


def whole_hours(value: Decimal) -> str:
    """``197`` for 196.5 h: whole hours rounded half up, as 159.5 gives 160 (a plain
    ``:.0f`` rounds halves to even, 196.5 to 196)."""
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"


def amount(value: Decimal, currency: str, *, cents: bool = False) -> str:
    """``€1,145`` (``€1,145.00`` with cents); a code without a symbol goes after."""
    number = f"{value:,.2f}" if cents else f"{value:,.0f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def cost_text(labour: Labour, currency: str, *, cents: bool = False) -> str:
    """The cost, "+ ?" when some hours have no rate, "cost ?" when none has."""
    if labour.cost_known:
        return amount(labour.cost, currency, cents=cents)
    if not labour.cost:
        return "cost ?"
    return f"{amount(labour.cost, currency, cents=cents)} + ?"


def header_parts(labour: Labour, currency: str) -> list[str]:
    """A day header's labour line, most important first (a narrow column drops the
    tail): "26 h", "€325 + ?", "2 h OT"."""
    if not labour.hours:
        return []
    parts = [f"{plain_hours(labour.hours)} h"]
    if labour.hours != labour.open_hours:
        parts.append(cost_text(labour, currency))
    if labour.overtime_hours:
        parts.append(f"{plain_hours(labour.overtime_hours)} h OT")
    return parts


def labour_tooltip(title: str, labour: Labour, currency: str) -> str:
    """Every figure of a day or a range, with what is not in the cost and why."""
    if not labour.hours:
        return f"{title}: nothing scheduled"
    lines = [
        f"{title}: {plain_hours(labour.hours)} h scheduled, labour cost"
        f" {cost_text(labour, currency, cents=True)}"
    ]
    if labour.overtime_hours:
        lines.append(f"Overtime: {plain_hours(labour.overtime_hours)} h (costed at the multiplier)")
    if labour.open_hours:
        lines.append(f"Open shifts: {plain_hours(labour.open_hours)} h. {OPEN_NOT_COSTED}")
    if labour.unpriced_hours:
        lines.append(f"Cost unknown for {plain_hours(labour.unpriced_hours)} h: {UNKNOWN_RATE}.")
    return "\n".join(lines)


def day_tooltip(plan: LabourPlan, day: date) -> str:
    return labour_tooltip(f"{day:%a %d %b}", plan.day(day), plan.currency)


def totals_text(plan: LabourPlan, title: str) -> str:
    """The totals bar: "Week: 64 h · €1,145 + ? · 8 h overtime (2 people)"."""
    total = plan.total
    if not total.hours:
        return f"{title}: nothing scheduled"
    parts = [f"{plain_hours(total.hours)} h", f"labour {cost_text(total, plan.currency)}"]
    if total.overtime_hours:
        people = len({o.employee_id for o in plan.overtime})
        who = "1 person" if people == 1 else f"{people} people"
        parts.append(f"{plain_hours(total.overtime_hours)} h overtime ({who})")
    if total.open_hours:
        parts.append(f"{plain_hours(total.open_hours)} h open, not costed")
    return f"{title}: " + " · ".join(parts)


def totals_tooltip(plan: LabourPlan, title: str) -> str:
    """The range's figures, then each week's, then who goes into overtime."""
    lines = [labour_tooltip(title, plan.total, plan.currency)]
    if len(plan.weeks) > 1:
        lines.append("")
        lines += [
            f"Week of {start:%d %b}: {plain_hours(w.hours)} h, {cost_text(w, plan.currency)}"
            + (f", {plain_hours(w.overtime_hours)} h OT" if w.overtime_hours else "")
            for start, w in plan.weeks
        ]
    if plan.overtime:
        lines.append("")
        lines += [
            f"{o.name}: {plain_hours(o.hours)} h overtime, week of {o.week:%d %b}"
            for o in plan.overtime
        ]
    return "\n".join(lines)


class LabourBar(QFrame):
    """The range's labour totals under the grid; its tooltip has the weeks and names."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LabourBar")
        self.label = QLabel(self)
        self.label.setObjectName("LabourTotals")
        self.label.setAccessibleName("Labour totals")
        # Text from the start: the bar keeps the height it will have once the figures
        # come (just after the grid's first frame), so the grid above never moves.
        self.label.setText("Counting hours and cost…")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.addWidget(self.label, 1)

    def show_plan(self, plan: LabourPlan, title: str) -> None:
        text = totals_text(plan, title)
        self.label.setText(text)
        self.label.setAccessibleDescription(text)
        self.setToolTip(totals_tooltip(plan, title))
