"""The three-way merge, on the cases a supervisor meets and on random records."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync.merge import DELETED, SET_FIELDS, merge, resolve

BASE = {
    "id": "s1",
    "recordVersion": 3,
    "isActive": True,
    "shiftDate": "2026-06-01",
    "startTime": "09:00",
    "endTime": "17:00",
    "location": "Bar",
    "notes": "",
    "assignedUserIds": ["anna", "ben"],
}


def _with(record: dict, **changes) -> dict:
    return {**record, **changes}


def test_edits_of_different_fields_merge() -> None:
    mine = _with(BASE, location="Terrace")
    theirs = _with(BASE, startTime="10:00", recordVersion=4)
    result = merge(BASE, mine, theirs)
    assert result.clean
    assert result.record["location"] == "Terrace"
    assert result.record["startTime"] == "10:00"
    assert result.record["recordVersion"] == 4  # the server's bookkeeping, not mine
    assert result.to_send == {"location"}


def test_the_same_field_changed_to_different_values_conflicts_for_that_field_only() -> None:
    mine = _with(BASE, location="Terrace", notes="keys")
    theirs = _with(BASE, location="Lobby")
    result = merge(BASE, mine, theirs)
    [conflict] = result.conflicts
    assert (conflict.field, conflict.base, conflict.mine, conflict.theirs) == (
        "location",
        "Bar",
        "Terrace",
        "Lobby",
    )
    assert result.record["notes"] == "keys"
    assert result.record["location"] == "Lobby"


def test_both_sides_making_the_same_change_is_no_conflict() -> None:
    same = _with(BASE, location="Lobby")
    assert merge(BASE, same, same).clean


def test_assigned_people_merge_as_sets() -> None:
    mine = _with(BASE, assignedUserIds=["anna", "ben", "cara"])  # added Cara
    theirs = _with(BASE, assignedUserIds=["anna"])  # took Ben off
    result = merge(BASE, mine, theirs)
    assert result.clean
    assert result.record["assignedUserIds"] == ["anna", "cara"]
    assert result.to_send == {"assignedUserIds"}


def test_deleted_there_and_changed_here_is_a_conflict_not_a_resurrection() -> None:
    result = merge(BASE, _with(BASE, location="Terrace"), None)
    assert result.deleted
    assert [c.field for c in result.conflicts] == [DELETED]
    kept = resolve(result, _with(BASE, location="Terrace"), {DELETED: "mine"})
    assert kept.clean
    assert kept.record["location"] == "Terrace"
    gone = resolve(result, _with(BASE, location="Terrace"), {DELETED: "theirs"})
    assert gone.clean
    assert gone.deleted


def test_deleted_here_and_changed_there_is_a_conflict_not_a_silent_loss() -> None:
    theirs = _with(BASE, location="Lobby")
    result = merge(BASE, None, theirs)
    assert [c.field for c in result.conflicts] == [DELETED]
    assert result.record["location"] == "Lobby"


def test_taking_theirs_over_my_deletion_gives_their_whole_record() -> None:
    theirs = _with(BASE, location="Lobby", recordVersion=4)
    result = merge(BASE, _with(BASE, isActive=False), theirs)
    taken = resolve(result, _with(BASE, isActive=False), {DELETED: "theirs"})
    assert taken.clean
    assert taken.record == theirs  # with its id and version, to be written as the row


def test_taking_theirs_over_my_deletion_keeps_their_whole_record() -> None:
    # Found by tests/sync/test_three_sites.py: the record lacked id, recordVersion and
    # the other bookkeeping fields, so storing it (resolving "theirs") was refused.
    theirs = _with(BASE, location="Lobby", recordVersion=4)
    taken = resolve(merge(BASE, None, theirs), None, {DELETED: "theirs"})
    assert taken.clean
    assert taken.record == theirs


def test_a_deletion_against_an_unchanged_copy_stands() -> None:
    assert merge(BASE, None, BASE).deleted
    assert merge(BASE, None, BASE).clean
    assert merge(BASE, BASE, None).deleted
    assert merge(BASE, BASE, None).clean
    assert merge(BASE, _with(BASE, isActive=False), BASE).deleted


def test_without_a_common_base_every_difference_conflicts() -> None:
    result = merge(None, _with(BASE, location="A"), _with(BASE, location="B"))
    assert [c.field for c in result.conflicts] == ["location"]


def test_resolving_field_by_field() -> None:
    mine = _with(BASE, location="Terrace", startTime="08:00")
    theirs = _with(BASE, location="Lobby", startTime="10:00")
    result = merge(BASE, mine, theirs)
    half = resolve(result, mine, {"location": "mine"})
    assert [c.field for c in half.conflicts] == ["startTime"]
    done = resolve(half, mine, {"startTime": "theirs"})
    assert done.clean
    assert (done.record["location"], done.record["startTime"]) == ("Terrace", "10:00")
    assert done.to_send == {"location"}


# --- properties ----------------------------------------------------------------------------

_values = st.sampled_from(["a", "b", "c", ""])
_ids = st.lists(st.sampled_from(["p1", "p2", "p3", "p4"]), unique=True).map(sorted)
_records = st.fixed_dictionaries(
    {"location": _values, "notes": _values, "startTime": _values, "assignedUserIds": _ids}
)


@given(_records, _records)
def test_a_side_that_changed_nothing_takes_the_other(base: dict, other: dict) -> None:
    assert merge(base, base, other).record == other
    assert merge(base, other, base).record == other
    assert merge(base, base, other).clean
    assert merge(base, other, base).clean


@given(_records, _records, _records)
def test_merge_is_symmetric(base: dict, mine: dict, theirs: dict) -> None:
    one, two = merge(base, mine, theirs), merge(base, theirs, mine)
    assert {c.field for c in one.conflicts} == {c.field for c in two.conflicts}
    clean = {k for k in mine if k not in {c.field for c in one.conflicts}}
    assert {k: one.record[k] for k in clean} == {k: two.record[k] for k in clean}


@given(_records, _records, _records)
def test_every_field_either_merges_or_conflicts_with_a_side_value(
    base: dict, mine: dict, theirs: dict
) -> None:
    result = merge(base, mine, theirs)
    conflicted = {c.field for c in result.conflicts}
    for name, value in result.record.items():
        if name in SET_FIELDS:
            assert set(value) <= set(mine[name]) | set(theirs[name])
            assert set(mine[name]) & set(theirs[name]) <= set(value)
        elif name in conflicted:
            assert mine[name] != theirs[name]
            assert base[name] not in (mine[name], theirs[name])
        else:
            assert value in (mine[name], theirs[name])
            assert value == theirs[name] or theirs[name] == base[name]


@given(_records, _records, _records)
def test_taking_mine_everywhere_gives_my_values_on_the_conflicts(
    base: dict, mine: dict, theirs: dict
) -> None:
    result = merge(base, mine, theirs)
    done = resolve(result, mine, {c.field: "mine" for c in result.conflicts})
    assert done.clean
    for conflict in result.conflicts:
        assert done.record[conflict.field] == mine[conflict.field]
        assert conflict.field in done.to_send
