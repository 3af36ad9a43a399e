"""Plain-text cells of the keys table: dates, relative times, scopes, status.

Pure functions of a key and a clock (no textual import), so the table, the dialog, snapshots and
tests all show the same words. Server strings always go through `safe_text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lwadmin_tui.api.models import ApiKeyInfo, RoleBinding
from lwadmin_tui.text import safe_text

NAME_MAX_LENGTH = 80
SCOPE_ABBREVIATIONS = {"ORGANIZATION": "org", "TEAM": "team", "PROJECT": "project"}


def is_expired(key: ApiKeyInfo, now: datetime) -> bool:
    return key.expires_at is not None and key.expires_at <= now


def status_word(key: ApiKeyInfo, now: datetime) -> str:
    return "expired" if is_expired(key, now) else "active"


def short_date(moment: datetime | None, never: str = "never") -> str:
    return never if moment is None else moment.strftime("%Y-%m-%d")


def relative(moment: datetime | None, now: datetime, never: str = "never") -> str:
    """`3d ago`, `in 5d`, `just now`: compact enough for a narrow column."""
    if moment is None:
        return never
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for unit, size in (("y", 365 * 86400), ("mo", 30 * 86400), ("d", 86400), ("h", 3600)):
        if seconds >= size:
            amount = f"{int(seconds // size)}{unit}"
            break
    else:
        amount = f"{int(seconds // 60)}m"
    return f"in {amount}" if future else f"{amount} ago"


def binding_summary(binding: RoleBinding) -> str:
    scope = SCOPE_ABBREVIATIONS.get(str(binding.scope_type), str(binding.scope_type).lower())
    return safe_text(f"{binding.role}@{scope}", 40)


def scope_summary(bindings: Iterable[RoleBinding]) -> str:
    """`ADMIN@org`, or `MEMBER@project +2` when a key has several bindings."""
    parts = [binding_summary(b) for b in bindings]
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else f"{parts[0]} +{len(parts) - 1}"


def key_name(key: ApiKeyInfo, max_length: int = NAME_MAX_LENGTH) -> str:
    return safe_text(key.name, max_length) or "(unnamed)"
