"""The words of a roll on screen: what a replacement keeps (the dialog), a row's result, a few
names and a path cut to fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import scope_summary
from lwadmin_tui.keys.owners import person_name
from lwadmin_tui.roll.outcomes import RollKind, RollOutcome
from lwadmin_tui.text import safe_text

if TYPE_CHECKING:
    from lwadmin_tui.keys.state import KeysState


def kept_words(key: ApiKeyInfo, state: KeysState) -> str:
    """What `key`'s replacement keeps, from what the table knows: its type and owner once read
    (`o`), its bindings by scope name, its access as read."""
    owned = state.owners.get(key.id)
    if owned is None:
        who = "its type and owner"
    elif owned.is_service or owned.owner_id is None:
        who = "service key"
    else:
        who = f"personal, {person_name(owned.owner_id, state.people, 24)}"
    access = f", {owned.access} access" if owned is not None and owned.access != "?" else ""
    return f"{who}; {scope_summary(key.role_bindings, state.scope_names) or 'no binding'}{access}"


def names_of(keys: list[ApiKeyInfo], shown: int = 3) -> str:
    names = ", ".join(safe_text(key.name, 30) for key in keys[:shown])
    return names + (f" and {len(keys) - shown} more" if len(keys) > shown else "")


def short_path(path: object, room: int = 44) -> str:
    """A path's end, which says the most, when the whole does not fit the dialog's line."""
    text = safe_text(path, 300)
    return text if len(text) <= room else "…" + text[-(room - 1) :]


def row_word(outcome: RollOutcome) -> str:
    if outcome.kind is RollKind.ROLLED:
        new = safe_text(outcome.new_id or "", 24)
        return "rolled → new key " + new if not outcome.message else f"rolled; {outcome.message}"
    if outcome.kind is RollKind.ROLLED_REVOKED:
        return "rolled, old key revoked"
    return f"{outcome.kind.value}: {outcome.message}" if outcome.message else outcome.kind.value
