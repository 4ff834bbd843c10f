"""Where an imported CSV comes from: a file named by the user, or the text itself."""

from __future__ import annotations

from pathlib import Path

from core.errors import ValidationError


def read_csv_source(source: str | Path) -> str:
    """A path (``Path``, or a one-line string naming a file) or the CSV text itself.

    A file's problem becomes one ``ValidationError`` on ``file`` that names the path,
    so every import reports a missing, unreadable or non-UTF-8 file the same way.
    """
    if not isinstance(source, Path) and "\n" in source:
        return source
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ValidationError("file", f"{path} does not exist") from exc
    except IsADirectoryError as exc:
        raise ValidationError("file", f"{path} is a folder, not a CSV file") from exc
    except OSError as exc:
        raise ValidationError("file", f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError("file", f"{path} is not UTF-8 text") from exc
