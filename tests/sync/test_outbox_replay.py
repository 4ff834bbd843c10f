"""Random edits (and undos) at a site, pushed from its outbox onto an empty company on
the real server, leave the server holding exactly what the site holds."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from core.employees import EmployeeDraft, add_employee, edit_employee
from core.errors import ShiftDeskError
from core.leave import request_leave
from core.models import OutboxEntry, OutboxState, Shift
from core.organisation import Setup, add_department, edit_department, setup_store
from core.punches import record_punch
from core.results import OpResult
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift, move_shift
from core.store import Store, open_store
from core.templates import TemplateDraft, create_template
from core.wire import COLLECTIONS, RECORD_FIELDS, ChangePage, to_wire
from sync.client import SyncClient
from sync.push import push
from tests.server.conftest import LiveServer, make_tenant

MONDAY = date(2026, 6, 1)
LOCATIONS = ("", "Bar", "Terrace", "Lobby")
RULES = ("FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=DAILY;COUNT=5")


def _server_state(client: SyncClient) -> dict[tuple[str, str], dict | None]:
    """Every record the company's change feed holds: content, or None for a tombstone."""
    found: dict[tuple[str, str], dict | None] = {}
    cursor: str | int = 0
    while True:
        page: ChangePage = client.changes(cursor, limit=500)
        for change in page.changes:
            record = None if change.deleted else dict(change.record)
            found[(change.collection, change.id)] = (
                None
                if record is None
                else {k: v for k, v in record.items() if k not in RECORD_FIELDS}
            )
        cursor = page.cursor
        if not page.has_more:
            return found


def _local_state(store: Store) -> dict[tuple[str, str], dict | None]:
    """What the site holds of every replicated record the server should know."""
    found: dict[tuple[str, str], dict | None] = {}
    with store.session() as s:
        for spec in COLLECTIONS.values():
            for row in s.query(spec.model):
                if row.deleted and row.server_version is None:
                    continue  # made and removed here before any push: never sent
                if spec.model.__made_with_company__ and row.server_version is None:
                    continue  # the policy made with the company: unpublished on both sides
                wire = to_wire(row)
                found[(spec.name, row.id)] = (
                    None
                    if row.deleted
                    else {k: v for k, v in wire.items() if k not in RECORD_FIELDS}
                )
    return found


class SiteAndServer(RuleBasedStateMachine):
    live: LiveServer
    template: Path
    workdir: Path

    @initialize()
    def start(self) -> None:
        self.tenant = make_tenant(self.live)
        self.client = SyncClient(self.live.url, self.tenant.key)
        path = self.workdir / f"site-{id(self)}.shiftdesk"
        shutil.copyfile(self.template, path)
        self.store = open_store(path)
        with self.store.session() as s:
            setup_store(
                s,
                Setup("Testco", "Main", "Europe/Berlin"),
                company_id=self.tenant.company_id,
                site_id=self.tenant.site_id,
            )
        self.departments: list[str] = []
        self.people: list[str] = []
        self.shifts: list[str] = []
        self.done: list[OpResult] = []
        self._run(lambda s: add_department(s, "Kitchen"), self.departments)
        for first in ("Anna", "Ben"):
            self._run(
                lambda s, first=first: add_employee(
                    s, EmployeeDraft(first_name=first, last_name="Test")
                ),
                self.people,
            )

    def teardown(self) -> None:
        store = getattr(self, "store", None)
        if store is not None:
            store.close()
            self.client.close()
            self.tenant.client.close()

    def _run(self, op, into: list[str] | None = None) -> None:
        try:
            with self.store.session() as s:
                result = op(s)
        except ShiftDeskError:
            return  # refused by core's rules: nothing written, nothing queued
        if result.applied:
            self.done.append(result)
            if into is not None:
                into.append(result.ids[0])

    @rule(day=st.integers(0, 6), start=st.sampled_from(["06:00", "14:00", "22:00"]), who=st.data())
    def add_shift(self, day: int, start: str, who: st.DataObject) -> None:
        person = who.draw(st.sampled_from(self.people))
        end = {"06:00": "14:00", "14:00": "22:00", "22:00": "06:00"}[start]
        draft = ShiftDraft(
            self.tenant.site_id, MONDAY + timedelta(days=day), start, end, employee_ids=(person,)
        )
        self._run(lambda s: create_shift(s, draft), self.shifts)

    @rule(data=st.data(), location=st.sampled_from(LOCATIONS))
    def edit_a_shift(self, data: st.DataObject, location: str) -> None:
        if self.shifts:
            sid = data.draw(st.sampled_from(self.shifts))
            self._run(lambda s: edit_shift(s, sid, location=location, notes=location.lower()))

    @rule(data=st.data(), day=st.integers(0, 6))
    def move_a_shift(self, data: st.DataObject, day: int) -> None:
        if self.shifts:
            sid = data.draw(st.sampled_from(self.shifts))
            person = data.draw(st.sampled_from(self.people))
            self._run(
                lambda s: move_shift(s, sid, day=MONDAY + timedelta(days=day), employee_id=person)
            )

    @rule(data=st.data())
    def delete_a_shift(self, data: st.DataObject) -> None:
        if self.shifts:
            sid = data.draw(st.sampled_from(self.shifts))
            self._run(lambda s: delete_shifts(s, [sid]))

    @rule(name=st.sampled_from(["Kitchen", "Bar", "Front Desk"]))
    def rename_the_department(self, name: str) -> None:
        dept = self.departments[0]
        self._run(lambda s: edit_department(s, dept, name=name))

    @rule(data=st.data(), rate=st.sampled_from(["15.50", "20", "22.75"]))
    def pay_someone(self, data: st.DataObject, rate: str) -> None:
        person = data.draw(st.sampled_from(self.people))
        self._run(lambda s: edit_employee(s, person, hourly_rate=Decimal(rate)))

    @rule(data=st.data(), day=st.integers(0, 13), length=st.integers(0, 2))
    def ask_for_leave(self, data: st.DataObject, day: int, length: int) -> None:
        person = data.draw(st.sampled_from(self.people))
        first = MONDAY + timedelta(days=day)
        self._run(
            lambda s: request_leave(
                s,
                employee_id=person,
                start_date=first,
                end_date=first + timedelta(days=length),
                leave_type="paid",
            )
        )

    @rule(data=st.data(), hour=st.integers(5, 22), kind=st.sampled_from(["in", "out"]))
    def punch(self, data: st.DataObject, hour: int, kind: str) -> None:
        person = data.draw(st.sampled_from(self.people))
        at = datetime.combine(MONDAY, time(hour), tzinfo=UTC)
        self._run(lambda s: record_punch(s, employee_id=person, kind=kind, at=at))

    @rule(name=st.sampled_from(["Early", "Late"]), rule_text=st.sampled_from(RULES))
    def keep_a_template(self, name: str, rule_text: str) -> None:
        draft = TemplateDraft(
            self.tenant.site_id, name, "06:00", "14:00", rule_text, MONDAY, location="Bar"
        )
        self._run(lambda s: create_template(s, draft))

    @rule()
    def undo_the_last(self) -> None:
        if self.done:
            last = self.done.pop()
            try:
                with self.store.session() as s:
                    last.undo(s)
            except ShiftDeskError:
                pass  # refused: something changed since; nothing written

    @rule()
    def sync(self) -> None:
        result = push(self.store, self.client)
        assert (result.conflicts, result.pending) == (0, 0), result

    def _surfaced(self) -> set[tuple[str, str]]:
        """Records whose push the server refused: each waits as a failed operation
        with the server's reason (an undo of adding someone whose punches the server
        keeps, say), shown to the supervisor rather than applied or dropped."""
        with self.store.session() as s:
            failed = s.scalars(
                select(OutboxEntry).where(OutboxEntry.state == OutboxState.FAILED)
            ).all()
            assert all(entry.last_error for entry in failed)
            return {(entry.collection, entry.record_id) for entry in failed}

    @invariant()
    def after_a_push_the_server_holds_what_the_site_holds(self) -> None:
        if not hasattr(self, "store"):
            return
        push(self.store, self.client)
        surfaced = self._surfaced()
        server = {k: v for k, v in _server_state(self.client).items() if k not in surfaced}
        local = {k: v for k, v in _local_state(self.store).items() if k not in surfaced}
        assert server == local


@pytest.mark.slow
def test_edits_replayed_from_the_outbox_reproduce_the_site_on_the_server(
    live: LiveServer, migrated_file: Path, tmp_path: Path
) -> None:
    SiteAndServer.live = live
    SiteAndServer.template = migrated_file
    SiteAndServer.workdir = tmp_path
    SiteAndServer.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    SiteAndServer.TestCase().runTest()


def test_a_shift_made_offline_reaches_the_server_once(
    live: LiveServer, migrated_file: Path, tmp_path: Path
) -> None:
    tenant = make_tenant(live)
    path = tmp_path / "site.shiftdesk"
    shutil.copyfile(migrated_file, path)
    store = open_store(path)
    try:
        with store.session() as s:
            setup_store(
                s,
                Setup("Testco", "Main", "Europe/Berlin"),
                company_id=tenant.company_id,
                site_id=tenant.site_id,
            )
            anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
            sid = create_shift(
                s, ShiftDraft(tenant.site_id, MONDAY, "09:00", "17:00", employee_ids=(anna,))
            ).ids[0]
        with SyncClient(live.url, tenant.key) as client:
            first = push(store, client)
            again = push(store, client)
            assert (first.pushed, first.failed, first.conflicts) == (2, 0, 0)
            assert again.pushed == 0
            server = _server_state(client)
        assert server == _local_state(store)
        with store.session() as s:
            row = s.get(Shift, sid)
            assert (row.server_version, row.etag, row.dirty) == (1, '"1"', False)
            assert row.base["id"] == sid
            assert s.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        assert ("shifts", sid) in server
    finally:
        store.close()
        tenant.client.close()
