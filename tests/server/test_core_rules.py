"""Every write the server takes runs core's rules: for each collection the app routes,
writes that core refuses are refused over HTTP, naming the field, and change nothing.

The collections are read from the app's own routes, so a collection added later
without refusals here fails :func:`test_every_routed_collection_is_written_by_core`
until it says which of core's rules it is held to.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute

from server.app import ENDPOINTS
from server.routers.collections import Ops
from tests.server.conftest import Staff, Tenant, created, put_new

V1 = '"1"'


@dataclass
class World:
    """A company with people, a template, a shift and a punch to collide with."""

    client: httpx.Client
    staff: Staff
    dora: str  # inactive
    template: str
    shift: str
    punch: dict
    leave: str

    def patch(self, collection: str, record_id: str, body: dict) -> httpx.Response:
        return self.client.patch(
            f"/v1/{collection}/{record_id}", json=body, headers={"If-Match": V1}
        )

    def delete(self, collection: str, record_id: str) -> httpx.Response:
        return self.client.delete(f"/v1/{collection}/{record_id}", headers={"If-Match": V1})


@pytest.fixture
def world(tenant: Tenant, staff: Staff) -> World:
    client = tenant.client
    client.patch(f"/v1/employees/{staff.anna}", json={"code": "E1"}, headers={"If-Match": V1})
    dora = created(
        client, "employees", {"firstName": "Dora", "lastName": "Test", "employed": False}
    )["id"]
    template = created(
        client,
        "shifttemplates",
        {
            "name": "Early",
            "startTime": "06:00",
            "endTime": "14:00",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "dtstart": "2026-06-01",
        },
    )["id"]
    shift = created(
        client,
        "shifts",
        {
            "shiftDate": "2026-06-02",
            "startTime": "09:00",
            "endTime": "17:00",
            "assignedUserIds": [staff.ben],
        },
    )["id"]
    punch = {"employeeId": staff.cara, "kind": "in", "at": "2026-06-01T06:00:00Z"}
    created(client, "clockevents", punch)
    leave = created(
        client,
        "leaverequests",
        {"employeeId": staff.cara, "startDate": "2026-07-01", "endDate": "2026-07-03"},
    )["id"]
    return World(client, staff, dora, template, shift, punch, leave)


@dataclass(frozen=True)
class Refusal:
    what: str
    send: Callable[[World], httpx.Response]
    status: int
    #: The wire field the answer names (``conflicts`` for a schedule clash).
    field: str


def _new(collection: str, body: dict) -> Callable[[World], httpx.Response]:
    return lambda w: put_new(w.client, collection, body)


def _template(**fields: str) -> dict:
    body = {"name": "Late", "startTime": "14:00", "endTime": "22:00", "dtstart": "2026-06-01"}
    return {**body, "rrule": "FREQ=DAILY", **fields}


def _policy(body: dict, method: str = "PATCH") -> Callable[[World], httpx.Response]:
    """A write of the company's pay policy, on the version the server has."""

    def send(w: World) -> httpx.Response:
        [policy] = w.client.get("/v1/paypolicies").json()["paypolicies"]
        tag = f'"{policy["recordVersion"]}"'
        url = f"/v1/paypolicies/{policy['id']}"
        return w.client.request(method, url, json=body or None, headers={"If-Match": tag})

    return send


def _dora_shift(w: World) -> httpx.Response:
    body = {"shiftDate": "2026-06-03", "startTime": "09:00", "endTime": "17:00"}
    return put_new(w.client, "shifts", {**body, "assignedUserIds": [w.dora]})


def _dora_leave(w: World) -> httpx.Response:
    body = {"employeeId": w.dora, "startDate": "2026-07-01", "endDate": "2026-07-01"}
    return put_new(w.client, "leaverequests", body)


REFUSALS: dict[str, list[Refusal]] = {
    "departments": [
        Refusal(
            "a name another has in another case",
            _new("departments", {"name": "KITCHEN"}),
            409,
            "name",
        ),
        Refusal(
            "a rename onto another's name",
            lambda w: w.patch("departments", w.staff.floor, {"name": " kitchen "}),
            409,
            "name",
        ),
        Refusal("a name of spaces", _new("departments", {"name": "   "}), 400, "name"),
        Refusal(
            "deleting one its people are in",
            lambda w: w.delete("departments", w.staff.kitchen),
            409,
            "id",
        ),
    ],
    "employees": [
        Refusal(
            "a payroll code another person has",
            _new("employees", {"firstName": "Eve", "lastName": "X", "code": "E1"}),
            409,
            "code",
        ),
        Refusal(
            "taking another's payroll code",
            lambda w: w.patch("employees", w.staff.ben, {"code": "E1"}),
            409,
            "code",
        ),
        Refusal(
            "an e-mail without a dot in its domain",
            lambda w: w.patch("employees", w.staff.ben, {"email": "ben@example"}),
            400,
            "email",
        ),
        Refusal(
            "more contract hours than a week has",
            _new("employees", {"firstName": "Eve", "lastName": "X", "contractHours": "169"}),
            400,
            "contractHours",
        ),
        Refusal(
            "a first name of spaces",
            lambda w: w.patch("employees", w.staff.ben, {"firstName": "  "}),
            400,
            "firstName",
        ),
        Refusal(
            "deleting someone with shifts",
            lambda w: w.delete("employees", w.staff.ben),
            409,
            "id",
        ),
    ],
    "shifttemplates": [
        Refusal(
            "FREQ=HOURLY",
            _new("shifttemplates", _template(rrule="FREQ=HOURLY")),
            400,
            "rrule",
        ),
        Refusal(
            "FREQ=HOURLY in an edit",
            lambda w: w.patch("shifttemplates", w.template, {"rrule": "FREQ=HOURLY"}),
            400,
            "rrule",
        ),
        Refusal(
            "a rule that ends before the template starts",
            lambda w: w.patch("shifttemplates", w.template, {"rrule": "FREQ=DAILY;UNTIL=20250101"}),
            400,
            "rrule",
        ),
        Refusal(
            "a name the site has in another case",
            _new("shifttemplates", _template(name="EARLY")),
            409,
            "name",
        ),
    ],
    "shifts": [
        Refusal("an inactive person", _dora_shift, 400, "assignedUserIds"),
        Refusal(
            "an edit that double-books a person",
            lambda w: w.patch("shifts", w.shift, {"assignedUserIds": [w.staff.ben, w.staff.cara]}),
            409,
            "conflicts",
        ),
    ],
    "leaverequests": [
        Refusal("leave for an inactive person", _dora_leave, 400, "employeeId"),
        Refusal(
            "a part-day leave over several dates",
            lambda w: w.patch("leaverequests", w.leave, {"startTime": "09:00", "endTime": "12:00"}),
            400,
            "endDate",
        ),
    ],
    "clockevents": [
        Refusal(
            "the same punch twice",
            lambda w: put_new(w.client, "clockevents", w.punch),
            409,
            "at",
        ),
        Refusal(
            "a punch of an inactive person",
            lambda w: put_new(w.client, "clockevents", {**w.punch, "employeeId": w.dora}),
            400,
            "employeeId",
        ),
    ],
    "attendancecorrections": [
        Refusal(
            "a correction that sets nothing",
            _new(
                "attendancecorrections",
                {"employeeId": None, "workDate": "2026-06-01", "reason": "r", "author": "a"},
            ),
            400,
            "employeeId",
        ),
        Refusal(
            "a clock-out before the clock-in",
            lambda w: put_new(
                w.client,
                "attendancecorrections",
                {
                    "employeeId": w.staff.cara,
                    "workDate": "2026-06-01",
                    "clockIn": "2026-06-01T10:00:00Z",
                    "clockOut": "2026-06-01T08:00:00Z",
                    "reason": "forgot to punch",
                    "author": "sam",
                },
            ),
            400,
            "clockOut",
        ),
    ],
    "attendanceapprovals": [
        Refusal(
            "a sign-off of a person who does not exist",
            _new(
                "attendanceapprovals",
                {
                    "employeeId": "00000000-0000-4000-8000-000000000000",
                    "workDate": "2026-06-01",
                    "approvedBy": "sam",
                },
            ),
            400,
            "employeeId",
        ),
    ],
    "leaveshiftlinks": [
        Refusal(
            "a kept-on-shift link written without a leave decision",
            lambda w: put_new(
                w.client,
                "leaveshiftlinks",
                {"leaveId": w.leave, "shiftId": w.shift, "note": "kept"},
            ),
            409,
            "",
        ),
    ],
    "paypolicies": [
        Refusal(
            "a multiplier below 1",
            _policy({"overtimeMultiplier": "0.5"}),
            400,
            "overtimeMultiplier",
        ),
        Refusal("a week starting on day 7", _policy({"weekStart": 7}), 400, "weekStart"),
        Refusal(
            "a second policy for the company",
            lambda w: w.client.post("/v1/paypolicies", json={"graceMinutes": 3}),
            409,
            "id",
        ),
        Refusal("deleting it", _policy({}, "DELETE"), 422, "id"),
    ],
    "payperiods": [
        Refusal(
            "a period that ends before it starts",
            _new(
                "payperiods",
                {"firstDay": "2026-06-30", "lastDay": "2026-06-01", "closedBy": "anna"},
            ),
            400,
            "lastDay",
        ),
    ],
}


def _paths(routes: Iterable[Any]) -> Iterator[tuple[str, frozenset[str]]]:
    """Every (path, methods) the app routes, into included routers as well."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # a router included lazily (recent FastAPI)
            for context in contexts():
                yield context.path, frozenset(context.methods or ())
        elif hasattr(route, "routes"):  # a mount
            yield from _paths(route.routes)
        elif isinstance(route, BaseRoute) and hasattr(route, "path"):
            yield route.path, frozenset(getattr(route, "methods", None) or ())


def routed_collections(app: Any) -> set[str]:
    """Collections with a record route that writes: ``/v1/<name>/{record_id}``."""
    found = set()
    for path, methods in _paths(app.routes):
        parts = path.strip("/").split("/")
        record_route = len(parts) == 3 and parts[0] == "v1" and parts[2] == "{record_id}"
        if record_route and methods & {"PUT", "PATCH", "DELETE"}:
            found.add(parts[1])
    return found


def _everything(client: httpx.Client, collections: Iterable[str]) -> dict[str, list]:
    return {
        name: client.get(f"/v1/{name}", params={"pageRowCount": 500}).json()[name]
        for name in sorted(collections)
    }


def test_every_routed_collection_is_written_by_core(tenant: Tenant) -> None:
    routed = routed_collections(tenant.live.app)
    assert routed == {ep.spec.name for ep in ENDPOINTS}
    assert routed == set(REFUSALS), "say which of core's rules a new collection is held to"
    assert inspect.isabstract(Ops)
    for ep in ENDPOINTS:
        assert type(ep.ops) is not Ops
        assert not inspect.isabstract(type(ep.ops))


def test_each_collection_refuses_what_core_refuses_naming_the_field(
    tenant: Tenant, world: World
) -> None:
    second = put_new(
        world.client,
        "shifts",
        {
            "shiftDate": "2026-06-02",
            "startTime": "12:00",
            "endTime": "20:00",
            "assignedUserIds": [world.staff.cara],
        },
    )
    assert second.status_code == 201
    before = _everything(world.client, REFUSALS)
    answered = []
    for collection, refusals in REFUSALS.items():
        for refusal in refusals:
            response = refusal.send(world)
            body = response.json()
            detail = body.get("detail") or {}
            named = (
                "conflicts"
                if "conflicts" in detail
                else ",".join(f["field"] for f in detail.get("fields", []))
            )
            answered.append((collection, refusal.what, response.status_code, named))
    expected = [
        (collection, r.what, r.status, r.field)
        for collection, refusals in REFUSALS.items()
        for r in refusals
    ]
    assert answered == expected
    assert _everything(world.client, REFUSALS) == before


def test_punches_are_append_only(tenant: Tenant, world: World) -> None:
    [punch] = world.client.get("/v1/clockevents").json()["clockevents"]
    url = f"/v1/clockevents/{punch['id']}"
    patched = world.patch("clockevents", punch["id"], {"kind": "out"})
    deleted = world.delete("clockevents", punch["id"])
    assert (patched.status_code, deleted.status_code) == (405, 405)
    assert set(patched.headers["allow"].replace(" ", "").split(",")) == {"GET", "PUT"}
    replaced = world.client.put(url, json={**world.punch, "kind": "out"}, headers={"If-Match": V1})
    assert replaced.status_code == 409
    assert replaced.json()["errCode"] == "APPEND_ONLY"
    assert world.client.get(url).json()["clockevent"] == punch


def test_deactivating_over_the_wire_frees_the_shifts_ahead_and_feeds_them(
    tenant: Tenant, world: World
) -> None:
    ahead = created(
        world.client,
        "shifts",
        {
            "shiftDate": (date.today() + timedelta(days=30)).isoformat(),
            "startTime": "09:00",
            "endTime": "17:00",
            "assignedUserIds": [world.staff.ben],
        },
    )
    cursor = world.client.get("/v1/changes").json()["cursor"]
    gone = world.patch("employees", world.staff.ben, {"employed": False})
    assert gone.status_code == 200
    assert gone.json()["employee"]["employed"] is False
    freed = world.client.get(f"/v1/shifts/{ahead['id']}").json()["shift"]
    assert (freed["assignedUserIds"], freed["recordVersion"]) == ([], 2)
    worked = world.client.get(f"/v1/shifts/{world.shift}").json()["shift"]
    assert worked["assignedUserIds"] == [world.staff.ben]  # June: history keeps who worked
    fed = world.client.get("/v1/changes", params={"cursor": cursor}).json()["changes"]
    assert {(c["collection"], c["id"], c["recordVersion"]) for c in fed} == {
        ("shifts", ahead["id"], 2),
        ("employees", world.staff.ben, 2),
    }
