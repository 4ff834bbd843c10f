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

from cli.common import command, print_json, print_table

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

    serve(args.db, host=args.host, port=args.port, workers=args.workers, pool_size=args.pool_size)
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


def _erase(args: argparse.Namespace) -> int:
    from server import admin

    admin.erase_employee(args.db, args.company, args.employee)
    print(
        f"employee {args.employee} erased: name, e-mail, payroll code and rate replaced"
        " on the server and in its change feed; sites erase it on their next sync"
    )
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
