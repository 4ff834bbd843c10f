"""The payroll summary as CSV: the Summary sheet's columns and figures, no formulas."""

from __future__ import annotations

import csv
from pathlib import Path

from core.export.columns import SUMMARY, plain
from core.payroll import Payroll


def write_csv(report: Payroll, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in SUMMARY])
        for line in report.lines:
            writer.writerow([plain(c.value(line)) for c in SUMMARY])
    return path
