"""Who is acting: decisions, corrections and approvals are signed with this name."""

from __future__ import annotations

import getpass


def current_user() -> str:
    """The account ShiftDesk runs under, as the audit trail names the actor."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment
        return "unknown user"
