"""``shiftdesk sync``: connect a store to its server, run a sync, and settle what
waits (conflicts, failed operations) the way the desktop's Sync view does."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cli.common import EXIT_ERROR, EXIT_USAGE, command, fail, opened, print_json, print_table
from core.errors import ValidationError
from core.models.sync import SyncRun
from core.store import default_path
from sync import conflicts as conflict_ops
from sync import failed as failed_ops
from sync.client import SyncClient
from sync.connect import connect
from sync.credentials import ENV_KEY, load_key, read_key_file, save_key
from sync.engine import explain, run_sync
from sync.errors import SyncError
from sync.history import RunRow, recent_runs, sync_status
from sync.link import normalise_url, require_link


def _db(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db is not None else default_path()


@contextmanager
def _client(url: str, key: str | None) -> Iterator[SyncClient]:
    if not key:
        raise ValidationError(
            "key",
            f"no API key for {url}: set ${ENV_KEY} or run `shiftdesk sync connect"
            f" --server {url} --key-file FILE`",
        )
    with SyncClient(url, key) as client:
        yield client


def _sync(args: argparse.Namespace) -> int:
    with opened(args) as store:
        with store.session() as session:
            link = require_link(session)
        try:
            with _client(link.server_url, load_key(link.server_url)) as client:
                result = run_sync(store, client)
        except SyncError as error:  # before a run could start (no run to record)
            fail(explain(error))
            return EXIT_ERROR
    if args.json:
        print_json(result.as_json())
    else:
        print(result.summary())
    if not result.completed:
        fail(result.message)
        return EXIT_ERROR
    return 0


def _connect(args: argparse.Namespace) -> int:
    url = normalise_url(args.server)
    try:
        key = read_key_file(args.key_file) if args.key_file else load_key(url)
    except ValueError as empty:
        raise ValidationError("--key-file", str(empty)) from empty
    try:
        with _client(url, key) as client:
            done = connect(_db(args), client)
    except SyncError as error:
        fail(explain(error))
        return EXIT_ERROR
    assert key is not None
    kept = save_key(url, key)
    print(done.message)
    for note in done.notes:
        print(f"note: {note}")
    if done.backup is not None:
        print(f"the store as it was is kept in {done.backup}")
    if done.run is not None:
        print(f"first sync: {done.run.summary()}")
        if not done.run.completed:
            fail(f"{done.run.message}; `shiftdesk sync` carries on from where it stopped")
    print(f"the API key is kept in {kept.where}")
    print(f"company {done.company_id}")
    return 0


def _status(args: argparse.Namespace) -> int:
    with opened(args) as store, store.session() as session:
        now = sync_status(session)
    last = now.last
    status: dict[str, Any] = {
        "connected": now.connected,
        "server": now.server_url or None,
        "company": now.company_id or None,
        "pending": now.waiting,
        "conflicts": now.conflicts,
        "failed": now.failed,
        "lastRun": _run_json(last) if last else None,
        "lastSuccess": now.last_success.isoformat() if now.last_success else None,
    }
    if args.json:
        print_json(status)
        return 0
    if not now.connected:
        print(f"not connected · {status['pending']} change(s) not yet sent")
        return 0
    print(f"server   {status['server']}")
    print(f"company  {status['company']}")
    print(f"pending  {status['pending']}")
    print(f"conflicts {status['conflicts']} · failed {status['failed']}")
    if last is None:
        print("never synced")
    else:
        print(f"last run {last.started_at:%Y-%m-%d %H:%M:%S} UTC: {last.outcome}")
        if last.message:
            print(f"         {last.message}")
    return 0


def _run_json(run: RunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "startedAt": run.started_at.isoformat(),
        "endedAt": run.ended_at.isoformat() if run.ended_at else None,
        "outcome": run.outcome,
        "pushed": run.pushed,
        "pulled": run.pulled,
        "merged": run.merged,
        "conflicts": run.conflicts,
        "failed": run.failed,
        "message": run.message,
        "errors": list(run.errors),
    }


def _log(args: argparse.Namespace) -> int:
    with opened(args) as store, store.session() as session:
        rows = [_run_json(r) for r in recent_runs(session, args.limit)]
        total = session.scalar(select(func.count()).select_from(SyncRun))
    if args.json:
        print_json({"runs": rows, "total": total})
        return 0
    print_table(
        ["started (UTC)", "outcome", "pushed", "pulled", "merged", "conflicts", "failed", "note"],
        [
            [
                r["startedAt"][:19].replace("T", " "),
                r["outcome"],
                r["pushed"],
                r["pulled"],
                r["merged"],
                r["conflicts"],
                r["failed"],
                r["message"],
            ]
            for r in rows
        ],
    )
    return 0


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _conflicts(args: argparse.Namespace) -> int:
    with opened(args) as store, store.session() as session:
        found = conflict_ops.open_conflicts(session)
    if args.json:
        print_json({"conflicts": [c.as_json() for c in found]})
        return 0
    if not found:
        print("no conflicts")
        return 0
    for c in found:
        print(f"{c.id}  {c.label}  ({c.collection} {c.record_id})")
        print_table(
            ["  field", "base", "mine", "theirs"],
            [[f"  {f.name}", _show(f.base), _show(f.mine), _show(f.theirs)] for f in c.fields],
        )
    return 0


def _choice(args: argparse.Namespace) -> str | dict[str, str]:
    if args.mine:
        return conflict_ops.MINE
    if args.theirs:
        return conflict_ops.THEIRS
    chosen: dict[str, str] = {}
    for pair in args.field:
        name, sep, side = pair.partition("=")
        if not sep:
            raise ValidationError("--field", f"{pair!r} is not NAME=mine or NAME=theirs")
        chosen[name.strip()] = side.strip()
    return chosen


def _resolve(args: argparse.Namespace) -> int:
    if not (args.mine or args.theirs or args.field):
        fail("say --mine, --theirs, or --field NAME=mine|theirs for each field")
        return EXIT_USAGE
    with opened(args) as store, store.session() as session:
        done = conflict_ops.resolve_conflict(session, args.id, _choice(args))
    print(done.message)
    print(f"resolved {done.kept_id}")
    return 0


def _failed(args: argparse.Namespace) -> int:
    with opened(args) as store, store.session() as session:
        found = failed_ops.failed_ops(session)
    if args.json:
        print_json({"failed": [f.as_json() for f in found]})
        return 0
    if not found:
        print("no failed operations")
        return 0
    print_table(["id", "op", "record", "reason"], [[f.id, f.op, f.label, f.reason] for f in found])
    return 0


def _replay(args: argparse.Namespace) -> int:
    with opened(args) as store, store.session() as session:
        done = failed_ops.replay(session, args.id)
    print(f"queued again: {done.op} of {done.label}; the next sync sends it {done.id}")
    return 0


def _discard(args: argparse.Namespace) -> int:
    with opened(args) as store, store.session() as session:
        done = failed_ops.discard(session, args.id)
    print(f"discarded: {done.op} of {done.label} {done.id}")
    return 0


def register(subparsers: Any) -> None:
    sync = command(
        subparsers,
        "sync",
        _sync,
        "push local changes and pull the server's, until nothing moves",
        json_output=True,
    )
    subs = sync.add_subparsers(dest="sync_command", metavar="SUBCOMMAND")
    join = command(
        subs, "connect", _connect, "connect the store to its company on a server (prints its id)"
    )
    join.add_argument("--server", required=True, help="the server's URL, e.g. https://host:8080")
    join.add_argument(
        "--key-file",
        type=Path,
        help=f"a file holding the API key (default: ${ENV_KEY}); it is kept in the OS keyring",
    )
    command(subs, "status", _status, "where the store stands", json_output=True)
    log = command(subs, "log", _log, "the runs, newest first", json_output=True)
    log.add_argument("--limit", type=int, default=20, help="how many runs (default 20)")
    command(subs, "conflicts", _conflicts, "open conflicts, field by field", json_output=True)
    resolve = command(subs, "resolve", _resolve, "settle a conflict")
    resolve.add_argument("id", help="the conflict's id (see `sync conflicts`)")
    side = resolve.add_mutually_exclusive_group()
    side.add_argument("--mine", action="store_true", help="keep this store's values")
    side.add_argument("--theirs", action="store_true", help="take the server's values")
    side.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=mine|theirs",
        help="a choice per field (repeat for each field in conflict)",
    )
    command(subs, "failed", _failed, "operations the server refused", json_output=True)
    for name, handler, what in (
        ("replay", _replay, "send a failed operation again on the next sync"),
        ("discard", _discard, "give a failed operation up, back to the server's copy"),
    ):
        one = command(subs, name, handler, what)
        one.add_argument("id", type=int, help="the operation's id (see `sync failed`)")
