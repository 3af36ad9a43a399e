"""Which credential source would answer, said without the key (for `auth status` and `doctor`)."""

from __future__ import annotations

from dataclasses import dataclass

from lwadmin_tui.settings.config import Settings
from lwadmin_tui.settings.credentials import (
    Credential,
    KeyringStore,
    NoCredential,
    resolve_for_settings,
)


@dataclass(frozen=True)
class CredentialReport:
    credential: Credential | None
    lines: list[str]


def report_credential(settings: Settings, store: KeyringStore) -> CredentialReport:
    """Walk the chain without prompting; describe the winner by source and last 4 characters."""
    try:
        credential = resolve_for_settings(settings, store)
    except NoCredential as missing:
        lines = ["none found; tried:"]
        lines += [f"  {a.source}: {a.outcome}" for a in missing.attempts]
        lines.append("  (the app itself would also ask with a hidden prompt in a terminal)")
        return CredentialReport(None, lines)
    return CredentialReport(credential, [f"{credential.source} (key …{credential.key.last4})"])
