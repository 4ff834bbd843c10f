"""The printed rota: a roster export as a landscape A4 PDF, written with fpdf2.

What goes on the staff-room wall: for each week of the range, people down the
side and the days across, each shift with its times and location in its
department's colour, an "Open shifts" row for the shifts nobody has yet, approved
leave as "Leave" (not its kind: the wall is public), and on every page the site,
the week, when it was printed and a legend. Either one page (or more, when the
people do not fit) per department, or all departments together in bands.

fpdf2 is pure Python, so the command line writes the same file as the desktop,
with no display. Text is set in the shipped DejaVu Sans Condensed, with the
machine's fonts for scripts it lacks (:mod:`core.export.pdf_fonts`), and stays
searchable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from fpdf import FPDF

from core.export.pdf_fonts import FAMILY, FontSet
from core.export.roster_scope import RosterExport
from core.roster import NO_DEPARTMENT, RosterDepartment, RosterEmployee, RosterShift
from core.timeutil import to_local, week_start

MARGIN = 10.0
NAME_WIDTH = 44.0
HEADER_HEIGHT = 20.0
DAY_HEADER_HEIGHT = 7.0
BAND_HEIGHT = 6.0
LEGEND_HEIGHT = 12.0
#: One shift block: its times, and its location when it has one.
TIME_LINE, PLACE_LINE, BLOCK_GAP, CELL_PAD = 3.6, 3.0, 0.8, 0.8
MIN_ROW = 7.0
TEXT = (30, 36, 45)
MUTED = (100, 110, 122)
GRID = (200, 206, 214)
LEAVE_FILL = (252, 236, 170)
#: A day of the page's week that the export does not cover.
OUTSIDE_FILL = (238, 240, 243)
OPEN_LABEL = "Open shifts"


def rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    if len(value) != 6:
        return (122, 133, 148)
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except ValueError:
        return (122, 133, 148)


def tint(color: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """``color`` mixed with white; 0 is the colour, 1 is white."""
    r, g, b = (round(c + (255 - c) * amount) for c in color)
    return (r, g, b)


@dataclass(frozen=True)
class Week:
    """One page's calendar week: seven days from ``start`` (the company's week start),
    of which ``first`` to ``last`` are in the export; the others are printed greyed."""

    start: date
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(7)]

    def asked(self, day: date) -> bool:
        return self.first <= day <= self.last

    @property
    def number(self) -> int:
        """The ISO week number: that of the week's middle day, which is its Thursday
        when weeks start on Monday (so a week starting on another day is numbered
        by the ISO week most of its days are in)."""
        return (self.start + timedelta(days=3)).isocalendar().week

    @property
    def text(self) -> str:
        """The page's heading: the number and the days of it the export covers."""
        first, last = self.first, self.last
        same_year = first.year == last.year
        begin = f"{first:%a %d %b}" + ("" if same_year else f" {first:%Y}")
        return f"Week {self.number}: {begin} – {last:%a %d %b %Y}"


def weeks(first: date, last: date, first_weekday: int = 0) -> Iterator[Week]:
    """The calendar weeks (starting on ``first_weekday``, 0 = Monday) that the range
    touches, a page's worth each, the first and last cut to the range."""
    start = week_start(first, first_weekday)
    while start <= last:
        end = start + timedelta(days=6)
        yield Week(start, max(first, start), min(last, end))
        start = end + timedelta(days=1)


@dataclass(frozen=True)
class Block:
    """One shift as a cell shows it."""

    shift: RosterShift
    times: str
    place: str

    @property
    def height(self) -> float:
        return TIME_LINE + (PLACE_LINE if self.place else 0.0)


def _place(shift: RosterShift) -> str:
    """The block's second line: where, and that it is off when cancelled."""
    if not shift.cancelled:
        return shift.location
    return "Cancelled" + (f" – {shift.location}" if shift.location else "")


class _Rota(FPDF):
    """fpdf2 with the legend and page numbers in every page's foot."""

    def __init__(self, export: RosterExport, fallbacks: Iterable[Path] | None = None) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.export = export
        self.font_set = FontSet(self, fallbacks)
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.alias_nb_pages()
        self.legend: Sequence[RosterDepartment] = ()

    def normalize_text(self, text: str) -> str:
        """Every text set or measured, as the fonts here can print it."""
        return super().normalize_text(self.font_set.printable(text))

    @property
    def bottom(self) -> float:
        """Where rows must end: above the legend."""
        return self.h - MARGIN - LEGEND_HEIGHT

    def footer(self) -> None:
        y = self.h - MARGIN - LEGEND_HEIGHT + 2
        self.set_draw_color(*GRID)
        self.line(MARGIN, y - 1, self.w - MARGIN, y - 1)
        x = MARGIN
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*TEXT)
        for dept in self.legend:
            color = rgb(dept.color)
            self.set_fill_color(*tint(color, 0.7))
            self.set_draw_color(*color)
            self.rect(x, y + 0.6, 5, 3, style="DF")
            label = dept.name
            self.set_xy(x + 6, y)
            self.cell(self.get_string_width(label) + 1, 4.2, label)
            x += 6 + self.get_string_width(label) + 5
        swatch = (160, 170, 180)
        if self.export.scope.drafts:
            x = self._key(x, y, "Draft: not published yet", swatch, hatched=True)
        x = self._key(x, y, "Cancelled", swatch, strike=True)
        x = self._key(x, y, "Leave", LEAVE_FILL)
        self.set_xy(MARGIN, y + 4.5)
        self.set_text_color(*MUTED)
        self.cell(
            self.w - 2 * MARGIN - 30,
            4,
            f"{OPEN_LABEL}: nobody is on them yet; ask your supervisor to take one."
            " Times are local to the site; a shift that ends at or before it starts"
            " ends the next day.",
        )
        self.set_xy(self.w - MARGIN - 30, y + 4.5)
        self.cell(30, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def _key(
        self,
        x: float,
        y: float,
        label: str,
        fill: tuple[int, int, int],
        *,
        hatched: bool = False,
        strike: bool = False,
    ) -> float:
        self.set_fill_color(*tint(fill, 0.5))
        self.set_draw_color(*fill)
        self.rect(x, y + 0.6, 5, 3, style="DF")
        if hatched:
            hatch(self, x, y + 0.6, 5, 3, fill)
        self.set_xy(x + 6, y)
        self.set_font(FAMILY, "S" if strike else "", 7)
        self.set_text_color(*TEXT)
        width = self.get_string_width(label) + 1
        self.cell(width, 4.2, label)
        self.set_font(FAMILY, "", 7)
        return x + 6 + width + 4


def hatch(pdf: FPDF, x: float, y: float, w: float, h: float, color: tuple[int, int, int]) -> None:
    """Diagonal stripes over a rectangle: the grid's mark for "not published"."""
    pdf.set_draw_color(*tint(color, 0.2))
    pdf.set_line_width(0.15)
    with pdf.rect_clip(x, y, w, h):
        step = 1.4
        offset = -h
        while offset < w:
            pdf.line(x + offset, y + h, x + offset + h, y)
            offset += step
    pdf.set_line_width(0.2)


class RotaLayout:
    """Lays the export out page by page; :meth:`render` returns the PDF's bytes."""

    def __init__(
        self,
        export: RosterExport,
        *,
        per_department: bool = True,
        fallbacks: Iterable[Path] | None = None,
    ) -> None:
        """``fallbacks``: the fonts for letters DejaVu lacks (None: the machine's,
        :func:`core.export.pdf_fonts.fallback_candidates`)."""
        self.export = export
        self.per_department = per_department
        self.pdf = _Rota(export, fallbacks)
        first_zone = next(iter(export.sites.values()), ("", "UTC"))[1]
        self.printed = f"printed {to_local(export.made_at, first_zone):%d %b %Y %H:%M}"

    # --- pages ---------------------------------------------------------------------------

    def render(self, *, compress: bool = True) -> bytes:
        pdf = self.pdf
        pdf.set_compression(compress)
        pdf.set_title(f"Rota {self.export.site_names}")
        pdf.set_creator("ShiftDesk")
        pdf.set_creation_date(self.export.made_at)
        departments = self.export.roster.departments
        scope = self.export.scope
        for week in weeks(scope.first, scope.last, self.export.first_weekday):
            if not departments:
                self._page(week, (), "No one to show")
                self._say("Nobody matches this export's people, departments and filters.")
                continue
            groups = [(d,) for d in departments] if self.per_department else [departments]
            for group in groups:
                self._group(week, group)
        return bytes(pdf.output())

    def _group(self, week: Week, group: Sequence[RosterDepartment]) -> None:
        title = group[0].name if len(group) == 1 else "All departments"
        self._page(week, group, title)
        for dept in group:
            self._band(week, group, title, dept)
            rows: list[tuple[str, list[list[Block]], dict[date, str]]] = []
            if self.export.roster.has_open(dept.id):
                rows.append((OPEN_LABEL, self._open_cells(dept, week), {}))
            for emp in dept.employees:
                leave = {
                    day: "Leave"
                    for day in week.days
                    if week.asked(day) and self.export.roster.leave_on(emp.id, day)
                }
                rows.append((self._row_name(dept, emp), self._cells(dept, emp, week), leave))
            for name, cells, leave in rows:
                height = self._row_height(week.days, cells, leave)
                if self.pdf.get_y() + height > self.pdf.bottom:
                    self._page(week, group, f"{title} (continued)")
                    self._band(week, group, title, dept, continued=True)
                self._row(name, cells, leave, week, height, is_open=name == OPEN_LABEL)

    def _page(self, week: Week, group: Sequence[RosterDepartment], title: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.legend = group
        pdf.set_text_color(*TEXT)
        pdf.set_xy(MARGIN, MARGIN)
        pdf.set_font(FAMILY, "B", 15)
        site = self.export.site_names or "ShiftDesk"
        pdf.cell(pdf.w - 2 * MARGIN - 60, 7, f"{site} – {title}")
        pdf.set_font(FAMILY, "", 8)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(pdf.w - MARGIN - 60, MARGIN)
        pdf.cell(60, 7, self.printed, align="R")
        pdf.set_xy(MARGIN, MARGIN + 7)
        pdf.set_font(FAMILY, "B", 11)
        pdf.set_text_color(*TEXT)
        drafts = "  (drafts included)" if self.export.scope.drafts else ""
        pdf.cell(0, 6, week.text + drafts)
        self._day_header(week)

    def _say(self, text: str) -> None:
        self.pdf.set_xy(MARGIN, self.pdf.get_y() + 4)
        self.pdf.set_font(FAMILY, "I", 10)
        self.pdf.cell(0, 6, text)

    # --- grid ----------------------------------------------------------------------------

    def _day_width(self) -> float:
        return (self.pdf.w - 2 * MARGIN - NAME_WIDTH) / 7

    def _day_header(self, week: Week) -> None:
        pdf = self.pdf
        y = MARGIN + HEADER_HEIGHT - DAY_HEADER_HEIGHT + 2
        pdf.set_fill_color(234, 238, 243)
        pdf.set_draw_color(*GRID)
        pdf.set_font(FAMILY, "B", 8)
        pdf.set_text_color(*TEXT)
        pdf.set_xy(MARGIN, y)
        pdf.cell(NAME_WIDTH, DAY_HEADER_HEIGHT, "Name", border=1, fill=True)
        for day in week.days:
            pdf.set_text_color(*(TEXT if week.asked(day) else MUTED))
            pdf.set_fill_color(*((234, 238, 243) if week.asked(day) else OUTSIDE_FILL))
            pdf.cell(self._day_width(), DAY_HEADER_HEIGHT, f"{day:%a %d %b}", border=1, fill=True)
        pdf.set_text_color(*TEXT)
        pdf.set_xy(MARGIN, y + DAY_HEADER_HEIGHT)

    def _band(
        self,
        week: Week,
        group: Sequence[RosterDepartment],
        title: str,
        dept: RosterDepartment,
        *,
        continued: bool = False,
    ) -> None:
        pdf = self.pdf
        if pdf.get_y() + BAND_HEIGHT + MIN_ROW > pdf.bottom:
            self._page(week, group, f"{title} (continued)")
        color = rgb(dept.color)
        pdf.set_fill_color(*tint(color, 0.55))
        pdf.set_draw_color(*GRID)
        pdf.set_font(FAMILY, "B", 8.5)
        pdf.set_text_color(*TEXT)
        width = NAME_WIDTH + self._day_width() * len(week.days)
        label = dept.name + (" (continued)" if continued else "")
        pdf.cell(width, BAND_HEIGHT, label, border=1, fill=True)
        pdf.set_xy(MARGIN, pdf.get_y() + BAND_HEIGHT)

    def _blocks(self, shifts: Sequence[RosterShift]) -> list[Block]:
        return [Block(s, f"{s.start_time}–{s.end_time}", _place(s)) for s in shifts]

    def _row_name(self, dept: RosterDepartment, emp: RosterEmployee) -> str:
        """A person borrowed from another department says where they are from."""
        if not dept.borrows(emp):
            return emp.name
        home = self.export.department_names.get(emp.department_id, NO_DEPARTMENT)
        return f"{emp.name} (from {home})"

    def _cells(self, dept: RosterDepartment, emp: RosterEmployee, week: Week) -> list[list[Block]]:
        """The person's shifts of this department day by day; none on days outside
        the export."""
        return [
            self._blocks(self.export.roster.counted_shifts(dept, emp, day))
            if week.asked(day)
            else []
            for day in week.days
        ]

    def _open_cells(self, dept: RosterDepartment, week: Week) -> list[list[Block]]:
        return [
            self._blocks(self.export.roster.open_on(dept.id, day)) if week.asked(day) else []
            for day in week.days
        ]

    def _row_height(
        self, days: list[date], cells: list[list[Block]], leave: dict[date, str]
    ) -> float:
        tallest = 0.0
        for day, blocks in zip(days, cells, strict=True):
            used = sum(b.height + BLOCK_GAP for b in blocks)
            if day in leave:
                used += TIME_LINE + BLOCK_GAP
            tallest = max(tallest, used)
        return max(MIN_ROW, tallest + 2 * CELL_PAD)

    def _row(
        self,
        name: str,
        cells: list[list[Block]],
        leave: dict[date, str],
        week: Week,
        height: float,
        *,
        is_open: bool,
    ) -> None:
        pdf = self.pdf
        y = pdf.get_y()
        pdf.set_draw_color(*GRID)
        pdf.set_text_color(*(MUTED if is_open else TEXT))
        pdf.set_font(FAMILY, "BI" if is_open else "", 8.5)
        pdf.set_xy(MARGIN, y)
        pdf.cell(NAME_WIDTH, height, self._fit(name, NAME_WIDTH - 2), border=1)
        width = self._day_width()
        for n, (day, blocks) in enumerate(zip(week.days, cells, strict=True)):
            x = MARGIN + NAME_WIDTH + n * width
            if week.asked(day):
                pdf.rect(x, y, width, height)
            else:
                pdf.set_fill_color(*OUTSIDE_FILL)
                pdf.rect(x, y, width, height, style="DF")
            top = y + CELL_PAD
            if day in leave:
                pdf.set_fill_color(*LEAVE_FILL)
                pdf.rect(x + CELL_PAD, top, width - 2 * CELL_PAD, TIME_LINE, style="F")
                pdf.set_font(FAMILY, "I", 7.5)
                pdf.set_text_color(*TEXT)
                pdf.set_xy(x + CELL_PAD + 0.5, top)
                pdf.cell(width - 2 * CELL_PAD - 1, TIME_LINE, leave[day])
                top += TIME_LINE + BLOCK_GAP
            for block in blocks:
                self._block(block, x + CELL_PAD, top, width - 2 * CELL_PAD)
                top += block.height + BLOCK_GAP
        pdf.set_xy(MARGIN, y + height)

    def _block(self, block: Block, x: float, y: float, width: float) -> None:
        pdf = self.pdf
        shift = block.shift
        color = rgb(shift.color)
        pdf.set_fill_color(*tint(color, 0.9 if shift.cancelled else 0.72))
        pdf.rect(x, y, width, block.height, style="F")
        if not shift.published and not shift.cancelled:
            hatch(pdf, x, y, width, block.height, tint(color, 0.35))
        pdf.set_fill_color(*color)
        pdf.rect(x, y, 1.0, block.height, style="F")
        pdf.set_text_color(*(MUTED if shift.cancelled else TEXT))
        pdf.set_font(FAMILY, "BS" if shift.cancelled else "B", 7.5)
        pdf.set_xy(x + 1.5, y)
        pdf.cell(width - 2, TIME_LINE, self._fit(block.times, width - 2))
        if block.place:
            pdf.set_font(FAMILY, "", 6.5)
            pdf.set_xy(x + 1.5, y + TIME_LINE - 0.3)
            pdf.cell(width - 2, PLACE_LINE, self._fit(block.place, width - 2))

    def _fit(self, text: str, width: float) -> str:
        """``text`` cut with an ellipsis where it is wider than ``width`` mm."""
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"


def render_pdf(
    export: RosterExport,
    *,
    per_department: bool = True,
    compress: bool = True,
    fallbacks: Iterable[Path] | None = None,
) -> bytes:
    layout = RotaLayout(export, per_department=per_department, fallbacks=fallbacks)
    return layout.render(compress=compress)


def write_pdf(export: RosterExport, path: Path, *, per_department: bool = True) -> Path:
    path.write_bytes(render_pdf(export, per_department=per_department))
    return path
