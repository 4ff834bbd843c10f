"""A roster export as an iCalendar file (RFC 5545), written with ``icalendar``.

One VEVENT per shift. Its UID is the shift's id, so importing a newer export
updates the events instead of adding twins. DTSTART/DTEND are the shift's true
instants written in its site's zone (TZID plus the zone's VTIMEZONE), so an
overnight shift across a DST change lasts what it really lasts, and a phone in
another zone shows the right hours.

A cancelled shift stays in, as STATUS:CANCELLED: a calendar that imported it
before then marks it cancelled, where leaving it out would leave the old event
standing. Drafts are only here when the export asked for them (see
:mod:`core.export.roster_scope`), as STATUS:TENTATIVE.
"""

from __future__ import annotations

from pathlib import Path

from icalendar import Calendar, Event

from core.export.roster_scope import RosterExport
from core.roster import RosterShift
from core.timeutil import as_utc, to_local

PRODID = "-//ShiftDesk//Roster export//EN"


#: A team calendar's title names this many people on a shift, then "+N".
NAMES_IN_TITLE = 2


def place(export: RosterExport, shift: RosterShift) -> str:
    """Department / location, the location left out where it only repeats the
    department ("Kitchen", not "Kitchen / Kitchen")."""
    department = export.department_names.get(shift.department_id, "Shift")
    location = shift.location.strip()
    if not location or location.casefold() == department.strip().casefold():
        return department
    return f"{department} / {location}"


def is_personal(export: RosterExport) -> bool:
    """Whether the export is one person's own calendar (one person asked for, no
    department): its events need no name; any other selection is a team's."""
    scope = export.scope
    return len(scope.employee_ids) == 1 and not scope.department_ids


def crew(export: RosterExport, shift: RosterShift) -> str:
    """Who works ``shift``, short enough for a title: "Anna Fischer, Ben Cole +3"."""
    names = export.people_on(shift)
    shown = ", ".join(names[:NAMES_IN_TITLE])
    more = len(names) - NAMES_IN_TITLE
    return f"{shown} +{more}" if more > 0 else shown


def summary(export: RosterExport, shift: RosterShift) -> str:
    """What a calendar shows first: where, for a person's own calendar; who and
    where ("Anna Fischer · Kitchen") in a team's, whose events would otherwise
    all look alike."""
    where = place(export, shift)
    if not export.people_on(shift):
        return f"Open shift: {where}"
    if is_personal(export):
        return where
    return f"{crew(export, shift)} · {where}"


def status(shift: RosterShift) -> str:
    if shift.cancelled:
        return "CANCELLED"
    return "CONFIRMED" if shift.published else "TENTATIVE"


def description(export: RosterExport, shift: RosterShift) -> str:
    lines = [", ".join(export.people_on(shift)) or "Nobody yet (open shift)"]
    if not shift.published:
        lines.append("Draft: not published yet")
    if shift.notes:
        lines.append(shift.notes)
    return "\n".join(lines)


def event(export: RosterExport, shift: RosterShift) -> Event:
    tz = export.timezone_of(shift)
    ev = Event()
    ev.add("uid", shift.id)
    ev.add("dtstamp", as_utc(export.made_at))
    ev.add("dtstart", to_local(shift.start_utc, tz))
    ev.add("dtend", to_local(shift.end_utc, tz))
    ev.add("summary", summary(export, shift))
    if shift.location:
        ev.add("location", shift.location)
    ev.add("description", description(export, shift))
    ev.add("status", status(shift))
    ev.add("transp", "TRANSPARENT" if shift.cancelled else "OPAQUE")
    return ev


def calendar_name(export: RosterExport) -> str:
    scope = export.scope
    return f"{export.site_names or 'ShiftDesk'} shifts {scope.first} to {scope.last}"


def build_calendar(export: RosterExport) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name(export))
    for shift in export.shifts():
        cal.add_component(event(export, shift))
    cal.add_missing_timezones()
    return cal


def write_ics(export: RosterExport, path: Path) -> Path:
    path.write_bytes(build_calendar(export).to_ical())
    return path
