"""The views the sidebar offers. Adding a view is adding one entry here.

A view is any QWidget built from the shared :class:`AppContext`. It may also offer
``save_state(settings)`` / ``restore_state(settings)`` (its filters, kept under
its key's group: ``schedule/span``) and a ``status_message`` signal for the status
bar; the main window uses them when present. A page is built when first shown or
asked for, and restored then only if something was kept under its key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from desktop.attendance.page import AttendancePage
from desktop.context import AppContext
from desktop.leave.page import LeavePage
from desktop.payroll.page import PayrollPage
from desktop.people.page import PeoplePage
from desktop.schedule.page import SchedulePage
from desktop.sync.page import SyncPage
from desktop.templates.page import TemplatesPage


@dataclass(frozen=True)
class ViewSpec:
    key: str
    title: str
    icon: str
    build: Callable[[AppContext], QWidget]


VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec("schedule", "Schedule", "schedule", SchedulePage),
    ViewSpec("people", "People", "people", PeoplePage),
    ViewSpec("templates", "Templates", "templates", TemplatesPage),
    ViewSpec("leave", "Leave", "leave", LeavePage),
    ViewSpec("attendance", "Attendance", "attendance", AttendancePage),
    ViewSpec("payroll", "Payroll", "payroll", PayrollPage),
    ViewSpec("sync", "Sync", "sync", SyncPage),
)
