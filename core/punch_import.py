"""Importing punches from a CSV file: every bad line named, all or nothing.

Columns: ``employee`` (payroll code or id), ``timestamp`` (ISO 8601; with an
offset it is that instant, without one it is local time in the employee's site
zone), ``kind`` (in, out, break_start, break_end) and optionally ``device``.
A punch that repeats one in the same file or one already stored is refused by
its line, as is a local time that a DST change skips or repeats (give an offset).
Re-importing an export that overlaps an earlier one is common, so punches
already stored can instead be skipped on request (``skip_existing``) and counted;
every other bad line still refuses the whole file.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core import outbox
from core.csvsource import read_csv_source
from core.errors import ValidationError
from core.models import (
    ClockEvent,
    Employee,
    PunchKind,
    PunchSource,
    Site,
    new_id,
)
from core.timeutil import utcnow, wall_time_kind, zone

REQUIRED = ("employee", "timestamp", "kind")
OPTIONAL = ("device",)


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.problem}"


class PunchImportError(ValidationError):
    """The file was refused; ``problems`` lists every bad line, nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("file", "; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class PunchImport:
    """What an import wrote, and how many punches it left out as already stored."""

    imported: int
    skipped: int = 0


@dataclass(frozen=True)
class _Row:
    line: int
    company_id: str
    employee_id: str
    kind: str
    at: datetime
    device: str | None


def _local_to_utc(naive: datetime, tz_name: str) -> datetime | str:
    """The instant of a local wall time, or why there is none (a DST gap or repeat)."""
    tz = zone(tz_name)
    kind = wall_time_kind(naive, tz)
    if kind == "gap":
        return f"{naive:%Y-%m-%d %H:%M} does not exist in {tz_name} (DST); give an offset"
    if kind == "fold":
        return f"{naive:%Y-%m-%d %H:%M} happens twice in {tz_name} (DST); give an offset"
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _employees(session: Session) -> dict[str, list[tuple[str, str, str]]]:
    """Employees by id and by code, each as (id, company id, site zone)."""
    by_ref: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for emp_id, code, company_id, tz in session.execute(
        select(Employee.id, Employee.code, Employee.company_id, Site.timezone)
        .join(Site, Site.id == Employee.site_id)
        .where(Employee.deleted.is_(False))
    ):
        by_ref[emp_id].append((emp_id, company_id, tz))
        if code:
            by_ref[code].append((emp_id, company_id, tz))
    return by_ref


def import_punches_csv(
    session: Session, path_or_text: str | Path, *, skip_existing: bool = False
) -> PunchImport:
    """Check every line, then write all punches in one statement.

    Raises :class:`PunchImportError` naming each bad line; then nothing is written.
    With ``skip_existing`` a punch already stored is no error: it is left out and
    counted in the result's ``skipped``.
    """
    reader = csv.DictReader(io.StringIO(read_csv_source(path_or_text)))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    problems: list[RowProblem] = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if missing:
        problems.append(RowProblem(1, "header", f"missing column(s) {', '.join(missing)}"))
    if unknown:
        problems.append(RowProblem(1, "header", f"unknown column(s) {', '.join(unknown)}"))
    if problems:
        raise PunchImportError(problems)
    reader.fieldnames = header
    by_ref = _employees(session)
    rows: list[_Row] = []
    seen: dict[tuple[str, datetime, str], int] = {}
    for record in reader:
        line = reader.line_num
        row = _check_row(record, line, by_ref, problems)
        if row is None:
            continue
        key = (row.employee_id, row.at, row.kind)
        if key in seen:
            problems.append(RowProblem(line, "timestamp", f"repeats the punch on line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(row)
    stored = _already_stored(session, rows)
    if not skip_existing:
        problems.extend(
            RowProblem(r.line, "timestamp", "this punch is stored already") for r in stored
        )
    if not rows and not problems:
        problems.append(RowProblem(1, "file", "has no punches"))
    if problems:
        raise PunchImportError(sorted(problems, key=lambda p: p.line))
    new = [r for r in rows if r not in stored]
    _write(session, new)
    return PunchImport(len(new), len(rows) - len(new))


def _check_row(
    record: dict[str | None, Any],
    line: int,
    by_ref: dict[str, list[tuple[str, str, str]]],
    problems: list[RowProblem],
) -> _Row | None:
    before = len(problems)
    if record.get(None):
        problems.append(RowProblem(line, "row", "has more cells than the header"))
    ref = (record.get("employee") or "").strip()
    matches = by_ref.get(ref, []) if ref else []
    if not ref:
        problems.append(RowProblem(line, "employee", "is empty"))
    elif not matches:
        problems.append(RowProblem(line, "employee", f"no employee with code or id {ref!r}"))
    elif len(matches) > 1:
        problems.append(
            RowProblem(line, "employee", f"{ref!r} is the code of several employees; use an id")
        )
    kind = (record.get("kind") or "").strip().lower()
    if kind not in set(PunchKind):
        choices = ", ".join(k.value for k in PunchKind)
        problems.append(RowProblem(line, "kind", f"{kind!r} is not one of {choices}"))
    raw = (record.get("timestamp") or "").strip()
    at: datetime | str | None = None  # None: a local time of an unknown employee
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        at = f"{raw!r} is not an ISO 8601 date and time"
    else:
        if parsed.tzinfo is not None:
            at = parsed.astimezone(UTC)
        elif len(matches) == 1:
            at = _local_to_utc(parsed, matches[0][2])
    if isinstance(at, str):
        problems.append(RowProblem(line, "timestamp", at))
    device = (record.get("device") or "").strip() or None
    if device is not None and len(device) > 100:
        problems.append(RowProblem(line, "device", "is longer than 100 characters"))
    if len(problems) > before or not isinstance(at, datetime):
        return None
    emp_id, company_id, _tz = matches[0]
    return _Row(line, company_id, emp_id, kind, at, device)


def _already_stored(session: Session, rows: list[_Row]) -> list[_Row]:
    """The rows whose punch (person, instant, kind) the store holds already."""
    if not rows:
        return []
    stored = {
        (e, at, k)
        for e, at, k in session.execute(
            select(ClockEvent.employee_id, ClockEvent.at_utc, ClockEvent.kind).where(
                ClockEvent.employee_id.in_({r.employee_id for r in rows}),
                ClockEvent.at_utc >= min(r.at for r in rows),
                ClockEvent.at_utc <= max(r.at for r in rows),
            )
        )
    }
    return [r for r in rows if (r.employee_id, r.at, r.kind) in stored]


def _write(session: Session, rows: list[_Row]) -> None:
    """One insert for the punches and one for their outbox entries (to sync them)."""
    if not rows:
        return
    now = utcnow()
    events = []
    for row in rows:
        event_id = new_id()
        events.append(
            {
                "id": event_id,
                "company_id": row.company_id,
                "employee_id": row.employee_id,
                "kind": row.kind,
                "at_utc": row.at,
                "source": PunchSource.IMPORT,
                "device_id": row.device,
                "dirty": True,
                "deleted": False,
                "created_at": now,
                "updated_at": now,
            }
        )
    session.execute(insert(ClockEvent), events)
    outbox.enqueue_many(session, ClockEvent, [e["id"] for e in events])
