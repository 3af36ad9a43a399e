"""The API key chain, the keyring behind a timeout (fake backends raising each error), `auth`."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import InitError, KeyringLocked, NoKeyringError, PasswordDeleteError

from lwadmin_tui.cli.auth import run_auth
from lwadmin_tui.settings.config import load_settings
from lwadmin_tui.settings.credentials import (
    SERVICE,
    KeyringStore,
    NoCredential,
    resolve_credential,
)
from lwadmin_tui.settings.errors import ConfigError

KEY_A = "sk-lw-AAAAaaaaAAAAaaaa_" + "a1" * 24
KEY_B = "sk-lw-BBBBbbbbBBBBbbbb_" + "b2" * 24
KEY_C = "sk-lw-CCCCccccCCCCcccc_" + "c3" * 24
PROJECT_KEY = "sk-lw-" + "p" * 48


class MemoryKeyring(KeyringBackend):
    """A secure-looking in-memory backend."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


def raising(error: Exception) -> KeyringBackend:
    class Raising(MemoryKeyring):
        def get_password(self, *args: str) -> str | None:
            raise error

        def set_password(self, *args: str) -> None:
            raise error

    return Raising()


class PlaintextKeyring(MemoryKeyring):
    """Shaped like keyrings.alt's plaintext file store: never to be used."""


class HangingKeyring(MemoryKeyring):
    """A locked desktop keyring waiting for its password: answers only when released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait()
        return None


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.delenv("LWADMIN_API_KEY", raising=False)
    monkeypatch.delenv("LANGWATCH_API_KEY", raising=False)
    return {}


def resolve(env: dict[str, str], **options: object):  # type: ignore[no-untyped-def]
    defaults: dict[str, object] = {
        "profile": "default",
        "key_file": None,
        "use_keyring": True,
        "keyring_entry": "default",
        "store": KeyringStore(timeout=2),
        "prompt": None,
        "env": env,
    }
    defaults.update(options)
    return resolve_credential(**defaults)  # type: ignore[arg-type]


def key_file(tmp_path: Path, secret: str, mode: int = 0o600) -> Path:
    path = tmp_path / "key"
    path.write_text(f"\n{secret}\n")
    path.chmod(mode)
    return path


def test_first_source_wins(tmp_path: Path, memory: MemoryKeyring) -> None:
    memory.set_password(SERVICE, "default", KEY_C)
    path = key_file(tmp_path, KEY_B)
    env = {"LWADMIN_API_KEY": KEY_A, "LANGWATCH_API_KEY": KEY_B}
    assert resolve(env, key_file=path).source == "LWADMIN_API_KEY"
    got = resolve({"LANGWATCH_API_KEY": KEY_B}, key_file=path)
    assert (got.source, got.key.reveal()) == ("LANGWATCH_API_KEY", KEY_B)
    got = resolve({}, key_file=path)
    assert got.source == f"key file {path}" and got.key.reveal() == KEY_B
    got = resolve({})
    assert got.key.reveal() == KEY_C and "keyring entry 'default'" in got.source
    got = resolve({}, use_keyring=False, prompt=lambda _: KEY_A)
    assert (got.source, got.key.reveal()) == ("the prompt", KEY_A)


def test_keyring_entry_is_the_profile(memory: MemoryKeyring) -> None:
    memory.set_password(SERVICE, "acme", KEY_B)
    assert resolve({}, keyring_entry="acme").key.reveal() == KEY_B
    with pytest.raises(NoCredential, match="no keyring entry 'default'"):
        resolve({})


def test_a_loose_key_file_is_refused(tmp_path: Path) -> None:
    path = key_file(tmp_path, KEY_B, 0o644)
    with pytest.raises(ConfigError, match=f"chmod 600 {path}"):
        resolve({}, key_file=path)


def test_a_project_key_is_recognised_before_any_request() -> None:
    with pytest.raises(ConfigError, match="legacy project API key") as caught:
        resolve({"LWADMIN_API_KEY": PROJECT_KEY})
    assert "pppppppp" not in str(caught.value)
    assert "Settings > API Keys" in str(caught.value)


def test_a_key_with_a_line_break_is_refused() -> None:
    with pytest.raises(ConfigError, match="spaces or control characters"):
        resolve({"LWADMIN_API_KEY": KEY_A[:10] + "\r\nX-Evil: 1"})


@pytest.mark.parametrize(
    ("backend", "sentence"),
    [
        (raising(NoKeyringError("no backend")), "No system keyring is available on this host"),
        (raising(KeyringLocked("Failed to unlock the collection")), "keyring is locked"),
        (raising(InitError("cannot connect to D-Bus")), "could not be opened"),
        (raising(RuntimeError("dbus exploded")), "keyring failed (RuntimeError"),
        (PlaintextKeyring(), "keeps secrets in a plain file"),
    ],
    ids=["no-backend", "locked", "init-error", "other", "plaintext"],
)
def test_keyring_problems_are_one_sentence_and_the_chain_goes_on(
    backend: KeyringBackend, sentence: str
) -> None:
    keyring.set_keyring(backend)
    notices: list[str] = []
    got = resolve({}, prompt=lambda _: KEY_A, on_notice=notices.append)
    assert got.source == "the prompt"
    assert len(notices) == 1 and sentence in notices[0]
    assert "\n" not in notices[0] and "Traceback" not in notices[0]
    with pytest.raises(NoCredential) as caught:
        resolve({})
    message = str(caught.value)
    assert sentence in message
    for fix in ("read -rs LWADMIN_API_KEY", "--api-key-file", "auth set", "dbus-run-session"):
        assert fix in message


def test_a_hanging_keyring_times_out() -> None:
    backend = HangingKeyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(NoCredential, match=r"did not answer within 0\.05 s"):
            resolve({}, store=KeyringStore(timeout=0.05))
    finally:
        backend.release.set()


def test_no_keyring_flag_skips_it(memory: MemoryKeyring) -> None:
    memory.set_password(SERVICE, "default", KEY_C)
    with pytest.raises(NoCredential, match=r"skipped \(--no-keyring\)"):
        resolve({}, use_keyring=False)


def test_an_empty_prompt_is_no_key() -> None:
    with pytest.raises(NoCredential, match="nothing was entered"):
        resolve({}, use_keyring=False, prompt=lambda _: "  ")


def test_auth_set_status_delete(memory: MemoryKeyring, no_env: dict[str, str]) -> None:
    loaded = load_settings({"profile": None})
    store = KeyringStore(timeout=2)
    out = io.StringIO()
    assert run_auth("set", loaded, store, stdin=io.StringIO(KEY_B + "\n"), out=out) == 0
    assert memory.store[(SERVICE, "default")] == KEY_B
    assert f"…{KEY_B[-4:]}" in out.getvalue() and KEY_B[:-4] not in out.getvalue()
    out = io.StringIO()
    assert run_auth("status", loaded, store, out=out) == 0
    assert "credential: keyring entry 'default'" in out.getvalue()
    assert KEY_B[:-4] not in out.getvalue()
    out = io.StringIO()
    assert run_auth("delete", loaded, store, out=out) == 0
    assert "Deleted" in out.getvalue() and not memory.store
    out = io.StringIO()
    assert run_auth("delete", loaded, store, out=out) == 0
    assert "No key stored" in out.getvalue()
    assert run_auth("status", loaded, store, out=io.StringIO()) == 1


def test_auth_set_refuses_without_a_secure_keyring(no_env: dict[str, str]) -> None:
    loaded = load_settings({})
    for backend in (raising(NoKeyringError()), PlaintextKeyring()):
        keyring.set_keyring(backend)
        with pytest.raises(ConfigError, match="Nothing was stored") as caught:
            run_auth("set", loaded, KeyringStore(2), stdin=io.StringIO(KEY_B), out=io.StringIO())
        assert "dbus-run-session" in str(caught.value)


def test_auth_set_refuses_a_project_key(memory: MemoryKeyring, no_env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="legacy project API key"):
        run_auth("set", load_settings({}), KeyringStore(2), stdin=io.StringIO(PROJECT_KEY))
    assert not memory.store
