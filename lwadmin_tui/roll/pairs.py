"""The rolled pairs kept in the audit log (old id → new id), for the cutover view and the rows
that say "rolled → new name" until the old key is revoked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lwadmin_tui.roll.records import PAIR
from lwadmin_tui.text import safe_text


@dataclass(frozen=True)
class RolledPair:
    old_id: str
    old_name: str
    new_id: str
    new_name: str
    time: str
    """When the pair was recorded (the secret delivered), ISO-8601 UTC."""


def rolled_pairs(records: Iterable[dict[str, Any]], host: str, profile: str) -> list[RolledPair]:
    """Every pair recorded for this host and profile, newest first; an old key rolled twice
    keeps its latest pair."""
    found: dict[str, RolledPair] = {}
    for record in records:
        if record.get("event") != PAIR or record.get("host") != host:
            continue
        if record.get("profile") != profile:
            continue
        old_id, new_id = record.get("old_id"), record.get("new_id")
        if not isinstance(old_id, str) or not isinstance(new_id, str):
            continue
        found.pop(old_id, None)  # re-inserted last: newest wins, and sorts last
        found[old_id] = RolledPair(
            old_id,
            safe_text(record.get("old_name", ""), 100),
            new_id,
            safe_text(record.get("new_name", ""), 100),
            str(record.get("time", "")),
        )
    return list(reversed(found.values()))
