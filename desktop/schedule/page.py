"""The Schedule page: range and filter bar, notices, and the grid.

It fetches one snapshot per change through :func:`core.roster.load_roster`, hands
it to the model, and turns the controller's signals into notices and questions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from core.changes import Changes
from core.labour import PayBasis, labour_of, pay_basis
from core.models import ShiftStatus
from core.pay_periods import closed_notes
from core.results import Check
from core.roster import (
    RosterChoices,
    RosterFilter,
    RosterShift,
    find_problems,
    load_roster,
    range_for,
    roster_choices,
    step,
)
from desktop.ask import ask
from desktop.context import AppContext
from desktop.controls import refill
from desktop.notice import NoticeBar, plural
from desktop.schedule.autofill_dialog import fill_action
from desktop.schedule.controller import DropRequest, ScheduleController, describe
from desktop.schedule.dialog import ShiftDialog
from desktop.schedule.labour import LabourBar
from desktop.schedule.layout import MONTH, WEEK, row_height
from desktop.schedule.model import RosterModel, RowKind
from desktop.schedule.toolbar import SPANS, ScheduleToolbar
from desktop.schedule.view import RosterView
from desktop.theme import icon
from sync.conflicts import open_fields

#: Kinds of data the grid shows; SYNC for the shifts marked in conflict with the server,
#: PAY_PERIODS for the days marked closed (closing or reopening a period).
RELOAD_ON = (
    Changes.SHIFTS
    | Changes.LEAVE
    | Changes.EMPLOYEES
    | Changes.DEPARTMENTS
    | Changes.ORGANISATION
    | Changes.SYNC
    | Changes.PAY_PERIODS
)
#: People checked for conflicts per turn of the event loop once the view is done.
CHECK_SLICE = 60
NAME_PAUSE_MS = 150


class SchedulePage(QWidget):
    title = "Schedule"
    #: A sentence for the status bar (drag feedback, selection size).
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Schedule")
        self.context = context
        self.controller = ScheduleController(context, self)
        self.model = RosterModel(self)
        self.view = RosterView(self.controller, self)
        self.view.setModel(self.model)
        self.notice = NoticeBar(self)
        self.anchor = date.today()
        self.span = "week"
        self._choices = RosterChoices((), (), ())
        self._unchecked: list[str] = []
        # Owned by the page, so no slice runs after the page (or its store) is gone.
        self._more = QTimer(self)
        self._more.setSingleShot(True)
        self._more.setInterval(0)
        self._more.timeout.connect(self._check_more)
        # The labour figures follow the first frame of a snapshot (a month of 500
        # people takes some 20 ms to price), on the next turn of the event loop.
        self._basis = PayBasis()
        self._pricing = QTimer(self)
        self._pricing.setSingleShot(True)
        self._pricing.setInterval(0)
        self._pricing.timeout.connect(self.price)
        self.bar = ScheduleToolbar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.view, 1)
        self.labour_bar = LabourBar(self)
        layout.addWidget(self.labour_bar)
        self.notice.float_over(self.view)
        self._connect()
        self.fill_action = fill_action(self)
        self.reload_choices()
        self.reload()

    # --- building ------------------------------------------------------------------------

    def _connect(self) -> None:
        self.bar.today_button.defaultAction().triggered.connect(self.go_today)
        self.bar.prev_button.defaultAction().triggered.connect(lambda: self.go(-1))
        self.bar.next_button.defaultAction().triggered.connect(lambda: self.go(1))
        self.bar.span_buttons.buttonClicked.connect(
            lambda button: self.set_span(str(button.property("span")))
        )
        self.bar.site_box.currentIndexChanged.connect(self._site_changed)
        # Another range or filter shows other shifts: a message about the last is stale.
        for box in (self.bar.site_box, self.bar.department_box, self.bar.location_box):
            box.currentIndexChanged.connect(self.notice.clear)
        self.bar.name_edit.textChanged.connect(self.notice.clear)
        self.bar.department_box.currentIndexChanged.connect(self.reload)
        self.bar.location_box.currentIndexChanged.connect(self.reload)
        # Typing a name reloads once the typing pauses, not on every key.
        self._name_pause = QTimer(self)
        self._name_pause.setSingleShot(True)
        self._name_pause.setInterval(NAME_PAUSE_MS)
        self._name_pause.timeout.connect(self._name_changed)
        self.bar.name_edit.textChanged.connect(self._name_pause.start)
        self.bar.new_button.defaultAction().triggered.connect(self._new_from_current)
        self.bar.copy_button.defaultAction().triggered.connect(self.copy_previous_week)
        self.bar.publish_button.defaultAction().triggered.connect(self.publish_range)
        self.bar.problems_button.toggled.connect(self.show_only_problems)
        self.view.verticalHeader().sectionClicked.connect(self._header_clicked)
        self.view.department_activated.connect(self.toggle_department)
        self.view.verticalScrollBar().valueChanged.connect(self.check_visible)
        self.view.new_requested.connect(self.open_new_dialog)
        self.view.new_open_requested.connect(self.open_new_open_dialog)
        self.view.edit_requested.connect(self.open_edit_dialog)
        self.view.delete_requested.connect(self.delete_shifts)
        self.view.menu_requested.connect(self._show_menu)
        self.view.open_menu_requested.connect(self._show_open_menu)
        self.view.hint_changed.connect(self.status_message)
        self.view.selection_changed.connect(self._selection_changed)
        self.controller.notice.connect(self.notice.show_message)
        self.notice.follow_undo(self.context.flipped)
        self.context.busy_changed.connect(self._busy_changed)
        self.controller.confirm_drop.connect(self._confirm_drop)
        self.context.data_changed.connect(self._data_changed)
        self.context.store_changed.connect(self._store_changed)

    # --- state -------------------------------------------------------------------------------

    @property
    def range(self) -> tuple[date, date]:
        return range_for(self.anchor, self.span)

    @property
    def site_id(self) -> str | None:
        """The site edits go to: the chosen one, else the only (or first) one."""
        chosen = self.bar.site_box.currentData()
        if chosen:
            return str(chosen)
        return self._choices.sites[0][0] if self._choices.sites else None

    @property
    def filter(self) -> RosterFilter:
        return RosterFilter(
            site_id=self.bar.site_box.currentData() or None,
            department_id=self.bar.department_box.currentData() or None,
            location=self.bar.location_box.currentData() or "",
            name=self.bar.name_edit.text(),
        )

    def go(self, direction: int) -> None:
        self.anchor = step(self.anchor, self.span, direction)
        self.notice.clear()
        self.reload()

    def go_today(self) -> None:
        """Today's range, scrolled sideways until today's column is in view."""
        self.anchor = date.today()
        self.notice.clear()
        self.reload()
        self.view.scroll_to_day(self.anchor)

    def _name_changed(self) -> None:
        """The people matching the typed name, the first of them in view."""
        self.reload()
        if self.filter.name.strip():
            self.view.scroll_to_first_person()

    def set_span(self, span: str) -> None:
        self.span = span
        self.notice.clear()
        self.reload()

    def reload_choices(self) -> None:
        """Fill the filter boxes from the store, keeping what was chosen where possible."""
        with self.context.store.session() as session:
            self._choices = roster_choices(session, self.bar.site_box.currentData() or None)
        refill(self.bar.site_box, "All sites", [(sid, name) for sid, name in self._choices.sites])
        self.bar.site_box.setVisible(len(self._choices.sites) > 1)
        refill(
            self.bar.department_box,
            "All departments",
            [(did, name) for did, name, _ in self._choices.departments],
        )
        refill(
            self.bar.location_box, "All locations", [(loc, loc) for loc in self._choices.locations]
        )

    def reload(self) -> None:
        first, last = self.range
        with self.context.store.session() as session:
            roster = load_roster(session, first, last, self.filter, problems=False)
            out_of_sync = open_fields(session, "shifts")
            self._basis = pay_basis(session, roster.company_id)
            closed = closed_notes(session, roster.company_id, first, last)
        # The same days keep their figures until the new ones come (no flicker on
        # an edit); another range starts without.
        kept = self.model.labour if roster.days == self.model.days else None
        self.model.set_roster(roster, sync_conflicts=out_of_sync, labour=kept, closed=closed)
        self._pricing.start()
        self._set_empty_text()
        self.view.set_metrics(MONTH if self.span == "month" else WEEK)
        self._fit_rows()
        self.view.fit_columns()
        self.view.forget_missing_selection()
        self.bar.show_range(first, last, self.span)
        # Once each: a person borrowed into another band is still one person to check.
        self._unchecked = list(dict.fromkeys(e.id for d in roster.departments for e in d.employees))
        self.check_visible()
        self._more.start()
        self._show_conflicts()

    @property
    def labour_pending(self) -> bool:
        """The shown snapshot's hours and cost are not computed yet."""
        return self._pricing.isActive()

    def price(self) -> None:
        """Hours and cost of the shown snapshot into the day headers and the totals."""
        self._pricing.stop()
        labour = labour_of(self.model.roster, self._basis)
        self.model.set_labour(labour)
        self.labour_bar.show_plan(labour, self.range_title)

    @property
    def range_title(self) -> str:
        """What the totals are of: "Week", "2 weeks", "June 2026"."""
        first, _ = self.range
        return f"{first:%B %Y}" if self.span == "month" else dict(SPANS)[self.span]

    @property
    def next_step(self) -> str:
        """What an empty database needs next, and where in the app it is done."""
        if not self._choices.sites:
            return (
                "This database is not set up: it has no company or site yet."
                " File → New database… creates one that is."
            )
        return (
            "No people in this database yet. Bring them in with"
            " File → Import employees from CSV… to start building a roster."
        )

    # --- conflicts, checked where the supervisor looks first ---------------------------

    @property
    def problems_pending(self) -> bool:
        """Some people's shifts are not checked yet (they are out of view)."""
        return bool(self._unchecked)

    def check_visible(self) -> None:
        """Check the people in view now, so what is on screen is always complete."""
        if not self._unchecked:
            return
        view = self.view
        top = view.rowAt(0)
        bottom = view.rowAt(view.viewport().height() - 1)
        if top < 0:
            return
        bottom = bottom if bottom >= 0 else self.model.rowCount() - 1
        shown = {
            info.employee.id
            for info in (self.model.row_info(r) for r in range(top, bottom + 1))
            if info.employee is not None
        }
        self._check([e for e in self._unchecked if e in shown])

    def _check_more(self) -> None:
        """The rest, a slice per turn of the event loop (a reload starts over)."""
        if self._unchecked:
            self._check(self._unchecked[:CHECK_SLICE])
        if self._unchecked:
            self._more.start()

    def _check(self, employee_ids: list[str]) -> None:
        if not employee_ids:
            return
        with self.context.store.session() as session:
            found = find_problems(session, self.model.roster, employee_ids)
        done = set(employee_ids)
        self._unchecked = [e for e in self._unchecked if e not in done]
        rows = self.model.rowCount()
        self.model.add_problems(found, employee_ids)
        if self.model.only_problems and self.model.rowCount() != rows:
            self._fit_rows()
        self._show_conflicts()

    def _set_empty_text(self) -> None:
        """What an empty grid says: the filters hide everyone, or what to do first."""
        filtered = self.filter != RosterFilter(site_id=self.filter.site_id)
        self.view.empty_text = "Nobody matches these filters." if filtered else self.next_step

    def _show_conflicts(self) -> None:
        self.bar.show_conflicts(
            self.model.conflict_count(), bool(self._unchecked), self.model.warning_count()
        )
        if self.model.only_problems and not self.model.rowCount():
            self.view.empty_text = (
                "Checking the range for problems…"
                if self._unchecked
                else "No problems in this range: no conflicts, warnings or open shifts."
            )
            self.view.viewport().update()

    def show_only_problems(self, only: bool) -> None:
        """Only the people with a conflict or warning (and open shifts to fill); the
        rest of the range is still checked, and joins as problems are found."""
        if self.bar.problems_button.isChecked() != only:
            self.bar.problems_button.setChecked(only)  # comes back here
            return
        self.model.set_only_problems(only)
        self._set_empty_text()
        self._fit_rows()
        self.check_visible()
        self._show_conflicts()

    def _fit_rows(self) -> None:
        """Each row as tall as its busiest day (and a leave band over shifts), from
        one pass over the snapshot's cells rather than a look-up per row and day."""
        header = self.view.verticalHeader()
        model = self.model
        metrics = self.view.metrics
        roster = model.roster
        lines: dict[str, int] = {}
        for (emp, _day), shifts in roster.cells.items():
            lines[emp] = max(lines.get(emp, 0), len(shifts))
        banded = {emp for (emp, day) in roster.leave if (emp, day) in roster.cells}
        for row in range(model.rowCount()):
            info = model.row_info(row)
            if info.kind == RowKind.DEPARTMENT:
                header.resizeSection(row, metrics.department_row)
            elif info.employee is None:  # open shifts
                header.resizeSection(row, row_height(model.lines(row), metrics=metrics))
            else:
                emp = info.employee.id
                header.resizeSection(row, row_height(lines.get(emp, 0), emp in banded, metrics))

    def _data_changed(self, changed: Changes) -> None:
        if changed & RELOAD_ON:
            self.reload_choices()
            self.reload()

    def _store_changed(self) -> None:
        self.notice.hide()
        self.view.select_shifts(set())
        self.reload_choices()
        self.reload()

    def _site_changed(self) -> None:
        self.reload_choices()
        self.reload()

    def _header_clicked(self, row: int) -> None:
        info = self.model.row_info(row)
        if info.kind == RowKind.DEPARTMENT:
            self.toggle_department(info.department.id)

    def toggle_department(self, department_id: str | None) -> None:
        """Collapse or expand a team; people who come into view get checked."""
        self.model.toggle_department(department_id)
        self._fit_rows()
        self.check_visible()

    def _selection_changed(self, count: int) -> None:
        self.status_message.emit(
            f"{plural(count, 'shift')} selected: Delete removes them" if count > 1 else ""
        )

    # --- actions ----------------------------------------------------------------------------

    def _narrowed_to(self) -> tuple[str, str, str]:
        """The department, location and name the filters narrow to, "" for each that
        shows all: the one reading behind :attr:`where` and :attr:`filter_names`."""
        bar = self.bar
        return (
            bar.department_box.currentText() if bar.department_box.currentData() else "",
            bar.location_box.currentText() if bar.location_box.currentData() else "",
            self.filter.name.strip(),
        )

    @property
    def where(self) -> str:
        """What the filters show, as a phrase: "in Kitchen at Bar", "in all departments"."""
        department, location, name = self._narrowed_to()
        parts = [f"in {department}" if department else "in all departments"]
        if location:
            parts.append(f"at {location}")
        if name:
            parts.append(f"for people matching “{name}”")
        return " ".join(parts)

    @property
    def filter_names(self) -> tuple[str, ...]:
        """The filters shown, as words for a file name: department, location, name."""
        return tuple(word for word in self._narrowed_to() if word)

    def copy_previous_week(self) -> QMessageBox | None:
        """Ask, naming how many shifts the filters show in the previous week and
        where, then copy those into this week (not published) as one undo step."""
        first, last = range_for(self.anchor, "week")
        scope = self.controller.copy_scope(first, self.filter)
        where = self.where
        if not scope.count:
            self.notice.show_message("info", f"The previous week has no shifts {where} to copy.")
            return None
        source_last = scope.source_start + timedelta(days=6)
        return self._ask(
            "ConfirmCopy",
            "Copy last week",
            f"Copy {plural(scope.count, 'shift')} {where} from the previous week?",
            f"From {scope.source_start:%d %b} – {source_last:%d %b} onto {first:%d %b} –"
            f" {last:%d %b}, not published. What the filters hide is not copied; a shift"
            " that would clash is left out and named.",
            "Copy",
            lambda: self.controller.copy_previous_week(first, self.site_id, scope, where),
        )

    def publish_range(self) -> QMessageBox | None:
        """Ask, naming how many of the shown shifts are unpublished (or changed since
        published) and where, then publish those as one undo step."""
        shifts = self.model.roster.to_publish()
        where = self.where
        if not shifts:
            self.notice.show_message("info", f"Every shift shown {where} is already published.")
            return None
        first, last = self.range
        ids = [s.id for s in shifts]
        return self._ask(
            "ConfirmPublish",
            "Publish",
            f"Publish {plural(len(ids), 'shift')} {where}?",
            f"{first:%d %b} – {last:%d %b %Y}. Staff will see them; shifts the filters"
            " hide are left as they are.",
            "Publish",
            lambda: self.controller.publish(ids, where),
        )

    def delete_shifts(self, shift_ids: list[str]) -> QMessageBox | None:
        """Delete one draft at once; ask first before deleting several shifts or any
        published one (staff have seen it), naming how many of each."""
        ids = list(dict.fromkeys(shift_ids))
        if not ids:
            return None
        published = sum(1 for s in self.model.roster.shown_shifts() if s.id in ids and s.published)
        if len(ids) == 1 and not published:
            self.controller.delete(ids)
            return None
        if len(ids) == 1:
            question = "Delete this published shift?"
        elif published:
            question = f"Delete {plural(len(ids), 'shift')}, {published:,} of them published?"
        else:
            question = f"Delete {plural(len(ids), 'shift')}?"
        detail = (
            "Staff have seen the published ones; they will disappear from their rota."
            if published
            else "They are drafts; staff have not seen them."
        )
        return self._ask(
            "ConfirmDelete",
            "Delete shifts",
            question,
            detail + " Undo brings them back.",
            "Delete",
            lambda: self.controller.delete(ids),
        )

    def _ask(
        self, name: str, title: str, question: str, detail: str, verb: str, then: Any
    ) -> QMessageBox:
        return ask(self, name, title, question, detail, verb, then)

    def context_menu(self, shift_id: str, employee_id: str, day: date) -> QMenu:
        """What a right-click offers: on a shift, edit / cancel or restore / delete;
        on an empty cell, a new shift."""
        menu = QMenu(self)
        menu.setObjectName("ShiftMenu")
        shift = self._shown_shift(shift_id, employee_id) if shift_id else None
        if shift is None:
            menu.addAction(
                icon("add"), "New shift…", lambda: self.open_new_dialog(employee_id, day)
            )
            menu.addAction(self.fill_action)
            return menu
        menu.addAction("Edit…", lambda: self.open_edit_dialog(shift.id, employee_id))
        if shift.cancelled:
            menu.addAction(
                "Restore shift",
                lambda: self.controller.edit(shift.id, status=ShiftStatus.SCHEDULED),
            )
        else:
            menu.addAction(
                "Cancel shift",
                lambda: self.controller.edit(shift.id, status=ShiftStatus.CANCELLED),
            )
        if not shift.published:
            menu.addAction("Publish", lambda: self.controller.edit(shift.id, published=True))
        if not employee_id:  # an open shift
            menu.addAction(self.fill_action)
        menu.addSeparator()
        selected = self.view.selected_shifts or {shift.id}
        label = "Delete" if len(selected) == 1 else f"Delete {plural(len(selected), 'shift')}"
        menu.addAction(icon("delete"), label, lambda: self.delete_shifts(sorted(selected)))
        return menu

    def open_cell_menu(self, department_id: str | None, day: date) -> QMenu:
        """What a right-click on an empty cell of a department's open shifts offers:
        a new open shift there, and Fill open shifts."""
        menu = QMenu(self)
        menu.setObjectName("ShiftMenu")
        menu.addAction(
            icon("add"),
            "New open shift…",
            lambda: self.open_new_open_dialog(department_id, day),
        )
        menu.addAction(self.fill_action)
        return menu

    def _show_menu(self, shift_id: str, employee_id: str, day: date, where: QPoint) -> None:
        self._popup(self.context_menu(shift_id, employee_id, day), where)

    def _show_open_menu(self, department_id: str | None, day: date, where: QPoint) -> None:
        self._popup(self.open_cell_menu(department_id, day), where)

    @staticmethod
    def _popup(menu: QMenu, where: QPoint) -> None:
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(where)

    def _shown_shift(self, shift_id: str, employee_id: str) -> RosterShift | None:
        """A shift as shown in a person's row, or ("" for ``employee_id``) as an open shift."""
        if not employee_id:
            return next(
                (
                    s
                    for cell in self.model.roster.open_cells.values()
                    for s in cell
                    if s.id == shift_id
                ),
                None,
            )
        return next(
            (
                s
                for key, cell in self.model.roster.cells.items()
                if key[0] == employee_id
                for s in cell
                if s.id == shift_id
            ),
            None,
        )

    def _busy_changed(self, doing: str) -> None:
        """A background write (a copy, a publish, their undo) runs: say what, and
        start no other bulk action until it is done; the grid stays usable."""
        for button in (self.bar.copy_button, self.bar.publish_button):
            button.defaultAction().setEnabled(not doing)
        if doing:
            self.notice.show_busy(doing)
        else:
            self.notice.end_busy()

    def _confirm_drop(self, request: DropRequest, check: Check) -> None:
        """Ask before a drop that breaks a soft rule; non-modal, so a drag never blocks."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            f"{request.verb} shift?",
            f"{request.verb} this shift anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("ConfirmDrop")
        box.setInformativeText(describe(check))
        box.button(QMessageBox.StandardButton.Yes).setText(request.verb)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.controller.apply_drop(request)

        box.finished.connect(answered)
        box.open()

    def _new_from_current(self) -> None:
        index = self.view.currentIndex()
        info = self.model.row_info(index.row()) if index.isValid() else None
        employee = info.employee.id if info and info.employee else None
        day = self.model.days[index.column()] if index.isValid() else None
        self.open_new_dialog(employee, day)

    def _people(self) -> list[tuple[str, str]]:
        return [
            (emp.id, f"{emp.name} · {dept.name}")
            for dept in self.model.roster.departments
            for emp in dept.employees
            if not dept.borrows(emp)  # once each, under their own team
        ]

    def open_new_open_dialog(self, department_id: str | None, day: date) -> ShiftDialog | None:
        """A new shift for nobody yet, in this department: an open shift."""
        return self.open_new_dialog("", day, department_id)

    def open_new_dialog(
        self, employee_id: str | None, day: date | None, department_id: str | None = None
    ) -> ShiftDialog | None:
        """``employee_id`` "" starts an open shift (nobody on it) of ``department_id``."""
        site = self.site_id
        if site is None:
            self.notice.show_message("info", self.next_step)
            return None
        dialog = ShiftDialog(
            self.controller,
            site_id=site,
            people=self._people(),
            departments=[(d, n) for d, n, _ in self._choices.departments],
            locations=list(self._choices.locations),
            parent=self,
        )
        department = department_id if employee_id == "" else self._department_of(employee_id)
        dialog.start_new(employee_id, day or self.range[0], department)
        dialog.open()
        return dialog

    def open_edit_dialog(self, shift_id: str, employee_id: str) -> ShiftDialog | None:
        shift = self._shown_shift(shift_id, employee_id)
        if shift is None:
            return None
        dialog = ShiftDialog(
            self.controller,
            site_id=shift.site_id,
            people=self._people(),
            departments=[(d, n) for d, n, _ in self._choices.departments],
            locations=list(self._choices.locations),
            parent=self,
        )
        dialog.start_edit(shift, employee_id)
        dialog.open()
        return dialog

    def _department_of(self, employee_id: str | None) -> str | None:
        for dept in self.model.roster.departments:
            if any(e.id == employee_id and not dept.borrows(e) for e in dept.employees):
                return dept.id
        return None

    # --- settings ------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("schedule/span", self.span)
        settings.setValue("schedule/department", self.bar.department_box.currentData() or "")
        settings.setValue("schedule/location", self.bar.location_box.currentData() or "")
        settings.setValue("schedule/name", self.bar.name_edit.text())
        settings.setValue(
            "schedule/collapsed", [d or "" for d in sorted(self.model.collapsed, key=str)]
        )

    def restore_state(self, settings: QSettings) -> None:
        span = str(settings.value("schedule/span", "week"))
        self.span = span if span in dict(SPANS) else "week"
        for box, key in (
            (self.bar.department_box, "department"),
            (self.bar.location_box, "location"),
        ):
            found = box.findData(str(settings.value(f"schedule/{key}", "")))
            box.blockSignals(True)
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
        self.bar.name_edit.blockSignals(True)
        self.bar.name_edit.setText(str(settings.value("schedule/name", "")))
        self.bar.name_edit.blockSignals(False)
        collapsed: Any = settings.value("schedule/collapsed", []) or []
        if isinstance(collapsed, str):
            collapsed = [collapsed]
        self.model.set_collapsed({c or None for c in collapsed})
        self.reload()
