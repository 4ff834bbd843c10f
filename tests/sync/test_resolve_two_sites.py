"""Resolving conflicts between two sites of one company on the real server."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Shift
from core.scheduling import delete_shifts, edit_shift
from sync.conflicts import MINE, open_conflicts, resolve_conflict
from sync.pull import pull
from tests.sync.test_pull import Site, _shared_shift, sites  # noqa: F401 - the fixture


def test_keeping_my_edit_of_a_shift_deleted_there_makes_it_anew_at_both_sites(
    sites: tuple[Site, Site],  # noqa: F811 - the fixture imported above
) -> None:
    # Found by tests/sync/test_three_sites.py: the copy under its new id was written as
    # an update of a row that did not exist, so nothing was kept (and a shift's people
    # failed the foreign key).
    quay, hill = sites
    sid = _shared_shift(quay, hill)
    with quay.store.session() as s:
        delete_shifts(s, [sid])
    quay.sync()
    with hill.store.session() as s:
        edit_shift(s, sid, location="Terrace")
    assert pull(hill.store, hill.client, hill.company_id).conflicts == 1
    with hill.store.session() as s:
        [conflict] = open_conflicts(s)
        done = resolve_conflict(s, conflict.id, MINE)
    assert (done.queued, done.kept_id != sid) == ("create", True)
    hill.sync()
    quay.sync()
    for site in (quay, hill):
        with site.store.session() as s:
            live = s.scalars(select(Shift).where(Shift.deleted.is_(False))).all()
            assert [(x.id, x.location, x.dirty) for x in live] == [(done.kept_id, "Terrace", False)]
            assert live[0].employee_ids == s.get(Shift, sid).employee_ids
