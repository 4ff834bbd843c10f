"""``check`` and ``backup``: the store's health and a safe copy of it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import EXIT_ERROR, command, opened


def _check(args: argparse.Namespace) -> int:
    with opened(args) as store:
        problems = store.integrity_problems()
        path = store.path
    for problem in problems:
        print(problem)
    if problems:
        print(f"{path}: {len(problems)} problem(s) found")
        return EXIT_ERROR
    print(f"{path}: ok")
    return 0


def _backup(args: argparse.Namespace) -> int:
    with opened(args) as store:
        store.backup(args.out)
    print(f"backup written to {args.out}")
    return 0


def register(subparsers: Any) -> None:
    command(subparsers, "check", _check, "check the store's integrity")
    backup = command(
        subparsers, "backup", _backup, "copy the store safely, even while the app has it open"
    )
    backup.add_argument("--out", type=Path, required=True, help="the new file to write")
