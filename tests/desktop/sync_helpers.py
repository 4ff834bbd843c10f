"""Scenes of sync for desktop tests, written as the sync engine writes them: what a
push's acknowledgement leaves on a row, a page of the change feed applied, and a
conflict row as sync.settle records it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.models import OutboxEntry, Shift
from core.models.sync import SyncConflict
from core.outbox import APPLYING_REMOTE
from core.replica import apply_page
from core.store import Store
from core.wire import Change, ChangePage, etag, to_wire


def acknowledge(store: Store, shift_id: str) -> dict[str, Any]:
    """The server took the shift's pending edits (sync.push._acknowledge): its entries
    leave the outbox and the row becomes the server's next version. The record the
    server now has is returned."""
    with store.session() as s:
        s.info[APPLYING_REMOTE] = True
        for entry in s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == shift_id)):
            s.delete(entry)
        s.flush()
        row = s.get(Shift, shift_id)
        assert row is not None
        row.server_version = (row.server_version or 0) + 1
        row.etag = etag(row.server_version)
        row.base = to_wire(row)
        row.dirty = False
        return dict(row.base)


def pull_shift(store: Store, record: dict[str, Any], **changed: Any) -> None:
    """A page of the feed with another site's change of the shift, applied as
    sync.pull applies it (one transaction)."""
    version = record["recordVersion"] + 1
    theirs = {**record, **changed, "recordVersion": version}
    page = ChangePage(
        (Change(version, "shifts", record["id"], version, False, theirs),), "9", False
    )
    with store.session() as s:
        applied = apply_page(s, page)
    assert applied.ids == (record["id"],)
    assert not applied.held


def open_conflict(store: Store, shift_id: str, theirs: dict[str, Any] | None) -> None:
    """The server's copy moved while the shift's local edits waited, and the merge did
    not come out clean: the row sync.settle.settle writes. Base is the last copy the
    server acknowledged, mine the row as it is here, theirs the base with the changes
    given (None: deleted on the server)."""
    with store.session() as s:
        row = s.get(Shift, shift_id)
        assert row is not None
        assert row.base is not None
        base = dict(row.base)
        version = base["recordVersion"] + 1
        s.add(
            SyncConflict(
                collection="shifts",
                record_id=shift_id,
                base=base,
                mine=to_wire(row),
                theirs=None if theirs is None else {**base, **theirs, "recordVersion": version},
                remote_etag=etag(version),
            )
        )
