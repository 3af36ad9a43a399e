"""Plain-text cells of the keys table: dates, relative times, scopes, status.

Pure functions of a key and a clock (no textual import), so the table, the dialog, snapshots and
tests all show the same words. Server strings always go through `safe_text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def binding_summary(binding: RoleBinding, names: Mapping[str, str] | None = None) -> str:
    """`ADMIN@org`, `MEMBER@fleet-telemetry` (the project or team by name), else the kind."""
    scope = SCOPE_ABBREVIATIONS.get(str(binding.scope_type), str(binding.scope_type).lower())
    if binding.scope_type != "ORGANIZATION" and names and (name := names.get(binding.scope_id)):
        scope = name
    return safe_text(f"{binding.role}@{scope}", 60)


def scope_summary(bindings: Iterable[RoleBinding], names: Mapping[str, str] | None = None) -> str:
    """`ADMIN@org`, or `MEMBER@vision-evals +2` when a key has several bindings."""
    parts = [binding_summary(b, names) for b in bindings]
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else f"{parts[0]} +{len(parts) - 1}"


def key_name(key: ApiKeyInfo, max_length: int = NAME_MAX_LENGTH) -> str:
    return safe_text(key.name, max_length) or "(unnamed)"


def full_moment(moment: datetime | None, now: datetime, never: str = "never") -> str:
    """`2026-08-20 14:03 UTC (2d ago)`: the details view's absolute-and-relative time."""
    if moment is None:
        return never
    return f"{moment.strftime('%Y-%m-%d %H:%M')} UTC ({relative(moment, now)})"


def binding_line(binding: RoleBinding, scope_name: str | None, team_name: str | None = None) -> str:
    """`MEMBER on project "vision-evals" (team perception)`, or the id when no name is known."""
    role = safe_text(binding.role, 20)
    kind = str(binding.scope_type)
    if kind == "ORGANIZATION":
        return f"{role} on the whole organization"
    where = SCOPE_ABBREVIATIONS.get(kind, safe_text(kind.lower(), 20))
    if scope_name is None:
        return f"{role} on {where} id {safe_text(binding.scope_id, 40)} (name unavailable)"
    line = f'{role} on {where} "{safe_text(scope_name, 60)}"'
    return f"{line} (team {safe_text(team_name, 40)})" if team_name else line
