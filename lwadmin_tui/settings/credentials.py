"""Where the API key comes from: the first source that answers wins, all before the app starts.

1. `LWADMIN_API_KEY`, 2. `LANGWATCH_API_KEY`, 3. a key file (`--api-key-file` /
`LWADMIN_API_KEY_FILE`, refused unless 0600), 4. the system keyring (service `lwadmin-tui`, entry =
profile) behind a timeout, 5. a hidden prompt when there is a terminal (used once, not stored).
Otherwise `NoCredential` lists what was tried and how to fix it.

A keyring that is missing, locked or slow is one plain sentence and the chain goes on; a backend
that stores secrets in a plain file is never used. Nothing here prints or logs the key.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.settings.errors import ConfigError
from lwadmin_tui.settings.files import check_private

if TYPE_CHECKING:
    from lwadmin_tui.settings.config import Settings

SERVICE = "lwadmin-tui"
ENV_NAMES = ("LWADMIN_API_KEY", "LANGWATCH_API_KEY")
# A legacy project key: sk-lw- and 48 alphanumerics, no "_" separator.
PROJECT_KEY = re.compile(r"sk-lw-[A-Za-z0-9]{48}")
# Printable ASCII without spaces: anything else cannot be a token and must not reach a header.
_TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")
PROJECT_KEY_MESSAGE = (
    "The key from {source} is a legacy project API key; lwadmin-tui needs an organization API "
    "key (sk-lw-{{id}}_{{secret}}). Create one in LangWatch under Settings > API Keys "
    "(Organization), ideally a service key with an organization-wide ADMIN role."
)
HEADLESS_KEYRING_HELP = (
    "dbus-run-session -- sh, then in that shell: gnome-keyring-daemon --unlock (type a keyring "
    "password, then ctrl+d), lwadmin-tui auth set, and run lwadmin-tui in the same shell"
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Credential:
    """The key and, for messages and `doctor`, the name of the source that gave it."""

    key: ApiKey
    source: str


@dataclass(frozen=True)
class Attempt:
    """One source that was asked and did not give a key, in one plain phrase."""

    source: str
    outcome: str


@dataclass
class NoCredential(Exception):
    """No source gave a key; the message says what was tried and how to fix it."""

    profile: str
    attempts: list[Attempt] = field(default_factory=list)

    def __str__(self) -> str:
        tried = "\n".join(f"  - {a.source}: {a.outcome}" for a in self.attempts)
        return (
            f"No API key for profile {self.profile!r}. Tried:\n{tried}\n"
            "Fix it with one of:\n"
            "  - this shell only: read -rs LWADMIN_API_KEY && export LWADMIN_API_KEY\n"
            "  - a key file: (umask 077; cat > ~/.config/lwadmin-tui/key), paste, ctrl+d, then "
            "--api-key-file ~/.config/lwadmin-tui/key\n"
            "  - the system keyring: lwadmin-tui auth set (on a host without a desktop: "
            f"{HEADLESS_KEYRING_HELP})\n"
            "Or try the demo: lwadmin-tui --demo"
        )


class KeyringUnavailable(Exception):
    """The keyring cannot be used; the message is one plain sentence."""


class KeyringStore:
    """The system keyring behind a timeout, with every failure turned into one sentence."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def backend(self) -> Any:
        """The active, secure backend; KeyringUnavailable if there is none or it is plaintext."""
        import keyring

        backend = self._call(keyring.get_keyring)
        reason = insecure_reason(backend)
        if reason:
            raise KeyringUnavailable(reason)
        return backend

    def get(self, entry: str) -> str | None:
        backend = self.backend()
        return self._call(lambda: backend.get_password(SERVICE, entry))

    def set(self, entry: str, secret: str) -> None:
        backend = self.backend()
        self._call(lambda: backend.set_password(SERVICE, entry, secret))

    def delete(self, entry: str) -> bool:
        """Remove the entry; False when there was none."""
        import keyring.errors

        backend = self.backend()
        if self._call(lambda: backend.get_password(SERVICE, entry)) is None:
            return False
        try:
            self._call(lambda: backend.delete_password(SERVICE, entry))
        except KeyringUnavailable:
            raise
        except keyring.errors.PasswordDeleteError:
            return False
        return True

    def describe(self) -> str:
        """The backend's name and whether it can be used, for `doctor` and `auth status`."""
        import keyring

        try:
            backend = self._call(keyring.get_keyring)
        except KeyringUnavailable as error:
            return str(error)
        name = backend_name(backend)
        reason = insecure_reason(backend)
        return f"{name}: {reason}" if reason else f"{name} (usable)"

    def _call(self, function: Callable[[], _T]) -> _T:
        """Run `function` in a daemon thread; give up after the timeout, never hang the start."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = function()
            except BaseException as error:  # handed to the caller below
                outcome["error"] = error

        worker = threading.Thread(target=run, name="lwadmin-keyring", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise KeyringUnavailable(
                f"The system keyring did not answer within {self.timeout:g} s (a locked desktop "
                "keyring may be waiting for its password)."
            )
        if "error" in outcome:
            raise KeyringUnavailable(keyring_sentence(outcome["error"])) from None
        return outcome["value"]


def keyring_sentence(error: BaseException) -> str:
    """One plain sentence for a keyring failure; never a traceback."""
    from keyring import errors

    detail = _short(error)
    if isinstance(error, errors.NoKeyringError):
        return (
            "No system keyring is available on this host (no Secret Service on D-Bus, "
            "as usual over SSH)."
        )
    if isinstance(error, errors.KeyringLocked):
        return f"The system keyring is locked ({detail})."
    if isinstance(error, errors.InitError):
        return f"The system keyring could not be opened ({detail})."
    if isinstance(error, errors.PasswordSetError):
        return f"The system keyring refused to store the key ({detail})."
    return f"The system keyring failed ({type(error).__name__}: {detail})."


def _short(error: BaseException) -> str:
    from lwadmin_tui.settings.debug_log import redact

    text = " ".join(str(error).split()) or type(error).__name__
    return redact(text)[:160]


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def insecure_reason(backend: Any) -> str | None:
    """Why a backend must not hold the key, or None when it is a real secure store."""
    from keyring.backends import chainer, fail

    if isinstance(backend, chainer.ChainerBackend):
        reasons = [insecure_reason(b) for b in backend.backends]
        usable = [b for b, r in zip(backend.backends, reasons, strict=True) if r is None]
        if not usable:
            return reasons[0] if reasons else keyring_sentence(_no_keyring())
        return None
    if isinstance(backend, fail.Keyring):
        return keyring_sentence(_no_keyring())
    name = backend_name(backend)
    if name.startswith("keyrings.alt.") or "plaintext" in name.lower():
        return (
            f"The keyring backend {name} keeps secrets in a plain file; lwadmin-tui will not "
            "use it."
        )
    try:
        priority = float(backend.priority)
    except Exception:  # a backend that cannot say is not trusted
        priority = 0.0
    if priority < 1:
        return f"The keyring backend {name} is not a secure store; lwadmin-tui will not use it."
    return None


def _no_keyring() -> BaseException:
    from keyring.errors import NoKeyringError

    return NoKeyringError()


def check_key(secret: str, source: str) -> ApiKey:
    """Refuse what cannot be an organization key before any request, naming only the source."""
    if not _TOKEN_CHARS.fullmatch(secret):
        raise ConfigError(
            f"The key from {source} contains spaces or control characters; it cannot be an "
            "API key. Check for a pasted line break or quote."
        )
    if PROJECT_KEY.fullmatch(secret):
        raise ConfigError(PROJECT_KEY_MESSAGE.format(source=source))
    return ApiKey(secret)


def read_key_file(path: Path) -> str:
    """The first non-empty line of a private key file."""
    check_private(path, "key file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the key file {path}: {type(error).__name__}.") from None
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    raise ConfigError(f"The key file {path} is empty.")


def resolve_credential(
    *,
    profile: str,
    key_file: Path | None,
    use_keyring: bool,
    keyring_entry: str,
    store: KeyringStore,
    prompt: Callable[[str], str] | None,
    env: Mapping[str, str] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Credential:
    """Walk the chain; the first source with a key wins.

    `prompt` is None when there is no terminal. `on_notice` receives the one-sentence keyring
    problems as they happen (the caller prints them on stderr before the app starts).
    Raises ConfigError for a source that is given but broken, NoCredential when none answered.
    """
    env = os.environ if env is None else env
    missing = NoCredential(profile)
    for name in ENV_NAMES:
        value = env.get(name, "").strip()
        if value:
            return Credential(check_key(value, name), name)
        missing.attempts.append(Attempt(name, "not set"))

    if key_file is not None:
        source = f"key file {key_file}"
        return Credential(check_key(read_key_file(key_file), source), source)
    missing.attempts.append(
        Attempt("key file", "none given (--api-key-file, LWADMIN_API_KEY_FILE)")
    )

    keyring_source = f"keyring entry {keyring_entry!r} (service {SERVICE})"
    if not use_keyring:
        missing.attempts.append(Attempt("system keyring", "skipped (--no-keyring)"))
    else:
        try:
            stored = store.get(keyring_entry)
        except KeyringUnavailable as problem:
            if on_notice:
                on_notice(str(problem))
            missing.attempts.append(Attempt("system keyring", str(problem)))
        else:
            if stored and stored.strip():
                return Credential(check_key(stored.strip(), keyring_source), keyring_source)
            missing.attempts.append(Attempt("system keyring", f"no {keyring_source}"))

    if prompt is None:
        missing.attempts.append(Attempt("prompt", "no terminal to ask on"))
        raise missing
    try:
        typed = prompt(
            f"API key for profile {profile!r} (input hidden; used once, not stored): "
        ).strip()
    except EOFError:
        typed = ""
    if typed:
        return Credential(check_key(typed, "the prompt"), "the prompt")
    missing.attempts.append(Attempt("prompt", "nothing was entered"))
    raise missing


def resolve_for_settings(
    settings: Settings,
    store: KeyringStore,
    *,
    prompt: Callable[[str], str] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Credential:
    """`resolve_credential` with the sources the settings name (profile, key file, keyring)."""
    return resolve_credential(
        profile=settings.profile,
        key_file=settings.api_key_file,
        use_keyring=settings.keyring,
        keyring_entry=settings.keyring_username,
        store=store,
        prompt=prompt,
        on_notice=on_notice,
    )
