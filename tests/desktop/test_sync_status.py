"""The status bar's sync sentence for every state, and the Sync view's tables under
Qt's model tester."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models.sync import RunOutcome
from desktop.sync.models import ConflictsModel, FailedModel, FieldsModel, RunsModel, value_text
from desktop.sync.status import ago, conflicts_badge, status_text
from sync.conflicts import ConflictView, FieldChoice
from sync.failed import FailedOp
from sync.history import RunRow, SyncStatus

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _run(outcome: str, message: str = "", minutes: int = 3) -> RunRow:
    at = NOW - timedelta(minutes=minutes)
    return RunRow("r", at, at, outcome, 1, 2, 0, 0, 0, message)


def _status(**kw) -> SyncStatus:
    base = {
        "connected": True,
        "server_url": "http://hq",
        "company_id": "c",
        "waiting": 0,
        "failed": 0,
        "conflicts": 0,
        "last": None,
        "last_success": None,
    }
    return SyncStatus(**{**base, **kw})


def test_every_state_of_the_status_bar_says_what_is_true() -> None:
    assert status_text(_status(connected=False, waiting=12), NOW) == (
        "Not connected · 12 changes not yet sent"
    )
    assert status_text(_status(connected=False), NOW) == "Not connected"
    assert status_text(_status(waiting=1), NOW) == "Never synced · 1 change waiting to sync"
    ok = _run(RunOutcome.OK)
    assert status_text(_status(last=ok, last_success=ok.ended_at), NOW) == (
        "Online · synced 3 min ago · all changes sent"
    )
    away = _run(RunOutcome.FAILED, "the server could not be reached (refused); nothing was lost")
    assert (
        status_text(_status(last=away, last_success=NOW - timedelta(hours=2), waiting=5), NOW)
        == "Offline · last synced 2 h ago · 5 changes waiting to sync"
    )
    refused_key = _run(RunOutcome.FAILED, "the server refused the API key (401: bad key)")
    assert status_text(_status(last=refused_key), NOW) == "Sync failed · never synced"
    partial = _run(RunOutcome.PARTIAL)
    assert status_text(
        _status(last=partial, last_success=partial.ended_at, failed=2), NOW, running=True
    ) == ("Syncing… · last synced 3 min ago · 2 changes refused by the server")
    assert conflicts_badge(_status(conflicts=2)) == "⚠ 2 conflicts"
    assert conflicts_badge(_status()) == ""


def test_ago_reads_as_a_person_says_it() -> None:
    assert ago(NOW - timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=59), NOW) == "59 min ago"
    assert ago(NOW - timedelta(days=1, hours=2), NOW) == "yesterday"
    assert ago(NOW.replace(tzinfo=None) - timedelta(days=4), NOW) == "4 days ago"


def test_the_sync_views_tables_pass_qts_model_tester(qtmodeltester) -> None:
    runs = RunsModel()
    runs.set_runs([_run(RunOutcome.OK), _run(RunOutcome.FAILED, "away")])
    qtmodeltester.check(runs)
    choice = FieldChoice("startTime", "09:00", "10:00", None)
    conflict = ConflictView("k", "shifts", "s", "shift 2026-06-01", NOW, (choice,))
    conflicts = ConflictsModel()
    conflicts.set_conflicts([conflict])
    qtmodeltester.check(conflicts)
    fields = FieldsModel()
    fields.set_fields(conflict.fields)
    fields.choose("startTime", "theirs")
    qtmodeltester.check(fields)
    assert [fields.index(0, c).data() for c in range(5)] == [
        "Start time",
        "09:00",
        "10:00",
        "(none)",
        "Theirs",
    ]
    failed = FailedModel()
    failed.set_ops([FailedOp(1, "shifts", "s", "create", "shift x", "overlap", 2, NOW, None)])
    qtmodeltester.check(failed)
    assert value_text(["a", "b"]) == "a, b"
