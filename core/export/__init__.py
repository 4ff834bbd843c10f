"""Payroll export: the file's extension picks the format (.xlsx or .csv)."""

from __future__ import annotations

from pathlib import Path

from core.export.files import writer_for, writing
from core.export.table import write_csv
from core.export.xlsx import write_xlsx
from core.payroll import Payroll

WRITERS = {".xlsx": write_xlsx, ".csv": write_csv}


def export_payroll(report: Payroll, path: Path | str) -> Path:
    """Write the report to ``path``; returns the path written."""
    path = Path(path)
    writer = writer_for(path, WRITERS)
    with writing(path):
        return writer(report, path)
