"""A store made offline takes the server's company and site ids, and nothing else moves."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from core.attendance import approve_day, correct_day
from core.demo import build_demo
from core.errors import ValidationError
from core.joining import RemoteSite, join_company, join_store, queue_unsent
from core.leave import approve_leave, cancel_leave, request_leave
from core.models import (
    Base,
    ClockEvent,
    Company,
    Employee,
    LeaveRequest,
    LeaveStatus,
    OutboxEntry,
    OutboxOp,
    PayPolicy,
    PunchKind,
    Shift,
    Site,
    new_id,
)
from core.organisation import Setup, add_department, setup_store
from core.outbox import in_push_order
from core.policy import set_policy
from core.scheduling import ShiftDraft, create_shift
from core.store import Store, open_store
from core.wire import COLLECTIONS
from tests.conftest import MONDAY

SERVER_COMPANY = "9f0c0a3e-55b1-4c52-9a0e-7d6f1f6a2b10"
SERVER_SITE = "3c1b7d2a-8e44-4f0b-b6a1-2f9e5c7d8a21"
OTHER_SERVER_SITE = "c4a9e8f1-1d2b-4e3c-8f7a-6b5d4c3b2a19"


# --- building stores ----------------------------------------------------------------------


def _offline_store(store: Store) -> tuple[str, str]:
    """Set up as File → New does, then a week of work: every row waits in the outbox."""
    with store.session() as s:
        company_id, site_id = setup_store(
            s, Setup(company="Harbour Hotels", site="Quay", timezone="Europe/Lisbon")
        ).ids
    with store.session() as s:
        kitchen = add_department(s, "Kitchen").ids[0]
        people = [
            Employee(
                company_id=company_id,
                site_id=site_id,
                department_id=kitchen,
                first_name=first,
                last_name="Silva",
                hourly_rate=Decimal("14.50"),
            )
            for first in ("Ana", "Rui")
        ]
        s.add_all(people)
        s.flush()
        ana, rui = (p.id for p in people)
    with store.session() as s:
        for day in range(5):
            shift_date = date.fromordinal(MONDAY.toordinal() + day)
            draft = ShiftDraft(site_id, shift_date, "08:00", "16:00", employee_ids=(ana,))
            assert create_shift(s, draft).applied
        leave = request_leave(
            s,
            employee_id=rui,
            start_date=MONDAY,
            end_date=MONDAY,
            leave_type="paid",
        ).ids[0]
        approve_leave(s, leave, actor="supervisor")
        s.add(
            ClockEvent(
                company_id=company_id,
                employee_id=ana,
                kind=PunchKind.IN,
                at_utc=datetime(2026, 6, 1, 7, 4, tzinfo=UTC),
            )
        )
        s.flush()
        correct_day(
            s,
            employee_id=ana,
            work_date=MONDAY,
            clock_out=datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
            reason="forgot to punch out",
            author="supervisor",
        )
        approve_day(s, employee_id=ana, work_date=MONDAY, actor="supervisor")
    return company_id, site_id


def _snapshot(store: Store, ids: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Every row of every table, with ``ids`` replaced, in a comparable order."""
    ids = ids or {}

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return ids.get(value, value)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    with store.session() as s:
        return {
            table.name: sorted(
                repr(tuple(swap(v) for v in row)) for row in s.execute(select(table)).all()
            )
            for table in Base.metadata.sorted_tables
        }


def _policy_queued(store: Store) -> list[str]:
    with store.session() as s:
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.collection == "paypolicies"))
        return [entry.op for entry in in_push_order(entries)]


def _but_the_policy(snapshot: dict[str, list[str]]) -> dict[str, list[str]]:
    """A :func:`_snapshot` without the pay policy (joining queues its first upload) and
    with the outbox's places left out (what waited moves after that upload)."""
    rows = {name: rows for name, rows in snapshot.items() if name != "pay_policy"}
    rows["outbox"] = sorted(
        row[row.index(", ") + 2 :] for row in snapshot["outbox"] if "'paypolicies'" not in row
    )
    return rows


def _fk_problems(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()


def _named_ids(store: Store) -> tuple[set[str], set[str]]:
    """Every company id and site id any row names, found from the metadata."""
    companies: set[str] = set()
    sites: set[str] = set()
    with store.session() as s:
        for table in Base.metadata.sorted_tables:
            for column, into in (("company_id", companies), ("site_id", sites)):
                if column in table.c:
                    into.update(s.scalars(select(table.c[column]).distinct()))
        companies.update(s.scalars(select(Company.id)))
        sites.update(s.scalars(select(Site.id)))
    return companies, sites


def _server(**overrides: Any) -> dict[str, Any]:
    server: dict[str, Any] = {
        "company_id": SERVER_COMPANY,
        "company_name": "Harbour Hotels",
        "currency": "EUR",
        "sites": [RemoteSite(SERVER_SITE, "Quay", "Europe/Lisbon")],
    }
    return server | overrides


# --- joining ------------------------------------------------------------------------------


def test_every_row_takes_the_servers_ids_and_nothing_else_changes(store: Store) -> None:
    company_id, site_id = _offline_store(store)
    before = _snapshot(store, {company_id: SERVER_COMPANY, site_id: SERVER_SITE})
    outbox = _snapshot(store)["outbox"]
    assert len(outbox) > 10

    with store.session() as s:
        result = join_company(s, **_server())

    assert result.joined
    assert (result.company_id, result.previous_company_id) == (SERVER_COMPANY, company_id)
    assert result.sites == {site_id: SERVER_SITE}
    assert result.notes == ()  # the pay policy's upload is not news
    assert _named_ids(store) == ({SERVER_COMPANY}, {SERVER_SITE})
    assert _fk_problems(store) == []
    after = _snapshot(store)
    assert _policy_queued(store) == [OutboxOp.CREATE]
    assert _but_the_policy(after) == _but_the_policy(before)  # counts and content, ids aside
    # record ids do not change: every entry stays valid
    assert _but_the_policy(after)["outbox"] == _but_the_policy({"outbox": outbox})["outbox"]
    assert store.integrity_problems() == []


def test_a_demo_store_joins_with_every_kind_of_row(tmp_path: Path) -> None:
    store = open_store(tmp_path / "demo.shiftdesk")
    try:
        build_demo(store, employees=6, weeks=2, seed=3, start=date(2026, 1, 5))
        with store.session() as s:
            company_id = s.scalars(select(Company.id)).one()
            site_id = s.scalars(select(Site.id)).one()
            employee = s.scalars(select(Employee.id).limit(1)).one()
            draft = ShiftDraft(site_id, date(2026, 3, 2), "09:00", "12:00", (employee,))
            assert create_shift(s, draft).applied
        with store.session() as s:  # as joining does (the next test); then it queues no more
            assert queue_unsent(s) > 0
        before = _snapshot(store, {company_id: SERVER_COMPANY, site_id: SERVER_SITE})
        kinds = ("shift_template", "shift", "leave_request", "clock_event", "outbox")
        assert all(before[name] for name in kinds)

        server = _server(
            company_name="Harbourview",
            sites=[RemoteSite(SERVER_SITE, "Harbourview", "Europe/Berlin")],
        )
        with store.session() as s:
            result = join_company(s, **server)

        assert result.notes == (
            "the company is now named 'Harbourview' as on the server (was 'Harbourview Hotel')",
        )
        assert _named_ids(store) == ({SERVER_COMPANY}, {SERVER_SITE})
        assert _fk_problems(store) == []
        after = _snapshot(store)
        renamed = [r.replace("'Harbourview'", "'Harbourview Hotel'") for r in after["company"]]
        assert renamed == before.pop("company")
        assert {k: v for k, v in after.items() if k != "company"} == before
    finally:
        store.close()


def test_joining_queues_every_record_no_entry_holds_before_what_waits(tmp_path: Path) -> None:
    """A demo store holds nothing to send; the company it joins is empty, so its first
    sync must upload it all: creates in the order the server needs them, ahead of an
    edit made since (a shift for a person of the demo). Leave decided here goes as
    asked, then as its decision; the links an approval wrote are the server's to
    write as it applies it."""
    store = open_store(tmp_path / "demo.shiftdesk")
    try:
        build_demo(store, employees=6, weeks=2, seed=3, start=date(2026, 1, 5))
        with store.session() as s:
            assert s.scalars(select(OutboxEntry)).all() == []
            site_id = s.scalars(select(Site.id)).one()
            employee = s.scalars(select(Employee.id).limit(1)).one()
            draft = ShiftDraft(site_id, date(2026, 3, 2), "09:00", "12:00", (employee,))
            late_shift = create_shift(s, draft).ids[0]
            live = {
                spec.name: set(s.scalars(select(spec.model.id).where(~spec.model.deleted)))
                for spec in COLLECTIONS.values()
            }
        server = _server(sites=[RemoteSite(SERVER_SITE, "Harbourview", "Europe/Berlin")])

        with store.session() as s:
            result = join_company(s, **server)

        # the late shift was queued already; the pay policy goes uncounted
        assert live["leaveshiftlinks"]  # sick leave kept someone on a shift
        links = live.pop("leaveshiftlinks")
        count = sum(map(len, live.values())) - 1 - len(live["paypolicies"])
        assert result.notes[-1] == (
            f"{count} record(s) that waited for no sync are queued: the first sync uploads them"
        )
        with store.session() as s:
            entries = in_push_order(s.scalars(select(OutboxEntry)))
            assert all(row.dirty for row in s.scalars(select(Shift)))
            decided = {
                r.id: r.status
                for r in s.scalars(select(LeaveRequest))
                if r.status != LeaveStatus.PENDING
            }
        assert not {rid for _, rid in ((e.collection, e.record_id) for e in entries)} & links
        leave_creates = {
            e.record_id: e
            for e in entries
            if e.collection == "leaverequests" and e.op == OutboxOp.CREATE
        }
        for rid in decided:
            assert leave_creates[rid].fields["withheld"]["status"] == "pending"
        actions = [(e.record_id, e.fields["action"]) for e in entries if e.op == OutboxOp.ACTION]
        verbs = {"approved": "approve", "rejected": "reject", "cancelled": "cancel"}
        assert sorted(actions) == sorted((rid, verbs[st]) for rid, st in decided.items())
        last_create = max(entries.index(e) for e in leave_creates.values())
        assert all(entries.index(e) > last_create for e in entries if e.op == OutboxOp.ACTION)
        creates = [(e.collection, e.record_id) for e in entries if e.op == OutboxOp.CREATE]
        assert len(creates) == len(set(creates)) == count + 1 + len(live["paypolicies"])
        assert creates[-1] == ("shifts", late_shift)  # after the person it names
        order = list(dict.fromkeys(name for name, _ in creates))
        assert order == [name for name in COLLECTIONS if live.get(name)]
        live["paypolicies"] = {SERVER_COMPANY}  # a company's policy bears its id
        assert {name: {rid for n, rid in creates if n == name} for name in order} == {
            name: ids for name, ids in live.items() if ids
        }

        with store.session() as s:  # joining again queues nothing more
            again = join_company(s, **server)
        assert (again.joined, again.notes) == (False, ())
    finally:
        store.close()


def test_leave_decided_around_the_outbox_goes_as_asked_then_decided(store: Store) -> None:
    """An approval over a shift the person still works, written without the links a
    "keep" approval leaves (as an older demo wrote it), goes as a pending request,
    then the approval with onClash=keep: what the server needs to take it."""
    _offline_store(store)
    with store.session() as s:
        ana = s.scalars(select(Employee.id).where(Employee.first_name == "Ana")).one()
        leave = LeaveRequest(
            company_id=s.scalars(select(Company.id)).one(),
            employee_id=ana,
            leave_type="sick",
            start_date=MONDAY,
            end_date=MONDAY,
            status=LeaveStatus.APPROVED,
            decided_by="supervisor",
            decided_at=datetime(2026, 6, 1, 6, 0, tzinfo=UTC),
        )
        s.add(leave)
        s.flush()
        s.execute(delete(OutboxEntry).where(OutboxEntry.record_id == leave.id))
        leave_id = leave.id

    with store.session() as s:
        join_company(s, **_server())
        entries = [
            e for e in in_push_order(s.scalars(select(OutboxEntry))) if e.record_id == leave_id
        ]
        assert s.get(LeaveRequest, leave_id).status == LeaveStatus.APPROVED  # kept as decided
    assert [(e.op, e.fields.get("action"), e.fields.get("params")) for e in entries] == [
        (OutboxOp.CREATE, None, None),
        (OutboxOp.ACTION, "approve", {"onClash": "keep"}),
    ]
    assert entries[0].fields["withheld"] == {
        "status": "pending",
        "decided_by": None,
        "decided_at": None,
    }


def test_leave_decided_again_after_the_outbox_emptied_goes_once_each(store: Store) -> None:
    """An approval the outbox no longer holds (a demo's, its outbox emptied), then
    cancelled: the cancel waits as its own action, so the request goes as asked, the
    approval in the create's group, then the waiting cancel, and no decision twice."""
    _offline_store(store)
    with store.session() as s:
        ana = s.scalars(select(Employee.id).where(Employee.first_name == "Ana")).one()
        leave_id = request_leave(
            s, employee_id=ana, start_date=MONDAY, end_date=MONDAY, leave_type="sick"
        ).ids[0]
        assert approve_leave(s, leave_id, actor="supervisor", on_clash="keep").applied
        s.execute(delete(OutboxEntry))
    with store.session() as s:
        cancel_leave(s, leave_id, actor="supervisor")
    with store.session() as s:
        join_company(s, **_server())
        entries = [
            e for e in in_push_order(s.scalars(select(OutboxEntry))) if e.record_id == leave_id
        ]
    assert [(e.op, e.fields.get("action"), e.fields.get("params")) for e in entries] == [
        (OutboxOp.CREATE, None, None),
        (OutboxOp.ACTION, "approve", {"onClash": "keep"}),
        (OutboxOp.ACTION, "cancel", {}),
    ]
    assert entries[0].fields["withheld"]["status"] == "pending"
    assert entries[1].group_id == entries[0].group_id != entries[2].group_id


def test_sites_match_by_name_in_any_case_and_take_the_servers_names(store: Store) -> None:
    company_id, quay = _offline_store(store)
    with store.session() as s:
        pier = Site(id=new_id(), company_id=company_id, name="pier 4", timezone="Europe/Lisbon")
        s.add(pier)
        s.flush()
        pier_id = pier.id
        add_department(s, "Boats", site_id=pier_id)
    sites = [
        RemoteSite(OTHER_SERVER_SITE, "Pier 4", "Europe/Lisbon"),
        RemoteSite(SERVER_SITE, "QUAY", "Europe/Lisbon"),
        RemoteSite(new_id(), "Airport", "Europe/Lisbon"),
    ]
    with store.session() as s:
        result = join_company(s, **_server(sites=sites, currency="gbp"))
    assert result.sites == {quay: SERVER_SITE, pier_id: OTHER_SERVER_SITE}
    assert result.notes == (
        "the currency is now GBP as on the server (was EUR); amounts such as hourly rates"
        " are kept as they are",
        "the site 'pier 4' is now named 'Pier 4' as on the server",
        "the site 'Quay' is now named 'QUAY' as on the server",
        "the server's other sites are not in this store: 'Airport'",
    )
    with store.session() as s:
        assert {(x.id, x.name) for x in s.scalars(select(Site))} == {
            (SERVER_SITE, "QUAY"),
            (OTHER_SERVER_SITE, "Pier 4"),
        }
        assert s.scalars(select(Company.currency)).one() == "GBP"
    assert _fk_problems(store) == []


def test_one_site_each_side_match_whatever_their_names(store: Store) -> None:
    _, site_id = _offline_store(store)
    with store.session() as s:
        result = join_company(
            s, **_server(sites=[RemoteSite(SERVER_SITE, "Lisbon Quay", "Europe/Lisbon")])
        )
    assert result.sites == {site_id: SERVER_SITE}
    assert result.notes == ("the site 'Quay' is now named 'Lisbon Quay' as on the server",)


def test_joining_again_is_a_no_op_that_says_so(store: Store) -> None:
    _offline_store(store)
    with store.session() as s:
        join_company(s, **_server())
    before = _snapshot(store)
    with store.session() as s:
        again = join_company(s, **_server(company_name="Renamed since"))
    assert not again.joined
    assert again.message == f"the store is on company {SERVER_COMPANY} already; nothing changed"
    assert _snapshot(store) == before


# --- refusals -----------------------------------------------------------------------------


def _refused(store: Store, match: str | None, **server: Any) -> ValidationError:
    before = _snapshot(store)
    with pytest.raises(ValidationError, match=match) as info, store.session() as s:
        join_company(s, **_server(**server))
    assert _snapshot(store) == before
    return info.value


def test_a_store_that_synced_with_another_company_is_refused(store: Store) -> None:
    company_id, _ = _offline_store(store)
    with store.session() as s:
        s.execute(update(Shift).values(server_version=3))
    error = _refused(store, "acknowledged already")
    assert error.field == "company"
    assert error.problem == (
        f"the store holds data of company 'Harbour Hotels' ({company_id}) that a server has"
        f" acknowledged already, so it cannot join company 'Harbour Hotels' ({SERVER_COMPANY});"
        " open or make a store for that company instead"
    )


def test_a_site_with_no_match_on_the_server_is_refused_by_name(store: Store) -> None:
    _offline_store(store)
    sites = [
        RemoteSite(SERVER_SITE, "Dock", "Europe/Lisbon"),
        RemoteSite(OTHER_SERVER_SITE, "Pier", "Europe/Lisbon"),
    ]
    error = _refused(store, "site 'Quay' has no site of that name", sites=sites)
    assert error.field == "site"
    assert "'Dock', 'Pier'" in error.problem


def test_a_site_in_another_time_zone_is_refused(store: Store) -> None:
    _offline_store(store)
    error = _refused(
        store,
        r"site 'Quay' is in Europe/Lisbon, the server's 'Quay' in Europe/London; .* move every",
        sites=[RemoteSite(SERVER_SITE, "Quay", "Europe/London")],
    )
    assert error.field == "timezone"


def test_two_local_sites_cannot_join_one(store: Store) -> None:
    company_id, _ = _offline_store(store)
    with store.session() as s:
        s.add(Site(company_id=company_id, name="QUAY", timezone="Europe/Lisbon"))
    _refused(
        store,
        "sites '(Quay|QUAY)' and '(Quay|QUAY)' both match the server's site 'Quay'",
        sites=[
            RemoteSite(SERVER_SITE, "Quay", "Europe/Lisbon"),
            RemoteSite(OTHER_SERVER_SITE, "Dock", "Europe/Lisbon"),
        ],
    )


@pytest.mark.parametrize(
    ("server", "field"),
    [
        ({"sites": []}, "site"),
        ({"sites": [RemoteSite(SERVER_SITE, "Quay", "Mars/Olympus")]}, "timezone"),
        ({"currency": "euro"}, "currency"),
        ({"company_name": " "}, "company"),
        ({"company_id": ""}, "company"),
    ],
)
def test_what_the_server_sent_is_checked_as_a_setup_is(
    store: Store, server: dict[str, Any], field: str
) -> None:
    _offline_store(store)
    assert _refused(store, None, **server).field == field


def test_an_empty_store_has_nothing_to_join(store: Store) -> None:
    with pytest.raises(ValidationError, match="not set up yet"), store.session() as s:
        join_company(s, **_server())


# --- the store-level entry point ----------------------------------------------------------


def test_join_store_backs_the_file_up_beside_it_first(store: Store) -> None:
    company_id, _ = _offline_store(store)
    result = join_store(store, **_server())
    assert result.joined
    assert result.backup is not None
    assert result.backup.parent == store.path.parent
    assert result.backup.name.startswith(f"{store.path.name}.before-join-")
    copy = open_store(result.backup, create=False)
    try:
        with copy.session() as s:
            assert s.scalars(select(Company.id)).one() == company_id
        assert copy.integrity_problems() == []
    finally:
        copy.close()
    with store.session() as s:
        assert s.scalars(select(Company.id)).one() == SERVER_COMPANY


def test_join_store_writes_no_backup_when_refused_or_already_joined(store: Store) -> None:
    _offline_store(store)
    with pytest.raises(ValidationError):
        join_store(store, **_server(sites=[RemoteSite(SERVER_SITE, "Quay", "UTC")]))
    assert list(store.path.parent.glob("*.before-join-*")) == []
    first = join_store(store, **_server())
    again = join_store(store, **_server())
    assert (again.joined, again.backup) == (False, None)
    assert list(store.path.parent.glob("*.before-join-*")) == [first.backup]


def test_ids_inside_outbox_payloads_follow(store: Store) -> None:
    _, site_id = _offline_store(store)
    with store.session() as s:
        s.add(
            OutboxEntry(
                collection="departments",
                record_id=new_id(),
                op="update",
                fields={"changed": ["site_id"], "values": {"siteId": site_id}, "note": site_id[:8]},
                attempts=1,
            )
        )
    with store.session() as s:
        join_company(s, **_server())
    with store.session() as s:
        payloads = [e.fields for e in s.scalars(select(OutboxEntry)) if "values" in e.fields]
    assert payloads == [
        {"changed": ["site_id"], "values": {"siteId": SERVER_SITE}, "note": site_id[:8]}
    ]


def test_the_wire_declares_each_collection_after_those_it_names() -> None:
    """:func:`queue_unsent` uploads collections in the wire's order."""
    seen: set[str] = set()
    for name, spec in COLLECTIONS.items():
        targets = {f.kind.target for f in spec.fields if f.kind.target is not None}
        named = {getattr(t, "__collection__", "") for t in targets} & set(COLLECTIONS)
        assert named <= seen, name
        seen.add(name)


def test_the_pay_policy_and_its_queued_edit_take_the_servers_company_id(store: Store) -> None:
    company_id, _ = _offline_store(store)
    with store.session() as s:
        set_policy(s, daily_overtime_hours=7)
    with store.session() as s:
        join_company(s, **_server())
    with store.session() as s:
        policy = s.get(PayPolicy, SERVER_COMPANY)
        assert policy is not None
        assert (policy.company_id, policy.daily_overtime_hours) == (SERVER_COMPANY, 7)
        assert s.get(PayPolicy, company_id) is None
        entries = in_push_order(
            s.scalars(select(OutboxEntry).where(OutboxEntry.collection == "paypolicies"))
        )
        create, edit = entries  # the store's policy goes up first, then the edit made since
        assert (create.op, create.record_id) == (OutboxOp.CREATE, SERVER_COMPANY)
        assert (edit.record_id, edit.fields["changed"]) == (
            SERVER_COMPANY,
            ["daily_overtime_hours"],
        )
