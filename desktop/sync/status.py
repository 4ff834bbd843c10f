"""What the status bar says about sync, in words, from a :class:`sync.history.SyncStatus`.

Plain functions, no Qt: every state has one sentence, and none of them is a lie. A
store never connected says so and counts what it has not sent; a connected one says
whether its last run reached the server, when it last synced, and what waits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.models.sync import RunOutcome
from desktop.notice import plural
from sync.history import SyncStatus

#: The sentence :func:`sync.engine.explain` starts with when no server answered.
_UNREACHABLE = "could not be reached"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def ago(when: datetime, now: datetime) -> str:
    """Says "just now", "3 min ago", "2 h ago", "yesterday", "5 days ago"."""
    seconds = max(0, int((_aware(now) - _aware(when)).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return "yesterday" if days == 1 else f"{days} days ago"


def reachability(status: SyncStatus) -> str:
    """Says "Online", "Offline", "Sync failed" or "Never synced", from the last run."""
    last = status.last
    if last is None:
        return "Never synced"
    if last.outcome == RunOutcome.RUNNING:
        return "Syncing…"
    if last.outcome == RunOutcome.FAILED:
        return "Offline" if _UNREACHABLE in last.message else "Sync failed"
    return "Online"


def status_text(status: SyncStatus, now: datetime, *, running: bool = False) -> str:
    """The status bar's sync sentence (conflicts have a badge of their own)."""
    if not status.connected:
        if not status.waiting:
            return "Not connected"
        return f"Not connected · {plural(status.waiting, 'change')} not yet sent"
    parts = ["Syncing…" if running else reachability(status)]
    if status.last_success is not None:
        when = ago(status.last_success, now)
        online = parts[0] == "Online"
        parts.append(f"synced {when}" if online else f"last synced {when}")
    elif status.last is not None:
        parts.append("never synced")
    if status.waiting:
        parts.append(f"{plural(status.waiting, 'change')} waiting to sync")
    elif status.last_success is not None and not status.conflicts and not status.failed:
        parts.append("all changes sent")  # never beside a change still held back
    if status.failed:
        parts.append(f"{plural(status.failed, 'change')} refused by the server")
    return " · ".join(parts)


def status_tip(status: SyncStatus) -> str:
    """The longer story, for the tooltip: the server, and why the last run failed."""
    if not status.connected:
        return "This database is not connected to a server: File → Connect to server…"
    tip = f"Syncs with {status.server_url}"
    last = status.last
    if last is not None and last.outcome == RunOutcome.FAILED and last.message:
        tip += f"\nThe last sync failed: {last.message}"
    return tip


def conflicts_badge(status: SyncStatus) -> str:
    """The badge's text ("" hides it)."""
    return f"⚠ {plural(status.conflicts, 'conflict')}" if status.conflicts else ""
