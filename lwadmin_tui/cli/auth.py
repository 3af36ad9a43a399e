"""`lwadmin-tui auth set|status|delete`: the profile's key in the system keyring.

`set` asks with a hidden prompt (or reads one line from a pipe) and stores the key only in a real
secure keyring: where none exists it refuses and says why, never writing a plaintext file.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from lwadmin_tui.cli.credential_report import report_credential
from lwadmin_tui.settings.config import LoadedSettings
from lwadmin_tui.settings.credentials import (
    HEADLESS_KEYRING_HELP,
    SERVICE,
    KeyringStore,
    KeyringUnavailable,
    backend_name,
    check_key,
)
from lwadmin_tui.settings.errors import ConfigError


def run_auth(
    action: str,
    loaded: LoadedSettings,
    store: KeyringStore,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    settings = loaded.settings
    entry = settings.keyring_username
    if action == "status":
        report = report_credential(settings, store)
        print(f"profile: {settings.profile}", file=out)
        print(f"keyring: {store.describe()}", file=out)
        print(f"credential: {report.lines[0]}", file=out)
        for line in report.lines[1:]:
            print(line, file=out)
        return 0 if report.credential else 1
    try:
        backend = store.backend()
    except KeyringUnavailable as problem:
        raise ConfigError(unusable(problem, "stored" if action == "set" else "deleted")) from None
    where = f"{backend_name(backend)} as {SERVICE} / {entry}"
    if action == "delete":
        try:
            deleted = store.delete(entry)
        except KeyringUnavailable as problem:
            raise ConfigError(str(problem)) from None
        print(f"Deleted the key in {where}." if deleted else f"No key stored in {where}.", file=out)
        return 0
    secret = read_secret(stdin, f"API key for profile {settings.profile!r} (input hidden): ")
    if not secret:
        raise ConfigError("No key entered; nothing was stored.")
    key = check_key(secret, "the prompt")
    try:
        store.set(entry, key.reveal())
    except KeyringUnavailable as problem:
        raise ConfigError(unusable(problem, "stored")) from None
    print(f"Stored the key …{key.last4} in {where}.", file=out)
    return 0


def unusable(problem: KeyringUnavailable, verb: str) -> str:
    """Why nothing happened, and the ways that work on a headless host."""
    return (
        f"{problem} Nothing was {verb}. On a host without a desktop: {HEADLESS_KEYRING_HELP}. "
        "Or use LWADMIN_API_KEY or --api-key-file instead."
    )


def read_secret(stdin: TextIO, prompt: str) -> str:
    """Hidden prompt on a terminal; one line from a pipe (`pass show lw | lwadmin-tui auth set`)."""
    if stdin.isatty():
        try:
            return getpass.getpass(prompt, stream=sys.stderr).strip()
        except EOFError:
            return ""
    return stdin.readline().strip()
