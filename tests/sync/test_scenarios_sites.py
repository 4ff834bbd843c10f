"""Two sites of one company edit offline and sync through the engine: edits merge,
clashes become conflicts a supervisor settles, the server's refusals wait as failed
operations; afterwards both sites and the server hold the same records.

Everything is real: the server on 127.0.0.1, a SQLite file per site, run_sync.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.employees import EmployeeDraft, add_employee
from core.leave import approve_leave, kept_links, request_leave
from core.models import LeaveRequest, Shift
from core.models.sync import RunOutcome
from core.scheduling import ShiftDraft, create_shift, delete_shifts, edit_shift
from core.wire import RECORD_FIELDS, to_wire
from sync.conflicts import open_conflicts, resolve_conflict
from sync.failed import discard, failed_ops, replay
from tests.conftest import MONDAY
from tests.server.conftest import Tenant
from tests.sync.conftest import SyncSite, server_record, server_records

Sites = tuple[SyncSite, SyncSite]


@pytest.fixture
def sites(new_site: Callable[[str], SyncSite]) -> Sites:
    return new_site("quay"), new_site("hill")


def _content(record: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if record is None else {k: v for k, v in record.items() if k not in RECORD_FIELDS}


def _held(site: SyncSite, record_id: str) -> dict[str, Any] | None:
    """A shift's content as the site holds it; None when deleted there or absent."""
    row = site.read(Shift, record_id)
    return None if row is None or row.deleted else _content(to_wire(row))


def _all_agree(tenant: Tenant, quay: SyncSite, hill: SyncSite, shift: str) -> Any:
    """The shift is the same at both sites and on the server, and nothing waits."""
    on_server = _content(server_record(tenant, "shifts", shift))
    assert _held(quay, shift) == on_server
    assert _held(hill, shift) == on_server
    for site in (quay, hill):
        assert site.outbox() == []
        with site.store.session() as s:
            assert open_conflicts(s) == []
    return on_server


def _everyone_syncs(*sites: SyncSite) -> None:
    for site in (*sites, *sites):  # twice round: each hears what the last one sent
        result = site.run()
        assert result.outcome is RunOutcome.OK, (site.name, result.message, result.errors)


def _shared_shift(quay: SyncSite, hill: SyncSite) -> tuple[str, str]:
    """Anna and her Monday shift, made at quay, known to both sites."""
    with quay.store.session() as s:
        anna = add_employee(s, EmployeeDraft(first_name="Anna", last_name="Berg")).ids[0]
        shift = create_shift(
            s, ShiftDraft(quay.site_id, MONDAY, "09:00", "17:00", employee_ids=(anna,))
        ).ids[0]
    _everyone_syncs(quay, hill)
    return anna, shift


def _edit(site: SyncSite, shift: str, **changes: Any) -> None:
    with site.store.session() as s:
        assert edit_shift(s, shift, **changes).applied


def _delete(site: SyncSite, shift: str) -> None:
    with site.store.session() as s:
        delete_shifts(s, [shift])


def _new_shift(site: SyncSite, start: str, end: str, *people: str) -> str:
    with site.store.session() as s:
        return create_shift(
            s, ShiftDraft(site.site_id, MONDAY, start, end, employee_ids=people)
        ).ids[0]


# --- 3. the same shift edited at two sites --------------------------------------------


def test_edits_of_different_fields_at_two_sites_merge_on_both(tenant: Tenant, sites: Sites) -> None:
    quay, hill = sites
    _, shift = _shared_shift(quay, hill)
    _edit(quay, shift, location="Terrace")
    _edit(hill, shift, notes="bring keys")
    assert quay.run().outcome is RunOutcome.OK
    result = hill.run()  # its PATCH meets quay's version: 412, merged, sent again
    assert (result.outcome, result.conflicts, result.failed) == (RunOutcome.OK, 0, 0)
    _everyone_syncs(quay, hill)
    agreed = _all_agree(tenant, quay, hill, shift)
    assert (agreed["location"], agreed["notes"]) == ("Terrace", "bring keys")
    assert server_record(tenant, "shifts", shift)["recordVersion"] == 3


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("mine", ("Lobby", "from hill")),
        ("theirs", ("Terrace", "from quay")),
        ({"location": "mine", "notes": "theirs"}, ("Lobby", "from quay")),
    ],
    ids=["mine", "theirs", "per-field"],
)
def test_the_same_fields_changed_at_two_sites_wait_as_a_conflict_until_resolved(
    tenant: Tenant, sites: Sites, choice: Any, expected: tuple[str, str]
) -> None:
    quay, hill = sites
    anna, shift = _shared_shift(quay, hill)
    with quay.store.session() as s:
        ben = add_employee(s, EmployeeDraft(first_name="Ben", last_name="Cole")).ids[0]
    _edit(quay, shift, location="Terrace", notes="from quay")
    quays_other = _new_shift(quay, "18:00", "22:00", ben)
    assert quay.run().pushed == 3
    _edit(hill, shift, location="Lobby", notes="from hill")
    hills_other = _new_shift(hill, "06:00", "08:00", anna)

    result = hill.run()
    assert result.outcome is RunOutcome.OK  # a conflict waits; the run completes
    assert result.conflicts == 1
    # Everything else flowed in the same run, both ways.
    assert server_record(tenant, "shifts", hills_other) is not None
    assert _held(hill, quays_other) is not None
    # Nothing overwritten on either side while the conflict waits.
    assert server_record(tenant, "shifts", shift)["location"] == "Terrace"
    assert _held(hill, shift)["location"] == "Lobby"
    with hill.store.session() as s:
        [conflict] = open_conflicts(s)
        fields = {f.name: (f.mine, f.theirs) for f in conflict.fields}
        assert fields == {
            "location": ("Lobby", "Terrace"),
            "notes": ("from hill", "from quay"),
        }
        resolve_conflict(s, conflict.id, choice)

    _everyone_syncs(hill, quay)
    agreed = _all_agree(tenant, quay, hill, shift)
    assert (agreed["location"], agreed["notes"]) == expected
    assert agreed["assignedUserIds"] == [anna]


# --- 4. deleted at one site, edited or deleted at the other ---------------------------


@pytest.mark.parametrize("choice", ["mine", "theirs"])
def test_deleted_at_one_site_and_edited_at_the_other_is_a_conflict_either_way_round(
    tenant: Tenant, sites: Sites, choice: str
) -> None:
    quay, hill = sites
    _, shift = _shared_shift(quay, hill)
    _delete(quay, shift)
    _edit(hill, shift, location="Lobby")
    assert quay.run().outcome is RunOutcome.OK
    result = hill.run()
    # The PATCH met no record (404), the pull the tombstone: one conflict, not also
    # a failed operation for the same edit.
    assert (result.outcome, result.conflicts, result.failed) == (RunOutcome.OK, 1, 0)
    assert hill.outbox() == [("shifts", shift, "update", "conflict")]
    assert _held(hill, shift)["location"] == "Lobby"  # not silently lost
    assert server_record(tenant, "shifts", shift) is None  # nor silently revived
    with hill.store.session() as s:
        [conflict] = open_conflicts(s)
        resolved = resolve_conflict(s, conflict.id, choice)
    _everyone_syncs(hill, quay)
    _all_agree(tenant, quay, hill, shift)
    assert server_record(tenant, "shifts", shift) is None  # a deletion is final there
    if choice == "mine":  # my copy lives on as a new record, everywhere
        kept = _all_agree(tenant, quay, hill, resolved.kept_id)
        assert kept["location"] == "Lobby"
    else:
        assert resolved.kept_id == shift
        assert server_records(tenant, "shifts") == {shift: None}


@pytest.mark.parametrize(("choice", "alive"), [("mine", False), ("theirs", True)])
def test_edited_at_one_site_and_deleted_at_the_other_is_a_conflict(
    tenant: Tenant, sites: Sites, choice: str, alive: bool
) -> None:
    quay, hill = sites
    _, shift = _shared_shift(quay, hill)
    _edit(quay, shift, location="Terrace")
    _delete(hill, shift)
    assert quay.run().outcome is RunOutcome.OK
    result = hill.run()
    assert (result.outcome, result.conflicts, result.failed) == (RunOutcome.OK, 1, 0)
    assert server_record(tenant, "shifts", shift)["location"] == "Terrace"
    assert _held(hill, shift) is None  # my deletion stands here while it waits
    with hill.store.session() as s:
        [conflict] = open_conflicts(s)
        resolve_conflict(s, conflict.id, choice)
    _everyone_syncs(hill, quay)
    agreed = _all_agree(tenant, quay, hill, shift)
    if alive:
        assert agreed["location"] == "Terrace"
    else:
        assert agreed is None


def test_deleted_at_both_sites_is_simply_deleted(tenant: Tenant, sites: Sites) -> None:
    quay, hill = sites
    _, shift = _shared_shift(quay, hill)
    _delete(quay, shift)
    _delete(hill, shift)
    assert quay.run().outcome is RunOutcome.OK
    result = hill.run()
    assert (result.outcome, result.conflicts, result.failed) == (RunOutcome.OK, 0, 0)
    _everyone_syncs(quay, hill)
    assert _all_agree(tenant, quay, hill, shift) is None
    assert server_records(tenant, "shifts") == {shift: None}


# --- 6. leave approved offline, keeping the person on their shifts --------------------


def test_leave_approved_offline_keeping_the_shift_reaches_the_other_site(
    tenant: Tenant, sites: Sites
) -> None:
    quay, hill = sites
    anna, shift = _shared_shift(quay, hill)
    with quay.store.session() as s:
        leave = request_leave(
            s, employee_id=anna, start_date=MONDAY, end_date=MONDAY, leave_type="paid"
        ).ids[0]
    _everyone_syncs(quay, hill)

    with quay.store.session() as s:  # offline: approved, Anna kept on her shift
        approved = approve_leave(s, leave, actor="Quay supervisor", on_clash="keep")
        assert approved.applied
    result = quay.run()
    assert (result.outcome, result.failed, result.conflicts) == (RunOutcome.OK, 0, 0)
    _everyone_syncs(hill, quay)

    assert server_record(tenant, "leaverequests", leave)["status"] == "approved"
    on_quay = quay.read(LeaveRequest, leave)
    on_hill = hill.read(LeaveRequest, leave)
    on_server = server_record(tenant, "leaverequests", leave)
    # The server records the decision as its key's (the action carries no name); the
    # deciding site takes the server's copy like the other one.
    for row in (on_quay, on_hill):
        assert (row.status, row.decided_by) == ("approved", on_server["decidedBy"])
        assert row.decided_at.isoformat()[:19] == on_server["decidedAt"][:19]
    kept = _all_agree(tenant, quay, hill, shift)
    assert kept["assignedUserIds"] == [anna]  # kept on it
    assert hill.read(Shift, shift).flag == quay.read(Shift, shift).flag != ""
    with quay.store.session() as s:
        at_quay = [(k.shift_id, k.note) for k in kept_links(s, leave)]
    with hill.store.session() as s:
        at_hill = [(k.shift_id, k.note) for k in kept_links(s, leave)]
    assert at_hill == at_quay
    assert [sid for sid, _ in at_hill] == [shift]
    [link] = server_records(tenant, "leaveshiftlinks").values()
    assert (link["leaveId"], link["shiftId"]) == (leave, shift)


# --- 11. the server refuses an overlap ------------------------------------------------


def _overlap(tenant: Tenant, quay: SyncSite, hill: SyncSite) -> tuple[str, str, str, str]:
    """Anna put on overlapping Monday shifts at each site, offline; quay's goes first.
    Returns Anna, quay's shift, hill's refused one and another hill made meanwhile."""
    anna, _ = _shared_shift(quay, hill)
    ours = _new_shift(quay, "18:00", "22:00", anna)
    theirs = _new_shift(hill, "20:00", "23:00", anna)
    other = _new_shift(hill, "06:00", "08:00")
    assert quay.run().outcome is RunOutcome.OK
    result = hill.run()
    assert result.outcome is RunOutcome.PARTIAL  # completed, with a refusal waiting
    assert (result.failed, result.pending, result.conflicts) == (1, 0, 0)
    assert server_record(tenant, "shifts", other) is not None  # the queue went on
    assert server_record(tenant, "shifts", theirs) is None
    with hill.store.session() as s:
        [failed] = failed_ops(s)
    assert (failed.record_id, failed.op) == (theirs, "create")
    assert "409" in failed.reason
    assert "Anna Berg already works 18:00" in failed.reason  # the server's own words
    assert result.errors[0]["message"] == failed.reason
    return anna, ours, theirs, other


def test_a_refused_overlap_is_a_failed_operation_and_discarding_it_restores_the_site(
    tenant: Tenant, sites: Sites
) -> None:
    quay, hill = sites
    _, ours, theirs, other = _overlap(tenant, quay, hill)
    with hill.store.session() as s:
        [failed] = failed_ops(s)
        discard(s, failed.id)
    _everyone_syncs(hill, quay)
    assert _held(hill, theirs) is None  # gone: nobody else ever had it
    assert server_records(tenant, "shifts").get(theirs, None) is None
    for shift in (ours, other):
        _all_agree(tenant, quay, hill, shift)
    with hill.store.session() as s:
        assert failed_ops(s) == []


def test_a_refused_overlap_replayed_after_a_fix_is_accepted(tenant: Tenant, sites: Sites) -> None:
    quay, hill = sites
    anna, ours, theirs, _ = _overlap(tenant, quay, hill)
    _edit(hill, theirs, start_time="22:00", end_time="23:30")  # after quay's shift ends
    with hill.store.session() as s:
        for failed in failed_ops(s):
            replay(s, failed.id)
    result = hill.run()
    assert (result.outcome, result.failed, result.pending) == (RunOutcome.OK, 0, 0), result.errors
    _everyone_syncs(hill, quay)
    fixed = _all_agree(tenant, quay, hill, theirs)
    assert (fixed["startTime"], fixed["endTime"], fixed["assignedUserIds"]) == (
        "22:00",
        "23:30",
        [anna],
    )
    _all_agree(tenant, quay, hill, ours)
    with hill.store.session() as s:
        assert failed_ops(s) == []
