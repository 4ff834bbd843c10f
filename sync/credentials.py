"""Where a store's API key lives: the OS keyring, else a file only its user can read.

The key is never written into the store (a store file is copied, mailed and backed
up) nor into a log. ``$SHIFTDESK_API_KEY`` wins over anything kept, so a cron job
or a CI script can pass a key without keeping it.

Keys are kept per server URL. Where the platform has no working keyring backend
(a headless server, a container), ``keyring`` raises; the key then goes into
``keys.json`` in the user's configuration folder, created with mode 0600 in a
folder of mode 0700, and the caller is told which of the two it was.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import keyring
import platformdirs
from keyring.errors import KeyringError, PasswordDeleteError

from sync.link import normalise_url

#: The keyring service name; the user name is the server URL.
SERVICE = "ShiftDesk"
ENV_KEY = "SHIFTDESK_API_KEY"


@dataclass(frozen=True)
class Kept:
    """Where :func:`save_key` put a key, said for a person."""

    where: str


def key_file() -> Path:
    return Path(platformdirs.user_config_dir("ShiftDesk", appauthor=False)) / "keys.json"


def _read_file() -> dict[str, str]:
    path = key_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_file(keys: dict[str, str]) -> Path:
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(keys, out, indent=2)
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return path


def save_key(server_url: str, key: str) -> Kept:
    """Keep ``key`` for ``server_url``: in the keyring if one works, else the file."""
    url = normalise_url(server_url)
    try:
        keyring.set_password(SERVICE, url, key)
    except KeyringError:
        keys = _read_file()
        keys[url] = key
        return Kept(f"the file {_write_file(keys)} (readable by you only)")
    _forget_in_file(url)  # one place a key, so a change of key never leaves the old one
    return Kept("the system keyring")


def load_key(server_url: str) -> str | None:
    """``$SHIFTDESK_API_KEY``, else the key kept for ``server_url``, else None."""
    from_env = os.environ.get(ENV_KEY, "").strip()
    if from_env:
        return from_env
    url = normalise_url(server_url)
    try:
        found = keyring.get_password(SERVICE, url)
    except KeyringError:
        found = None
    return found if found else _read_file().get(url)


def forget_key(server_url: str) -> None:
    url = normalise_url(server_url)
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, url)
    _forget_in_file(url)


def _forget_in_file(url: str) -> None:
    keys = _read_file()
    if keys.pop(url, None) is not None:
        _write_file(keys)


def read_key_file(path: Path) -> str:
    """The key in ``--key-file``: its first line, stripped."""
    text = Path(path).read_text(encoding="utf-8")
    key = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not key:
        raise ValueError(f"{path} holds no key")
    return key
