"""Two sites of one company on the real server: what one pushes the other pulls, edits
of different fields of one shift merge, edits of the same field become a conflict."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from core.employees import EmployeeDraft, add_employee
from core.models import OutboxEntry, OutboxState, Shift
from core.models.sync import SyncConflict
from core.organisation import Setup, resolve_site, setup_store
from core.scheduling import ShiftDraft, create_shift, edit_shift
from core.store import Store, open_store
from sync.client import SyncClient
from sync.pull import pull
from sync.push import push
from tests.conftest import MONDAY
from tests.server.conftest import LiveServer, make_tenant


@dataclass
class Site:
    store: Store
    client: SyncClient
    company_id: str

    def sync(self) -> tuple:
        pushed = push(self.store, self.client)
        pulled = pull(self.store, self.client, self.company_id)
        return pushed, pulled

    def site_id(self) -> str:
        with self.store.session() as s:
            return resolve_site(s).id

    def shift(self, shift_id: str) -> Shift:
        with self.store.session() as s:
            shift = s.get(Shift, shift_id)
            s.expunge(shift)
            return shift


@pytest.fixture
def sites(live: LiveServer, migrated_file: Path, tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    tenant = make_tenant(live)
    made = []
    for name in ("quay", "hill"):
        path = tmp_path / f"{name}.shiftdesk"
        shutil.copyfile(migrated_file, path)
        store = open_store(path)
        with store.session() as s:
            setup_store(
                s,
                Setup("Testco", "Main", "Europe/Berlin"),
                company_id=tenant.company_id,
                site_id=tenant.site_id,
            )
        made.append(Site(store, SyncClient(live.url, tenant.key), tenant.company_id))
    yield made[0], made[1]
    for site in made:
        site.client.close()
        site.store.close()
    tenant.client.close()


def _shared_shift(quay: Site, hill: Site) -> str:
    with quay.store.session() as s:
        anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
        site_id = quay.site_id()
        sid = create_shift(
            s, ShiftDraft(site_id, MONDAY, "09:00", "17:00", employee_ids=(anna,))
        ).ids[0]
    quay.sync()
    hill.sync()
    return sid


def test_what_one_site_pushes_the_other_pulls(sites: tuple[Site, Site]) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    mine = hill.shift(sid)
    assert (mine.start_time, mine.server_version, mine.dirty) == ("09:00", 1, False)
    assert mine.start_utc.hour == 7  # the pulled shift has its instants (Berlin, summer)
    _, again = hill.sync()
    assert (again.pulled, again.merged, again.conflicts) == (0, 0, 0)


def test_edits_of_different_fields_merge_and_reach_both_sites(sites: tuple[Site, Site]) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with quay.store.session() as s:
        edit_shift(s, sid, location="Terrace")
    quay.sync()
    with hill.store.session() as s:
        edit_shift(s, sid, notes="bring keys")
    pushed, pulled = hill.sync()  # the push meets the server's newer copy: 412
    assert (pushed.pushed, pushed.conflicts, pushed.failed) == (1, 0, 0)  # merged, resent
    assert pulled.conflicts == 0
    quay.sync()
    for site in (quay, hill):
        shift = site.shift(sid)
        assert (shift.location, shift.notes) == ("Terrace", "bring keys")


def test_the_same_field_changed_at_both_sites_is_a_conflict_and_others_flow_on(
    sites: tuple[Site, Site],
) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with quay.store.session() as s:
        edit_shift(s, sid, location="Terrace")
        other = create_shift(
            s,
            ShiftDraft(quay.site_id(), MONDAY, "18:00", "22:00", employee_ids=()),
        ).ids[0]
    quay.sync()
    with hill.store.session() as s:
        hill_edit = edit_shift(s, sid, location="Lobby")
    assert hill_edit.applied
    # Pull before pushing, as a run that starts by reading the feed would.
    result = pull(hill.store, hill.client, hill.company_id)
    assert result.conflicts == 1
    with hill.store.session() as s:
        [conflict] = s.scalars(select(SyncConflict)).all()
        assert (conflict.base["location"], conflict.mine["location"]) == ("", "Lobby")
        assert conflict.theirs["location"] == "Terrace"
        states = {e.state for e in s.scalars(select(OutboxEntry))}
        assert states == {OutboxState.CONFLICT}
        assert s.get(Shift, other) is not None  # the rest of the feed came in
    assert hill.shift(sid).location == "Lobby"  # nothing overwritten while it waits
    assert push(hill.store, hill.client).pushed == 0  # and nothing pushed over theirs


def test_a_push_that_meets_an_overlapping_edit_leaves_a_conflict_not_an_overwrite(
    sites: tuple[Site, Site],
) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with quay.store.session() as s:
        edit_shift(s, sid, location="Terrace")
    quay.sync()
    with hill.store.session() as s:
        edit_shift(s, sid, location="Lobby", notes="bring keys")
    pushed = push(hill.store, hill.client)
    assert (pushed.pushed, pushed.conflicts) == (0, 1)
    with hill.store.session() as s:
        [conflict] = s.scalars(select(SyncConflict)).all()
        assert (conflict.mine["location"], conflict.theirs["location"]) == ("Lobby", "Terrace")
    assert hill.client.get("shifts", sid).record["location"] == "Terrace"
    assert pull(hill.store, hill.client, hill.company_id).conflicts == 1  # seen again:
    with hill.store.session() as s:  # still the one conflict, not a second listing
        assert len(s.scalars(select(SyncConflict)).all()) == 1
