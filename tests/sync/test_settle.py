"""Settling a record deleted here while the server's copy moved on, on the real server.

Found by tests/sync/test_three_sites.py: when the server's copy had moved to a new
version with the content the deletion was based on (an edit there, then its undo), the
merge rightly let the deletion stand, but the store took it for a deletion both sides
agreed on: the row became a tombstone and its outbox entries went, so the server kept
the record that every site believed deleted; and a push that met it (a 412 on an
earlier edit of the record) then failed on the entry the merge had removed.
"""

from __future__ import annotations

from sqlalchemy import select

from core.models import OutboxEntry, Shift
from core.scheduling import delete_shifts, edit_shift
from sync.client import SyncClient
from sync.conflicts import open_conflicts
from sync.engine import run_sync
from sync.errors import Gone
from sync.pull import pull
from tests.sync.test_pull import Site, _shared_shift, sites  # noqa: F401 - the fixture


def _moved_there_and_back(quay: Site, sid: str) -> None:
    for location in ("Lobby", ""):
        with quay.store.session() as s:
            edit_shift(s, sid, location=location)
        quay.sync()


def _gone_everywhere(quay: Site, hill: Site, sid: str) -> None:
    try:
        hill.client.get("shifts", sid)
        raise AssertionError("the server still has the shift")
    except Gone:
        pass
    quay.sync()
    for site in (quay, hill):
        with site.store.session() as s:
            assert s.get(Shift, sid).deleted
            assert not s.scalars(select(OutboxEntry)).all()


def test_a_deletion_the_pull_lets_stand_still_reaches_the_server(
    sites: tuple[Site, Site],  # noqa: F811 - the fixture imported above
) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with hill.store.session() as s:
        delete_shifts(s, [sid])
    _moved_there_and_back(quay, sid)
    result = pull(hill.store, hill.client, hill.company_id)
    assert (result.merged, result.conflicts) == (1, 0)
    assert run_sync(hill.store, hill.client).pushed == 1
    _gone_everywhere(quay, hill, sid)


def test_an_edit_then_a_deletion_meeting_the_moved_copy_on_push_delete_it(
    sites: tuple[Site, Site],  # noqa: F811 - the fixture imported above
) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with hill.store.session() as s:
        edit_shift(s, sid, location="Terrace")
    # Tried while the server could not be reached: the deletion after it is then an
    # entry of its own, not folded into the edit.
    with SyncClient("http://127.0.0.1:1", "no server here") as away:
        assert not run_sync(hill.store, away).completed
    with hill.store.session() as s:
        delete_shifts(s, [sid])
    _moved_there_and_back(quay, sid)
    result = run_sync(hill.store, hill.client)  # the edit meets 412 first
    assert result.completed, result.message
    assert (result.pushed, result.conflicts, result.failed) == (1, 0, 0)
    _gone_everywhere(quay, hill, sid)


def test_a_conflict_a_later_pull_settles_is_closed_not_left_to_revive_the_record(
    sites: tuple[Site, Site],  # noqa: F811 - the fixture imported above
) -> None:
    # Found by tests/sync/test_three_sites.py: deleted here, changed there (a conflict),
    # then deleted there too; the pull of that tombstone merged cleanly, but the
    # conflict stayed open with the changed copy, and taking "theirs" brought the
    # deleted shift back at this site alone, for good.
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with quay.store.session() as s:
        edit_shift(s, sid, location="Lobby")
    quay.sync()
    with hill.store.session() as s:
        delete_shifts(s, [sid])
    assert pull(hill.store, hill.client, hill.company_id).conflicts == 1
    with quay.store.session() as s:
        delete_shifts(s, [sid])
    quay.sync()
    assert pull(hill.store, hill.client, hill.company_id).merged == 1
    with hill.store.session() as s:
        assert open_conflicts(s) == []
        assert s.get(Shift, sid).deleted
        assert not s.scalars(select(OutboxEntry)).all()


def test_edits_that_waited_on_a_conflict_a_later_pull_settles_are_sent(
    sites: tuple[Site, Site],  # noqa: F811 - the fixture imported above
) -> None:
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with quay.store.session() as s:
        edit_shift(s, sid, location="Lobby")
    quay.sync()
    with hill.store.session() as s:
        edit_shift(s, sid, location="Terrace", notes="keys")
    assert pull(hill.store, hill.client, hill.company_id).conflicts == 1
    with quay.store.session() as s:  # quay comes round to hill's location
        edit_shift(s, sid, location="Terrace")
    quay.sync()
    result = run_sync(hill.store, hill.client)
    assert (result.merged, result.conflicts, result.pending) == (1, 0, 0)
    quay.sync()
    for site in (quay, hill):
        assert (site.shift(sid).location, site.shift(sid).notes) == ("Terrace", "keys")
