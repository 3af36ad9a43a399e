"""Which keys a runbook command acts on: the TUI's filters as command-line flags.

Every rule is the TUI's own (`keys/filters.py`, applied by `KeysState`): the flags only build the
same `QuickFilters` and text filter, so a runbook and the table always agree on the same keys.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.filters import QuickFilters, parse_day, parse_days
from lwadmin_tui.keys.owners import Named
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.keys.state import KeysState


class SelectionError(ValueError):
    """A filter flag with a value the rules cannot take; the message says which and why."""


@dataclass(frozen=True)
class Selection:
    text: str = ""
    quick: QuickFilters = field(default_factory=QuickFilters)
    owner: str | None = None
    """As given: a user id, a name or an email, resolved against the people known."""

    @property
    def needs_owners(self) -> bool:
        return bool(self.owner or self.quick.key_type or self.text.strip())


def selection_from(args: argparse.Namespace) -> Selection:
    try:
        quick = QuickFilters(
            expired=bool(args.expired),
            never_used=bool(args.never_used),
            unused_days=parse_days(args.unused_days or ""),
            created_before=parse_day(args.created_before or ""),
            role=args.role,
            scope_type=args.scope_type.upper() if args.scope_type else None,
            scope=(args.scope or "").strip() or None,
            key_type=args.key_type,
        )
    except ValueError as error:
        raise SelectionError(str(error)) from None
    owner = (args.owner or "").strip() or None
    return Selection(text=args.text or "", quick=quick, owner=owner)


def resolve_owner(wanted: str, people: Mapping[str, Named]) -> tuple[str, str]:
    """(user id, label) for `--owner`: an exact id, else a name or email (case-insensitive)."""
    if wanted in people:
        person = people[wanted]
        return wanted, person.name or person.email or wanted
    folded = wanted.casefold()
    matches = [
        (user_id, person.name or person.email or user_id)
        for user_id, person in people.items()
        if folded in ((person.name or "").casefold(), (person.email or "").casefold())
    ]
    if len(matches) > 1:
        raise SelectionError(f"--owner {wanted!r} names {len(matches)} people: give the user id")
    return matches[0] if matches else (wanted, wanted)


@dataclass
class Selected:
    keys: list[ApiKeyInfo]
    """The matching keys, newest first (the server's order)."""
    rules: list[str]
    """The filters in words, as the TUI's filter line says them."""
    owners_known: int
    listed: int
    owners_needed: bool

    @property
    def coverage(self) -> str:
        """Said when a filter needs owners and some are not known (never silently short)."""
        if not self.owners_needed or self.owners_known >= self.listed:
            return ""
        return (
            f"owners are known for {self.owners_known} of {self.listed} listed keys: keys of "
            "unknown owner match no owner, type or owner-text filter (o in the TUI reads them)"
        )


def select(
    keys: Iterable[ApiKeyInfo],
    selection: Selection,
    *,
    now: datetime,
    owners: Mapping[str, Ownership] | None = None,
    people: Mapping[str, Named] | None = None,
    scope_names: Mapping[str, str] | None = None,
) -> Selected:
    """The keys the TUI would show with these filters, in the server's order."""
    state = KeysState(clock=lambda: now)
    state.load(list(keys))
    state.add_owners(owners or {})
    state.set_people(people or {})
    if scope_names:
        state.scopes.names.update(scope_names)
    quick = selection.quick
    if selection.owner:
        owner_id, label = resolve_owner(selection.owner, people or {})
        quick = replace(quick, owner=owner_id, owner_label=label)
    state.filter_text = selection.text
    state.quick = quick
    return Selected(
        state.visible(),
        [rule.describe() for rule in state.rules()],
        state.owners_known,
        len(state.keys),
        selection.needs_owners,
    )
