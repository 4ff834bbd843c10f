"""A record named for a person in a list of conflicts or failures: "shift 2026-12-01
09:00–17:00", not a UUID alone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.wire import COLLECTIONS

#: Wire field names as a supervisor says them; any other camelCase name is split.
_FIELD_WORDS = {
    "shiftDate": "date",
    "assignedUserIds": "people",
    "assignedDepartmentIds": "departments",
    "departmentId": "department",
    "siteId": "site",
    "templateId": "template",
    "isActive": "deletion",
}


def describe(collection: str, record_id: str, record: Mapping[str, Any] | None) -> str:
    spec = COLLECTIONS.get(collection)
    if spec is not None and spec.model.__made_with_company__:
        return "pay policy"  # the company's one: no name of its own to show
    item = spec.item if spec else collection
    r = record or {}
    if r.get("firstName") or r.get("lastName"):
        what = f"{r.get('firstName', '')} {r.get('lastName', '')}".strip()
    elif r.get("shiftDate"):
        what = f"{r['shiftDate']} {r.get('startTime', '')}–{r.get('endTime', '')}"
    elif r.get("startDate"):
        what = f"{r['startDate']} to {r.get('endDate', r['startDate'])}"
    elif r.get("workDate"):
        what = str(r["workDate"])
    elif r.get("at"):
        what = str(r["at"])
    elif r.get("name"):
        what = str(r["name"])
    else:
        what = record_id
    return f"{item} {what}"


def field_label(name: str) -> str:
    """``"startTime"`` → ``"start time"``: a field of a record in words."""
    if name in _FIELD_WORDS:
        return _FIELD_WORDS[name]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
