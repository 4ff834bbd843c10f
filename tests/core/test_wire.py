"""The wire mapping: records to camelCase JSON and back, with every bad field named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import Employee, Shift, Site
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.wire import (
    COLLECTIONS,
    COMPANY,
    INVALID,
    MISSING,
    SITE,
    UNDEFINED,
    WireError,
    from_wire,
    input_schema,
    read_shape,
    record_schema,
    shape_schema,
    show,
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


SITE_ID = "0b7e6a52-7f1e-4d55-9a51-3f1c2b1a9e01"
COMPANY_ID = "5d0f2c8e-2a43-4f7e-b3f0-8c1e9a6d4b22"


def test_a_site_goes_out_and_reads_back_with_the_same_values() -> None:
    site = Site(id=SITE_ID, company_id=COMPANY_ID, name="Quay", timezone="Europe/Lisbon")
    shown = show(SITE, site)
    assert shown == {
        "id": SITE_ID,
        "companyId": COMPANY_ID,
        "name": "Quay",
        "timezone": "Europe/Lisbon",
    }
    assert read_shape(SITE, shown) == {
        "id": SITE_ID,
        "company_id": COMPANY_ID,
        "name": "Quay",
        "timezone": "Europe/Lisbon",
    }
    assert set(shape_schema(SITE)["required"]) == set(shown)


def test_reading_a_site_names_every_bad_field_and_skips_unknown_ones() -> None:
    with pytest.raises(WireError) as info:
        read_shape(SITE, {"id": "x", "name": "", "timezone": "Mars/Olympus", "address": "Pier 1"})
    problems = {(p.field, p.code) for p in info.value.problems}
    assert problems == {
        ("id", INVALID),
        ("companyId", MISSING),
        ("name", INVALID),
        ("timezone", INVALID),
    }
    summary = SITE.only("id", "name", "timezone")
    assert read_shape(summary, {"id": SITE_ID, "name": "Quay", "timezone": "UTC", "x": 1}) == {
        "id": SITE_ID,
        "name": "Quay",
        "timezone": "UTC",
    }


def test_a_company_reads_back_with_an_iso_currency() -> None:
    good = {"id": COMPANY_ID, "name": "Harbour Hotels", "currency": "GBP"}
    assert read_shape(COMPANY, good)["currency"] == "GBP"
    with pytest.raises(WireError, match="currency"):
        read_shape(COMPANY, {**good, "currency": "pounds"})


def test_sites_are_no_writable_collection() -> None:
    assert "sites" not in COLLECTIONS
