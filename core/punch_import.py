"""Importing punches from a CSV file: every bad line named, all or nothing.

Columns: ``employee`` (payroll code or id), ``timestamp`` (ISO 8601; with an
offset it is that instant, without one it is local time in the employee's site
zone), ``kind`` (in, out, break_start, break_end) and optionally ``device``.
A punch that repeats one in the same file or one already stored is refused by
its line, as is a local time that a DST change skips or repeats (give an offset)
and a punch that counts on a day of a closed pay period.
Re-importing an export that overlaps an earlier one is common, so punches
already stored can instead be skipped on request (``skip_existing``) and counted;
every other bad line still refuses the whole file.

An accepted file is one operation: its undo takes the punches it imported away
(softly, so the delete can sync), and importing them again brings those same
records back.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core import outbox, undo
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
from core.pay_periods import closed_sentence, punch_periods
from core.results import OpResult
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
    """What an import wrote, how many punches it left out as already stored, and the
    import as an operation: ``result.undo`` takes the imported punches away again
    (softly), where nobody changed them since.

    The counts stay beside the result, not in it: ``skipped`` here counts punches,
    where an :class:`OpResult`'s ``skipped`` lists the proposals a bulk operation
    left out, each with its reasons.
    """

    imported: int
    skipped: int = 0
    result: OpResult = field(default_factory=OpResult)


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
    live, deleted = _stored(session, rows)
    problems.extend(_closed(session, [r for r in rows if _key(r) not in live]))
    if not skip_existing:
        problems.extend(
            RowProblem(r.line, "timestamp", "this punch is stored already")
            for r in rows
            if _key(r) in live
        )
    if not rows and not problems:
        problems.append(RowProblem(1, "file", "has no punches"))
    if problems:
        raise PunchImportError(sorted(problems, key=lambda p: p.line))
    new = [r for r in rows if _key(r) not in live]
    if not new:
        return PunchImport(0, len(rows))
    with undo.recording(session) as recorder:
        _write(session, new, deleted)
    return PunchImport(len(new), len(rows) - len(new), recorder.result())


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


def _closed(session: Session, rows: list[_Row]) -> list[RowProblem]:
    """A line whose punch counts on a day of a closed pay period, naming the period."""
    periods = punch_periods(session, None, [(r.employee_id, r.at) for r in rows])
    return [
        RowProblem(r.line, "timestamp", closed_sentence(period))
        for r, period in zip(rows, periods, strict=True)
        if period is not None
    ]


_Key = tuple[str, datetime, str]


def _key(row: _Row) -> _Key:
    return (row.employee_id, row.at, row.kind)


def _stored(
    session: Session, rows: list[_Row]
) -> tuple[set[_Key], dict[_Key, tuple[str, str, str | None]]]:
    """The punches (person, instant, kind) of ``rows`` the store holds live, and those
    it holds deleted (a punch an undo took back, say) with their id, source and
    device: importing one again brings that record back, as a punch is one record
    however often it is imported."""
    live: set[_Key] = set()
    deleted: dict[_Key, tuple[str, str, str | None]] = {}
    if not rows:
        return live, deleted
    for rid, employee_id, at, kind, gone, source, device in session.execute(
        select(
            ClockEvent.id,
            ClockEvent.employee_id,
            ClockEvent.at_utc,
            ClockEvent.kind,
            ClockEvent.deleted,
            ClockEvent.source,
            ClockEvent.device_id,
        ).where(
            ClockEvent.employee_id.in_({r.employee_id for r in rows}),
            ClockEvent.at_utc >= min(r.at for r in rows),
            ClockEvent.at_utc <= max(r.at for r in rows),
        )
    ):
        if gone:
            deleted[(employee_id, at, kind)] = (rid, source, device)
        else:
            live.add((employee_id, at, kind))
    return live, deleted


def _write(
    session: Session, rows: list[_Row], deleted: dict[_Key, tuple[str, str, str | None]]
) -> None:
    """One insert for the new punches and one for their outbox entries (to sync them);
    deleted punches the file names again come back, as imported from its device. The
    undo recorder is told what was written past the ORM."""
    back = [(deleted[_key(r)], r) for r in rows if _key(r) in deleted]
    if back:
        undo.set_deleted_many(session, ClockEvent, [rid for (rid, _, _), _ in back], deleted=False)
        for (rid, source, device), row in back:
            if source != PunchSource.IMPORT or device != row.device:
                event = session.get(ClockEvent, rid)
                assert event is not None
                if source != PunchSource.IMPORT:
                    event.source = PunchSource.IMPORT
                if device != row.device:
                    event.device_id = row.device
        rows = [r for r in rows if _key(r) not in deleted]
    if not rows:
        return
    now = utcnow()
    ids = [new_id() for _ in rows]
    columns = {
        "id": ids,
        "company_id": [r.company_id for r in rows],
        "employee_id": [r.employee_id for r in rows],
        "kind": [r.kind for r in rows],
        "at_utc": [r.at for r in rows],
        "device_id": [r.device for r in rows],
    }
    same = {
        "source": PunchSource.IMPORT,
        "dirty": True,
        "deleted": False,
        "created_at": now,
        "updated_at": now,
    }
    session.execute(
        insert(ClockEvent),
        [
            dict(zip(columns, values, strict=True)) | same
            for values in zip(*columns.values(), strict=True)
        ],
    )
    outbox.enqueue_many(session, ClockEvent, ids)
    undo.note_inserted(session, ClockEvent, ids, columns, same)
