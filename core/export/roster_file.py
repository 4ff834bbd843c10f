"""Roster export: the file's extension picks the format (.pdf to print, .ics for
calendars); the command line and the desktop both call :func:`export_roster`."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from core.export.files import writer_for, writing
from core.export.ical import write_ics
from core.export.roster_pdf import write_pdf
from core.export.roster_scope import RosterExport, RosterScope, load_export

SUFFIXES = (".pdf", ".ics")


def export_roster(
    session: Session, scope: RosterScope, path: Path | str, *, per_department: bool = True
) -> RosterExport:
    """Write ``scope``'s shifts to ``path`` (``per_department``: a PDF page per
    department rather than all on one); returns what was written."""
    path = Path(path)
    writer = writer_for(
        path, {".pdf": partial(write_pdf, per_department=per_department), ".ics": write_ics}
    )
    export = load_export(session, scope)
    with writing(path):
        writer(export, path)
    return export
