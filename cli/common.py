"""What every subcommand shares: ``--db``, ``--json``, output and exit conventions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.errors import StoreError, StoreMissing, ValidationError
from core.store import Store, default_path, open_store
from core.timeutil import parse_date

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3

Handler = Callable[[argparse.Namespace], int | None]


def command(
    subparsers: Any,
    name: str,
    handler: Handler,
    help: str,
    *,
    db: bool = True,
    db_required: bool = False,
    json_output: bool = False,
) -> argparse.ArgumentParser:
    """A leaf command; ``--db`` goes after its own name, as everywhere in ShiftDesk."""
    parser = subparsers.add_parser(name, help=help, description=help)
    if db:
        parser.add_argument(
            "--db",
            type=Path,
            default=None,
            required=db_required,
            help="the local store"
            + ("" if db_required else " (default: $SHIFTDESK_DB or the user data directory)"),
        )
    if json_output:
        parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handler)
    return parser


def group(subparsers: Any, name: str, help: str) -> Any:
    """A command of subcommands; named alone, it is a usage error (exit 2)."""
    parser = subparsers.add_parser(name, help=help, description=help)
    return parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)


class Parser(argparse.ArgumentParser):
    """Refuses arguments it does not know itself, so a stray option is reported with
    the usage of the command it was given to (argparse's default leaves it to the
    top-level parser, which shows the usage of ``shiftdesk`` instead)."""

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Store]:
    """The existing store ``--db`` names; only ``setup`` and ``demo`` create one."""
    try:
        store = open_store(args.db if args.db is not None else default_path(), create=False)
    except StoreMissing as exc:
        raise StoreError(
            f"{exc}; `shiftdesk demo --db {exc.path}` or `shiftdesk setup --db {exc.path}`"
            " creates one"
        ) from exc
    try:
        yield store
    finally:
        store.close()


@contextmanager
def session(args: argparse.Namespace) -> Iterator[Session]:
    """One committed unit of work on the store that ``--db`` names."""
    with opened(args) as store, store.session() as s:
        yield s


def date_range(first: str, last: str) -> tuple[date, date]:
    """A ``--from``/``--to`` pair, both days included.

    Every command with such a pair checks it here, so a range that ends before it
    starts is refused the same way everywhere instead of quietly listing nothing.
    """
    start, end = parse_date(first, "--from"), parse_date(last, "--to")
    _refuse_backwards(start, end)
    return start, end


def optional_range(first: str | None, last: str | None) -> tuple[date | None, date | None]:
    """:func:`date_range` where either end may be left out (open-ended)."""
    start = parse_date(first, "--from") if first is not None else None
    end = parse_date(last, "--to") if last is not None else None
    if start is not None and end is not None:
        _refuse_backwards(start, end)
    return start, end


def _refuse_backwards(start: date, end: date) -> None:
    if end < start:
        raise ValidationError("--to", f"{end} is before --from {start}; the range would be empty")


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, default=_plain, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """Plain aligned columns, readable in a terminal and by ``cut``/``awk``."""
    cells = [[str(c) for c in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def fail(message: str) -> None:
    print(f"shiftdesk: {message}", file=sys.stderr)


def os_error(exc: OSError) -> str:
    """``PATH: reason`` for a failed file operation, as ``cp`` or ``ls`` would say it."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason[:1].lower()}{reason[1:]}"
