"""Where the API key is kept: the keyring when one works, else a file only its user
can read; the environment wins over both."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from sync.credentials import ENV_KEY, forget_key, key_file, load_key, read_key_file, save_key


class MemoryKeyring(KeyringBackend):
    """A working backend that keeps passwords in a dict, like an OS keyring would."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


def test_without_a_keyring_the_key_goes_to_a_private_file() -> None:
    kept = save_key("http://127.0.0.1:8080/", "sdk_one")
    assert str(key_file()) in kept.where
    assert stat.S_IMODE(os.stat(key_file()).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file().parent).st_mode) == 0o700
    assert load_key("http://127.0.0.1:8080") == "sdk_one"  # the URL's trailing slash aside
    save_key("http://127.0.0.1:8080", "sdk_two")
    assert load_key("http://127.0.0.1:8080") == "sdk_two"
    assert load_key("http://elsewhere") is None
    forget_key("http://127.0.0.1:8080")
    assert load_key("http://127.0.0.1:8080") is None


def test_a_working_keyring_holds_the_key_and_the_file_forgets_it() -> None:
    save_key("https://hq.example", "sdk_old")  # kept in the file while no keyring worked
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        assert save_key("https://hq.example", "sdk_ring").where == "the system keyring"
        assert backend.kept == {("ShiftDesk", "https://hq.example"): "sdk_ring"}
        assert load_key("https://hq.example") == "sdk_ring"
    finally:
        keyring.set_keyring(previous)
    assert "sdk_old" not in key_file().read_text()


def test_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    save_key("http://127.0.0.1:8080", "sdk_kept")
    monkeypatch.setenv(ENV_KEY, "sdk_from_env")
    assert load_key("http://127.0.0.1:8080") == "sdk_from_env"


def test_a_key_file_gives_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("  sdk_abc  \nignored\n")
    assert read_key_file(path) == "sdk_abc"
    path.write_text("\n\n")
    with pytest.raises(ValueError, match="holds no key"):
        read_key_file(path)
