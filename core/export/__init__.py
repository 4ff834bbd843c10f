"""Payroll export: the file's extension picks the format (.xlsx or .csv)."""

from __future__ import annotations

from pathlib import Path

from core.errors import ValidationError
from core.export.table import write_csv
from core.export.xlsx import write_xlsx
from core.payroll import Payroll

WRITERS = {".xlsx": write_xlsx, ".csv": write_csv}


def export_payroll(report: Payroll, path: Path | str) -> Path:
    """Write the report to ``path``; returns the path written."""
    path = Path(path)
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValidationError("out", f"{path.name}: the file must end in .xlsx or .csv")
    if not path.parent.is_dir():
        raise ValidationError("out", f"the folder {path.parent} does not exist")
    try:
        return writer(report, path)
    except OSError as exc:
        raise ValidationError("out", f"cannot write {path}: {exc.strerror or exc}") from exc
