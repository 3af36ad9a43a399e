"""Owners in words: the table's Owner and Type cells, the text the `/` filter searches for an
owner, and the owner picker's choices (every owner with their key count, sorted by name).

Names come from the people directory (team and organization members); where none is known, a
short form of the user id stands in, and the details show the whole id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.api.people import short_user_id
from lwadmin_tui.keys.filters import UNKNOWN_OWNER
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.text import safe_text

UNKNOWN = "?"


class Named(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def email(self) -> str | None: ...


def person_name(user_id: str, people: Mapping[str, Named], limit: int = 40) -> str:
    """The person's name, else their email, else the short id."""
    person = people.get(user_id)
    for text in (person.name, person.email) if person is not None else ():
        if text and (shown := safe_text(text, limit)):
            return shown
    return short_user_id(user_id)


def owner_cell(ownership: Ownership | None, people: Mapping[str, Named]) -> str:
    """The Owner column: a name, else a short id; `service` for service keys; `?` not known."""
    if ownership is None:
        return UNKNOWN
    if ownership.is_service or ownership.owner_id is None:
        return "service"
    return person_name(ownership.owner_id, people)


def type_cell(ownership: Ownership | None) -> str:
    return UNKNOWN if ownership is None else safe_text(ownership.key_type, 12)


def owner_search_parts(ownership: Ownership | None, people: Mapping[str, Named]) -> tuple[str, ...]:
    """What the `/` filter also searches once the owner is known: name, email, user id."""
    if ownership is None or ownership.owner_id is None:
        return ()
    person = people.get(ownership.owner_id)
    if person is None:
        return (ownership.owner_id,)
    return (person.name or "", person.email or "", ownership.owner_id)


@dataclass(frozen=True)
class OwnerChoice:
    """One line of the owner picker: `owner` is a user id, or `UNKNOWN_OWNER`."""

    owner: str
    label: str
    count: int


def owner_choices(
    keys: Iterable[ApiKeyInfo], owners: Mapping[str, Ownership], people: Mapping[str, Named]
) -> list[OwnerChoice]:
    """Every owner of the listed keys with their key count, by name; then the unknown ones."""
    counts: Counter[str] = Counter()
    unknown = 0
    for key in keys:
        ownership = owners.get(key.id)
        if ownership is None:
            unknown += 1
        elif ownership.owner_id is not None:
            counts[ownership.owner_id] += 1
    choices = [OwnerChoice(uid, person_name(uid, people), n) for uid, n in counts.items()]
    choices.sort(key=lambda c: (c.label.casefold(), c.owner))
    if unknown:
        choices.append(OwnerChoice(UNKNOWN_OWNER, "unknown owner", unknown))
    return choices


def coverage_phrase(known: int, total: int) -> str:
    """The filter line's words when a filter depends on owners that are not all known."""
    return f"owners known for {known} of {total} — press o"


def coverage_note(known: int, total: int) -> str:
    """The confirmation's words for the same: a selection by owner may be incomplete."""
    unknown = total - known
    which = "1 listed key has" if unknown == 1 else f"{unknown} listed keys have"
    return (
        f"Owners are known for {known} of {total} keys: {which} no known owner and cannot match "
        "an owner, type or text filter on owners (o reads them)."
    )
