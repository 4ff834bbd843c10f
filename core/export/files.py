"""Where an export may write: the file's suffix picks the format, its folder must be
there, and a failed write is one sentence naming the file (field ``out``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from core.errors import ValidationError

Writer = TypeVar("Writer", bound=Callable[..., Path])


def writer_for(path: Path, writers: Mapping[str, Writer]) -> Writer:
    """The writer ``path``'s suffix names; refuses another suffix or a missing folder."""
    writer = writers.get(path.suffix.lower())
    if writer is None:
        endings = " or ".join(writers)
        raise ValidationError("out", f"{path.name}: the file must end in {endings}")
    if not path.parent.is_dir():
        raise ValidationError("out", f"the folder {path.parent} does not exist")
    return writer


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn the OS refusing the file into core's error for ``out``."""
    try:
        yield
    except OSError as exc:
        raise ValidationError("out", f"cannot write {path}: {exc.strerror or exc}") from exc
