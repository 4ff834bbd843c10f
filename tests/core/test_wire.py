"""The wire mapping: records to camelCase JSON and back, with every bad field named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.models import Employee, Shift
from core.recurrence import validate
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.wire import (
    COLLECTIONS,
    INVALID,
    MISSING,
    UNDEFINED,
    WireError,
    from_wire,
    input_schema,
    record_schema,
    to_wire,
)
from tests.conftest import MONDAY, Org

SHIFTS = COLLECTIONS["shifts"]


def test_a_shift_goes_out_with_record_fields_and_its_assignments(store: Store, org: Org) -> None:
    with store.session() as s:
        result = create_shift(
            s,
            ShiftDraft(
                org.site_id,
                MONDAY,
                "22:00",
                "06:00",
                employee_ids=(org.anna,),
                department_ids=(org.floor_id,),
                location="Dock",
            ),
        )
        wire = to_wire(s.get(Shift, result.ids[0]))
    assert wire["id"] == result.ids[0]
    assert wire["companyId"] == org.company_id
    assert wire["recordVersion"] == 0
    assert wire["isActive"] is True
    assert wire["createdAt"].endswith("Z")
    assert wire["shiftDate"] == "2026-06-01"
    assert (wire["startTime"], wire["endTime"]) == ("22:00", "06:00")
    assert wire["assignedUserIds"] == [org.anna]
    assert wire["assignedDepartmentIds"] == [org.floor_id]
    assert wire["location"] == "Dock"
    assert wire["status"] == "scheduled"
    assert wire["published"] is False
    assert wire["templateId"] is None


def test_a_record_read_back_parses_to_the_same_values(store: Store, org: Org) -> None:
    with store.session() as s:
        wire = to_wire(s.get(Employee, org.anna))
    values = from_wire(COLLECTIONS["employees"], wire, partial=False)
    assert values["first_name"] == "Anna"
    assert values["hourly_rate"] == Decimal("20")
    assert values["active"] is True
    assert wire["hourlyRate"] == "20"


def test_parsing_names_every_bad_field_at_once() -> None:
    with pytest.raises(WireError) as caught:
        from_wire(
            SHIFTS,
            {
                "shiftDate": "2026-02-30",
                "startTime": "9:00",
                "assignedUserIds": ["not-a-uuid"],
                "colour": "red",
                "published": "yes",
            },
            partial=False,
        )
    problems = {(p.field, p.code) for p in caught.value.problems}
    assert problems == {
        ("shiftDate", INVALID),
        ("startTime", INVALID),
        ("endTime", MISSING),
        ("assignedUserIds", INVALID),
        ("colour", UNDEFINED),
        ("published", INVALID),
    }
    assert caught.value.field == "colour"


def test_a_patch_needs_no_required_field_and_keeps_what_it_names() -> None:
    values = from_wire(SHIFTS, {"assignedDepartmentIds": [], "notes": "bring keys"}, partial=True)
    assert values == {"department_ids": (), "notes": "bring keys"}


def test_record_fields_sent_back_are_ignored() -> None:
    values = from_wire(
        COLLECTIONS["departments"],
        {"id": "x", "recordVersion": 9, "isActive": False, "name": "Kitchen"},
        partial=True,
    )
    assert values == {"name": "Kitchen"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("shiftDate", "0001-01-01"),
        ("startTime", " 09:00"),
        ("location", "a\x00b"),
        ("location", "x" * 201),
        ("status", "done"),
        ("departmentId", 7),
    ],
)
def test_values_outside_the_contract_are_invalid(name: str, value: object) -> None:
    with pytest.raises(WireError) as caught:
        from_wire(SHIFTS, {name: value}, partial=True)
    assert [(p.field, p.code) for p in caught.value.problems] == [(name, INVALID)]


def test_instants_need_an_offset_and_come_back_in_utc() -> None:
    events = COLLECTIONS["clockevents"]
    values = from_wire(events, {"at": "2026-06-01T08:00:00+02:00"}, partial=True)
    assert values["at_utc"].isoformat() == "2026-06-01T06:00:00+00:00"
    with pytest.raises(WireError):
        from_wire(events, {"at": "2026-06-01T08:00:00"}, partial=True)


def test_an_rrule_must_parse() -> None:
    templates = COLLECTIONS["shifttemplates"]
    assert from_wire(templates, {"rrule": "FREQ=DAILY;COUNT=3"}, partial=True)
    with pytest.raises(WireError):
        from_wire(templates, {"rrule": "every monday"}, partial=True)


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=MINUTELY;COUNT=3", "FREQ=DAILY;BYHOUR=9"])
def test_the_wire_refuses_a_rule_as_core_does_in_its_words(rule: str) -> None:
    with pytest.raises(ValidationError) as core_says:
        validate(rule, MONDAY)
    with pytest.raises(WireError) as wire_says:
        from_wire(COLLECTIONS["shifttemplates"], {"rrule": rule}, partial=True)
    [problem] = wire_says.value.problems
    assert (problem.field, problem.code, problem.message) == (
        "rrule",
        "INVALID",
        core_says.value.problem,
    )


def test_core_field_names_map_to_wire_names() -> None:
    assert SHIFTS.wire_name("employee") == "assignedUserIds"
    assert SHIFTS.wire_name("start") == "startTime"
    assert SHIFTS.wire_name("department_ids") == "assignedDepartmentIds"


def test_schemas_describe_the_same_fields() -> None:
    record = record_schema(SHIFTS)
    body = input_schema(SHIFTS, partial=False)
    assert set(record["required"]) >= {"id", "recordVersion", "shiftDate", "assignedUserIds"}
    assert body["required"] == ["shiftDate", "startTime", "endTime"]
    assert body["additionalProperties"] is False
    assert body["properties"]["templateId"]["anyOf"][1] == {"type": "null"}
    assert "required" not in input_schema(SHIFTS, partial=True)
