"""``shiftdesk server``: run the central API, and manage its companies and API keys.

The server package is imported by the command that runs, never when the parser is
built, so the store's own commands start without it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from cli.common import command, fail, print_json, print_table

DB_HELP = (
    "database: an SQLite file path or a URL such as postgresql+psycopg://host/db "
    "(default: $SHIFTDESK_SERVER_DB or server.sqlite3 in the user data directory)"
)


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    """One committed unit of work on the server database that ``--db`` names."""
    from server import admin

    with admin.transaction(args.db) as session:
        yield session


def _serve(args: argparse.Namespace) -> int:
    from server.serve import serve

    if (args.ssl_certfile is None) != (args.ssl_keyfile is None):
        fail("--ssl-certfile and --ssl-keyfile go together")
        return 1
    serve(
        args.db,
        host=args.host,
        port=args.port,
        workers=args.workers,
        pool_size=args.pool_size,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    return 0


def _create_company(args: argparse.Namespace) -> int:
    from server import admin

    with _session(args) as session:
        company = admin.create_company(
            session, args.name, timezone=args.timezone, site=args.site, currency=args.currency
        )
        company_id = company.id
    print(f"company {args.name!r} created: {company_id}")
    return 0


def _create_key(args: argparse.Namespace) -> int:
    from server import auth

    with _session(args) as session:
        key, secret = auth.create_key(
            session, args.company, args.scopes, name=args.name, rate_limit=args.rate_limit
        )
        key_id = key.id
    print(f"API key {key_id} created; it is shown only now, store it safely:")
    print(secret)
    return 0


def _list_keys(args: argparse.Namespace) -> int:
    from server import auth

    with _session(args) as session:
        rows = [
            {
                "id": k.id,
                "companyId": k.company_id,
                "prefix": k.prefix,
                "name": k.name,
                "scopes": k.scopes.split(","),
                "rateLimit": k.rate_limit,
                "createdAt": k.created_at,
                "revokedAt": k.revoked_at,
            }
            for k in auth.list_keys(session)
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ["id", "company", "prefix", "scopes", "name", "revoked"],
            [
                [
                    r["id"],
                    r["companyId"],
                    r["prefix"],
                    ",".join(r["scopes"]),
                    r["name"],
                    r["revokedAt"],
                ]
                for r in rows
            ],
        )
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    from server import auth

    with _session(args) as session:
        auth.revoke_key(session, args.id)
    print(f"API key {args.id} revoked")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from server import admin

    with _session(args) as session:
        count = admin.purge_tombstones(session, args.days)
    print(f"{count} tombstone(s) older than {args.days} days purged")
    return 0


def _purge_all(args: argparse.Namespace) -> int:
    from server import admin

    try:
        with _session(args) as session:
            done = admin.purge(session, args.days, delivery_days=args.delivery_days)
    except ValueError as error:
        fail(str(error))
        return 1
    print(
        f"{done.tombstones} tombstone(s) and {done.idempotency_records} idempotency"
        f" record(s) older than {args.days} days, and {done.rate_buckets} idle rate"
        " bucket(s), purged"
    )
    kept = args.days if args.delivery_days is None else args.delivery_days
    print(
        f"{done.webhook_deliveries} webhook delivery(ies) delivered or discarded more than"
        f" {kept} days ago purged (dead letters are kept until discarded)"
    )
    return 0


def _erase(args: argparse.Namespace) -> int:
    from server import admin

    admin.erase_employee(args.db, args.company, args.employee)
    print(
        f"employee {args.employee} erased: name, e-mail, payroll code and rate replaced"
        " on the server and in its change feed; sites erase it on their next sync"
    )
    return 0


def _add_webhook(args: argparse.Namespace) -> int:
    from server import webhooks
    from server.settings import webhook_private_allowed

    body: dict[str, Any] = {"url": args.url, "events": args.events.split(",")}
    if args.secret:
        body["secret"] = args.secret
    with _session(args) as session:
        sub = webhooks.create_subscription(
            session, args.company, body, allow_private=webhook_private_allowed()
        )
        sub_id, secret = sub.id, sub.secret
    print(f"webhook {sub_id} created; its signing secret, shown only now:")
    print(secret)
    return 0


def _list_webhooks(args: argparse.Namespace) -> int:
    from server import webhooks

    with _session(args) as session:
        rows = [
            webhooks.show_subscription(s)
            for s in webhooks.list_subscriptions(session, args.company)
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ["id", "company", "url", "events", "active"],
            [
                [r["id"], r["companyId"], r["url"], ",".join(r["events"]), r["isActive"]]
                for r in rows
            ],
        )
    return 0


def _remove_webhook(args: argparse.Namespace) -> int:
    from server import webhooks

    with _session(args) as session:
        webhooks.delete_subscription(session, None, args.id)
    print(f"webhook {args.id} removed")
    return 0


def _print_deliveries(args: argparse.Namespace, status: str | None) -> int:
    from server import webhooks

    with _session(args) as session:
        found, _total = webhooks.list_deliveries(
            session, args.company, status=status, limit=args.limit
        )
        rows = [webhooks.show_delivery(d) for d in found]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ["id", "event", "status", "attempts", "last", "created"],
            [
                [
                    r["id"],
                    r["event"],
                    r["status"],
                    r["attempts"],
                    r["lastError"] or r["lastStatus"],
                    r["createdAt"],
                ]
                for r in rows
            ],
        )
    return 0


def _deliveries(args: argparse.Namespace) -> int:
    return _print_deliveries(args, args.status)


def _dead_letters(args: argparse.Namespace) -> int:
    from server import webhooks

    return _print_deliveries(args, webhooks.DEAD)


def _replay(args: argparse.Namespace) -> int:
    from server import webhooks

    with _session(args) as session:
        webhooks.replay(session, None, args.id)
    print(f"delivery {args.id} will be sent again")
    return 0


def _discard(args: argparse.Namespace) -> int:
    from server import webhooks

    with _session(args) as session:
        webhooks.discard(session, None, args.id)
    print(f"delivery {args.id} discarded")
    return 0


class _KeyHelp(argparse.HelpFormatter):
    """Names the scopes a key can hold when help is asked for, so that building the
    parser does not import the server."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.dest == "scopes":
            from server.auth import SCOPES

            return f"comma-separated, from {', '.join(SCOPES)}"
        return super()._get_help_string(action)


def _db_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    # A subcommand's default must not overwrite `server --db X` given before it.
    parser.add_argument("--db", default=None if top else argparse.SUPPRESS, help=DB_HELP)


def register(subparsers: Any) -> None:
    server = command(subparsers, "server", _serve, "run the reference central API", db=False)
    _db_option(server, top=True)
    server.add_argument("--host", default="127.0.0.1", help="address to listen on")
    server.add_argument("--port", type=int, default=8080, help="port to listen on")
    server.add_argument(
        "--workers", type=int, default=1, help="worker processes (share one database)"
    )
    server.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help="database connections per worker (default 10; workers x this must stay"
        " under the database's connection limit)",
    )
    server.add_argument(
        "--ssl-certfile",
        default=None,
        help="serve HTTPS with this PEM certificate (chain); needs --ssl-keyfile",
    )
    server.add_argument("--ssl-keyfile", default=None, help="the PEM private key of --ssl-certfile")
    sub = server.add_subparsers(dest="server_command", metavar="SUBCOMMAND")

    company = command(sub, "create-company", _create_company, "add a company", db=False)
    _db_option(company)
    company.add_argument("name")
    company.add_argument("--timezone", default="UTC", help="IANA zone of its first site")
    company.add_argument("--site", default="", help="name of its first site")
    company.add_argument("--currency", default="EUR", help="ISO 4217 code, such as EUR or GBP")

    key = command(sub, "create-key", _create_key, "make an API key (shown once)", db=False)
    key.formatter_class = _KeyHelp
    _db_option(key)
    key.add_argument("--company", required=True, help="the company id")
    key.add_argument("--scopes", required=True, help="comma-separated scopes")
    key.add_argument("--name", default="", help="what the key is for")
    key.add_argument("--rate-limit", type=int, default=None, help="requests per window")

    listing = command(sub, "list-keys", _list_keys, "list API keys", db=False, json_output=True)
    _db_option(listing)

    revoke = command(sub, "revoke-key", _revoke_key, "revoke an API key", db=False)
    _db_option(revoke)
    revoke.add_argument("id")

    purge = command(
        sub, "purge-tombstones", _purge, "forget old tombstones of the change feed", db=False
    )
    _db_option(purge)
    purge.add_argument("--days", type=int, default=90, help="keep tombstones this many days")

    purge_all = command(
        sub,
        "purge",
        _purge_all,
        "forget old tombstones, idempotency records, idle rate buckets and webhook deliveries",
        db=False,
    )
    _db_option(purge_all)
    purge_all.add_argument(
        "--days", type=int, default=90, help="keep tombstones and idempotency records this long"
    )
    purge_all.add_argument(
        "--delivery-days",
        type=int,
        default=None,
        help="keep delivered and discarded webhook deliveries this long (default --days);"
        " dead letters stay until discarded",
    )

    erase = command(
        sub,
        "erase-employee",
        _erase,
        "erase a person (GDPR): name, e-mail, code and rate, everywhere",
        db=False,
    )
    _db_option(erase)
    erase.add_argument("--company", required=True, help="the company id")
    erase.add_argument("--employee", required=True, help="the employee id")

    hook = command(
        sub, "add-webhook", _add_webhook, "subscribe a URL to a company's events", db=False
    )
    _db_option(hook)
    hook.add_argument("--company", required=True, help="the company id")
    hook.add_argument("--url", required=True, help="where to POST each event (http or https)")
    hook.add_argument(
        "--events", required=True, help="comma-separated: employee.created, shift.*, * ..."
    )
    hook.add_argument("--secret", default="", help="signing secret (default: one is made)")

    hooks = command(
        sub,
        "list-webhooks",
        _list_webhooks,
        "list webhook subscriptions",
        db=False,
        json_output=True,
    )
    _db_option(hooks)
    hooks.add_argument("--company", default=None, help="only this company's")

    unhook = command(sub, "remove-webhook", _remove_webhook, "remove a subscription", db=False)
    _db_option(unhook)
    unhook.add_argument("id")

    for name, handler, text in (
        ("webhook-deliveries", _deliveries, "the webhook delivery log"),
        ("dead-letters", _dead_letters, "deliveries that failed every try"),
    ):
        log = command(sub, name, handler, text, db=False, json_output=True)
        _db_option(log)
        log.add_argument("--company", default=None, help="only this company's")
        log.add_argument("--limit", type=int, default=100, help="at most this many")
        if name == "webhook-deliveries":
            log.add_argument(
                "--status", default=None, choices=["pending", "delivered", "dead", "discarded"]
            )

    for name, handler, text in (
        ("replay-delivery", _replay, "send a dead delivery again"),
        ("discard-delivery", _discard, "give a dead delivery up"),
    ):
        act = command(sub, name, handler, text, db=False)
        _db_option(act)
        act.add_argument("id")
