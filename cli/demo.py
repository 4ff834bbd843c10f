"""``shiftdesk demo``: a realistic, deterministic store to try ShiftDesk on."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from cli.common import command
from core.demo import build_demo
from core.errors import ShiftDeskError
from core.store import open_store
from core.timeutil import parse_date


def _demo(args: argparse.Namespace) -> int:
    path: Path = args.db
    if path.exists() and path.stat().st_size > 0:
        raise ShiftDeskError(f"{path} exists already; the demo is written to a new file")
    if args.employees < 1 or args.weeks < 1:
        raise ShiftDeskError("--employees and --weeks must be at least 1")
    start: date | None = parse_date(args.start, "--start") if args.start else None
    store = open_store(path, create=True)
    try:
        build_demo(store, employees=args.employees, weeks=args.weeks, seed=args.seed, start=start)
    finally:
        store.close()
    print(f"demo store written to {path}")
    return 0


def register(subparsers: Any) -> None:
    parser = command(
        subparsers, "demo", _demo, "write a realistic demo store to a new file", db_required=True
    )
    parser.add_argument("--employees", type=int, default=40, help="how many people (40)")
    parser.add_argument("--weeks", type=int, default=6, help="weeks of rota (6)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same company (1)")
    parser.add_argument("--start", help="first Monday of the rota (default: last week's)")
