"""The wire mapping: records to camelCase JSON and back, with every bad field named."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.models import Employee, Shift, Site
from core.recurrence import validate
from core.results import Conflict
from core.scheduling import ShiftDraft, create_shift
from core.store import Store
from core.wire import (
    COLLECTIONS,
    COMPANY,
    INVALID,
    MISSING,
    SITE,
    UNDEFINED,
    Change,
    ChangePage,
    Envelope,
    ErrorEnvelope,
    ListEnvelope,
    Paging,
    Problem,
    RecordHeader,
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


# --- documents ------------------------------------------------------------------------

DEPT_ID = "6f1c1b8e-3a55-4d51-9a3e-0c1e8f1f2a01"
COMPANY_ID = "0b8e6a3c-2f44-4c1d-8e2b-7d9f1a6c3b02"
DEPARTMENT = {
    "id": DEPT_ID,
    "companyId": COMPANY_ID,
    "recordVersion": 3,
    "isActive": True,
    "createdAt": "2026-06-01T08:00:00Z",
    "updatedAt": "2026-06-02T09:30:00.250000Z",
    "siteId": "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e05",
    "name": "Küche",
    "color": "#4f7cac",
}


def _page() -> ChangePage:
    return ChangePage(
        (
            Change(7, "departments", DEPT_ID, 3, False, DEPARTMENT),
            Change(9, "employees", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c06", 2, True, None),
        ),
        "9",
        True,
    )


@pytest.mark.parametrize(
    "document",
    [
        Envelope("department", DEPARTMENT),
        Envelope("department", DEPARTMENT, 201),
        Envelope("health", {"database": "ok"}),
        ListEnvelope("departments", (DEPARTMENT,), Paging.of(2, 1, 3)),
        ListEnvelope("departments", (), Paging.of(1, 100, 0)),
        ErrorEnvelope(404, "NOT_FOUND", "no shift with id x"),
        ErrorEnvelope.invalid([Problem("startTime", MISSING, "is required")]),
        ErrorEnvelope.stale("department", DEPARTMENT),
        ErrorEnvelope.refused("refused", [Conflict("overlap", DEPT_ID, DEPT_ID, "works then")]),
        _page(),
        ChangePage((), "0", False),
    ],
    ids=lambda d: type(d).__name__,
)
def test_a_document_parses_back_to_what_was_rendered(document) -> None:
    parsed = type(document).parse(json.loads(document.to_json()))
    assert parsed == document
    assert parsed.to_json() == document.to_json()


def test_documents_keep_the_wire_spelling_and_key_order() -> None:
    ok = Envelope("department", DEPARTMENT).to_json()
    assert ok.startswith(b'{"status":"OK","statusCode":200,"dataName":"department","department":{')
    assert "Küche".encode() in ok  # UTF-8, not \u escapes
    listed = ListEnvelope("departments", (DEPARTMENT,), Paging.of(2, 2, 5)).render()
    assert list(listed) == ["status", "statusCode", "dataName", "departments", "paging"]
    assert listed["paging"] == {
        "pageNumber": 2,
        "pageRowCount": 2,
        "totalRowCount": 5,
        "pageCount": 3,
        "nextPageToken": None,
    }
    error = ErrorEnvelope.invalid([Problem("startTime", MISSING, "is required")]).render()
    assert list(error) == ["result", "status", "message", "errCode", "date", "detail"]
    assert error["status"] == 400
    assert error["date"].endswith("Z")
    assert error["detail"] == {
        "fields": [{"field": "startTime", "code": "MISSING", "message": "is required"}]
    }
    page = _page().render()
    assert list(page) == ["status", "statusCode", "dataName", "changes", "cursor", "hasMore"]
    assert page["changes"][1] == {
        "seq": 9,
        "collection": "employees",
        "id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c06",
        "recordVersion": 2,
        "deleted": True,
        "record": None,
    }


def test_an_error_reads_back_its_fields_current_record_and_conflicts() -> None:
    invalid = ErrorEnvelope.parse(
        ErrorEnvelope.invalid([Problem("colour", UNDEFINED, "is not a field")]).render()
    )
    assert invalid.problems == (Problem("colour", UNDEFINED, "is not a field"),)
    stale = ErrorEnvelope.parse(ErrorEnvelope.stale("department", DEPARTMENT).render())
    assert stale.current == DEPARTMENT
    assert stale.detail["etag"] == '"3"'
    clash = Conflict("leave", DEPT_ID, DEPT_ID, "is on leave")
    assert ErrorEnvelope.parse(ErrorEnvelope.refused("no", [clash]).render()).conflicts == (clash,)
    assert (invalid.current, stale.problems, stale.conflicts) == (None, (), ())


def _problems(parse, document) -> set[tuple[str, str]]:
    with pytest.raises(WireError) as caught:
        parse(document)
    return {(p.field, p.code) for p in caught.value.problems}


def test_a_change_page_with_a_change_that_has_no_id_is_refused_naming_it() -> None:
    page = _page().render()
    del page["changes"][1]["id"]
    assert _problems(ChangePage.parse, page) == {("changes[1].id", MISSING)}


def test_a_change_page_names_every_inconsistent_change() -> None:
    page = _page().render()
    page["changes"][0]["record"] = {**DEPARTMENT, "id": COMPANY_ID, "recordVersion": 2}
    page["changes"][1]["record"] = DEPARTMENT  # a tombstone carries no record
    page["changes"].append({**page["changes"][0], "collection": "sites", "seq": "10"})
    page["changes"].append({**page["changes"][0], "deleted": False, "record": None})
    page["hasMore"] = "yes"
    del page["cursor"]
    assert _problems(ChangePage.parse, page) == {
        ("changes[0].record.id", INVALID),
        ("changes[0].record.recordVersion", INVALID),
        ("changes[1].record", INVALID),
        ("changes[2].collection", INVALID),
        ("changes[2].seq", INVALID),
        ("changes[2].record.id", INVALID),
        ("changes[2].record.recordVersion", INVALID),
        ("changes[3].record", INVALID),
        ("cursor", MISSING),
        ("hasMore", INVALID),
    }


def test_a_record_in_a_change_needs_its_record_fields() -> None:
    page = _page().render()
    page["changes"][0]["record"] = {k: v for k, v in DEPARTMENT.items() if k != "companyId"}
    page["changes"][0]["record"]["createdAt"] = "yesterday"
    assert _problems(ChangePage.parse, page) == {
        ("changes[0].record.companyId", MISSING),
        ("changes[0].record.createdAt", INVALID),
    }


def test_envelopes_refuse_what_is_not_a_success_or_an_error() -> None:
    error = ErrorEnvelope(404, "NOT_FOUND", "gone").render()
    assert ("status", INVALID) in _problems(Envelope.parse, error)
    assert _problems(ChangePage.parse, ["not", "an", "object"]) == {("body", INVALID)}
    assert _problems(
        lambda d: Envelope.parse(d, "shift"), Envelope("department", DEPARTMENT).render()
    ) == {("dataName", INVALID)}
    listed = ListEnvelope("departments", (DEPARTMENT,), Paging.of(1, 1, 1)).render()
    del listed["paging"]["pageCount"]
    listed["departments"].append("x")
    assert _problems(ListEnvelope.parse, listed) == {
        ("paging.pageCount", MISSING),
        ("departments[1]", INVALID),
    }
    assert _problems(ErrorEnvelope.parse, {**error, "status": "404", "date": None}) == {
        ("status", INVALID),
        ("date", INVALID),
    }
    bad_fields = {**error, "detail": {"fields": [{"field": "x", "code": "WRONG", "message": ""}]}}
    assert _problems(ErrorEnvelope.parse, bad_fields) == {("detail.fields[0]", INVALID)}


def test_a_record_header_parses_the_fields_every_record_carries() -> None:
    header = RecordHeader.parse(DEPARTMENT)
    assert (header.id, header.company_id, header.version, header.active) == (
        DEPT_ID,
        COMPANY_ID,
        3,
        True,
    )
    assert header.updated_at.isoformat() == "2026-06-02T09:30:00.250000+00:00"
