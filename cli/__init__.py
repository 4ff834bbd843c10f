"""The ``shiftdesk`` command line: a product surface for managers' scripts.

A UI like the desktop, above core and sync. It starts the desktop app and the
server too, importing each only in the command that needs it, so that a store
command such as ``shiftdesk employees list`` loads neither Qt nor FastAPI.

Exit codes: 0 success, 1 error (one line on stderr), 2 usage error, 3 a change
refused for a conflict (the conflicts are named).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cli import (
    attendance,
    common,
    demo,
    employees,
    leave,
    organisation,
    payroll,
    policy,
    server_cmds,
    shifts,
    store_cmds,
    sync_cmds,
    templates,
)
from core.errors import ConflictError, ShiftDeskError
from sync.errors import SyncError

#: The modules that contribute subcommands, each with ``register(subparsers)``.
COMMANDS = (
    store_cmds,
    demo,
    organisation,
    employees,
    shifts,
    templates,
    leave,
    attendance,
    payroll,
    policy,
    sync_cmds,
    server_cmds,
)


def build_parser() -> argparse.ArgumentParser:
    parser = common.Parser(
        prog="shiftdesk",
        description="Shift scheduling, leave, attendance and payroll. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--db", help=argparse.SUPPRESS)  # `shiftdesk --db F` opens the app on F
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def _open_app(args: argparse.Namespace) -> int:
    from desktop.app import main as run_app

    return int(run_app(args.db) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _open_app(args)
        handler = getattr(args, "handler", None)
        if handler is None:  # a group made without common.group, named alone
            parser.error(f"{args.command} needs a subcommand; see `shiftdesk {args.command} -h`")
        return int(handler(args) or 0)
    except ConflictError as exc:
        common.fail(str(exc))
        return common.EXIT_CONFLICT
    except (ShiftDeskError, SyncError) as exc:
        common.fail(str(exc))
        return common.EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`shiftdesk shifts list | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return common.EXIT_ERROR
    except OSError as exc:
        # A file named on the command line that cannot be read or written (a folder,
        # no permission, a full disk): the system's own words, on one line.
        common.fail(common.os_error(exc))
        return common.EXIT_ERROR
