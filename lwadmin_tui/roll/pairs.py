"""The rolled pairs kept in the audit log (old id → new id), for the cutover view and the rows
that say "rolled → new name" until the old key is revoked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from lwadmin_tui.audit.log import safe
from lwadmin_tui.roll.outcomes import RollKind
from lwadmin_tui.roll.records import LEFT, PAIR
from lwadmin_tui.text import safe_text


@dataclass(frozen=True)
class RolledPair:
    old_id: str
    old_name: str
    new_id: str
    new_name: str
    time: str
    """When the pair was recorded (the secret delivered), ISO-8601 UTC."""


@dataclass(frozen=True)
class Unfinished:
    """A new key a stopped roll (or create) made, with no record that its secret reached
    anyone or that it was revoked: it may be valid with a token nobody has."""

    new_id: str
    new_name: str
    time: str
    not_ids: frozenset[str] = frozenset()
    """When only the name is known: keys of that name that are not it (the key it was to
    replace, and every key this tool made and recorded)."""


@dataclass(frozen=True)
class RollHistory:
    pairs: list[RolledPair]
    unfinished: list[Unfinished]


def roll_history(records: Iterable[dict[str, Any]], host: str, profile: str) -> RollHistory:
    """The pairs and the unfinished new keys of this host and profile, newest first."""
    mine = [r for r in records if r.get("host") == host and r.get("profile") == profile]
    return RollHistory(rolled_pairs(mine, host, profile), _unfinished(mine))


def recorded_name(name: str) -> str:
    """A key's name as its records keep it (made safe, then cut as they are read back)."""
    return safe_text(safe(name), 100)


def _unfinished(records: list[dict[str, Any]]) -> list[Unfinished]:
    """New keys made without their secret known to be delivered or the key revoked, and creates
    whose new key was never known (`new_id` empty: only the name is): a lost answer whose key
    was not found, or a stop before the answer."""
    made: dict[str, Unfinished] = {}
    settled: set[str] = set()
    asked: dict[tuple[str, str], Unfinished] = {}
    answered: set[tuple[str, str]] = set()
    for record in records:
        event, new_id = record.get("event"), record.get("new_id")
        step = (str(record.get("roll", "")), str(record.get("old_id", "")))
        if event in ("roll_intent", "create_intent"):
            name = safe_text(record.get("new_name", ""), 100)
            asked[step] = Unfinished("", name, str(record.get("time", "")))
        elif event in ("roll_created", "created"):
            answered.add(step)
        elif event in ("create_failed", "roll_outcome") and not _left_unknown(record):
            answered.add(step)  # nothing made, or the key made is named by its id
        if not isinstance(new_id, str):
            continue
        if event in ("roll_created", "created"):
            name = safe_text(record.get("new_name", ""), 100)
            made[new_id] = Unfinished(new_id, name, str(record.get("time", "")))
        elif event in ("roll_cleanup_intent", LEFT, "roll_outcome") and new_id not in made:
            if event == "roll_outcome" and record.get("kind") != RollKind.NEW_LEFT.value:
                continue
            # A lost create's key found (its cleanup may fail), a lookalike left for the admin,
            # or a key left whose making was never recorded.
            name = safe_text(record.get("new_name", ""), 100)
            made[new_id] = Unfinished(new_id, name, str(record.get("time", "")))
        elif event in (PAIR, "token_shown") or _settles(record):
            settled.add(new_id)
    ours = frozenset(made)
    unanswered = [
        replace(u, not_ids=ours | {step[1]}) for step, u in asked.items() if step not in answered
    ]
    return [u for new_id, u in reversed(made.items()) if new_id not in settled] + unanswered[::-1]


def _settles(record: dict[str, Any]) -> bool:
    """A cleanup that revoked the key, or a roll's outcome saying it was delivered or revoked."""
    if record.get("event") == "roll_cleanup":
        return record.get("revoked") is True
    delivered = (RollKind.ROLLED.value, RollKind.ROLLED_REVOKED.value, RollKind.NEW_REVOKED.value)
    return record.get("event") == "roll_outcome" and record.get("kind") in delivered


def _left_unknown(record: dict[str, Any]) -> bool:
    """A roll's "new key left" with no id: a key may exist that only its name can find."""
    return record.get("event") == "roll_outcome" and (
        record.get("kind") == RollKind.NEW_LEFT.value and not record.get("new_id")
    )


def rolled_pairs(records: Iterable[dict[str, Any]], host: str, profile: str) -> list[RolledPair]:
    """Every pair recorded for this host and profile, newest first. A pair counts only when the
    same roll recorded making that new key for that old key (`roll_created`): a pair record
    alone, or one naming the old key as its own new key, could make the cutover revoke a key in
    use. An old key rolled twice keeps both pairs."""
    made: set[tuple[object, object, object]] = set()
    found: dict[tuple[str, str], RolledPair] = {}
    for record in records:
        if record.get("host") != host or record.get("profile") != profile:
            continue
        old_id, new_id = record.get("old_id"), record.get("new_id")
        if not isinstance(old_id, str) or not isinstance(new_id, str) or old_id == new_id:
            continue
        step = (record.get("roll"), old_id, new_id)
        if record.get("event") == "roll_created":
            made.add(step)
        elif record.get("event") == PAIR and step in made:
            found.pop((old_id, new_id), None)  # re-inserted last: the newest sorts last
            found[(old_id, new_id)] = RolledPair(
                old_id,
                safe_text(record.get("old_name", ""), 100),
                new_id,
                safe_text(record.get("new_name", ""), 100),
                str(record.get("time", "")),
            )
    return list(reversed(found.values()))
