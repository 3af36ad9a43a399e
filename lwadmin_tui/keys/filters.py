"""Which keys the table shows: the `/` text filter and the quick filters, as plain predicates.

Each filter is a small frozen dataclass with `matches` and `describe`, so the state combines them
(all must match), the filter bar says in words what is filtered, and tests check each rule alone.
No textual import: the same rules could serve a non-interactive command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Protocol

from lwadmin_tui.api.models import ApiKeyInfo, RoleBinding
from lwadmin_tui.keys.display import is_expired
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.text import safe_text

ROLES = ("ADMIN", "MEMBER", "VIEWER", "CUSTOM")
SCOPE_TYPES = ("ORGANIZATION", "TEAM", "PROJECT")
ORGANIZATION_NAME = "organization"


SEPARATOR = "\x00"  # never typed into the filter, so a match never spans two fields
NEGATION = "!"
UNKNOWN_OWNER = "?"
"""The owner filter's value for keys whose details were not read yet."""


def search_text(key: ApiKeyInfo, owner: Sequence[str] = ()) -> str:
    """What the `/` filter searches: name, description and id, and once known the owner's name,
    email and user id, casefolded, in one string."""
    return SEPARATOR.join((key.name, key.description or "", key.id, *owner)).casefold()


@dataclass(frozen=True)
class FilterContext:
    """What a rule needs beyond the key: the clock, project/team names by scope id, and
    (optional) each key's `search_text` by id, computed once per list rather than per keystroke.
    """

    now: datetime
    scope_names: Mapping[str, str] = field(default_factory=dict)
    search_texts: Mapping[str, str] = field(default_factory=dict)
    owners: Mapping[str, Ownership] = field(default_factory=dict)
    """What the detail reads said about each key (key id -> Ownership); absent: not known."""

    def scope_name(self, binding: RoleBinding) -> str | None:
        if binding.scope_type == "ORGANIZATION":
            return ORGANIZATION_NAME
        return self.scope_names.get(binding.scope_id)


class KeyFilter(Protocol):
    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class TextFilter:
    """Case-insensitive substring of the name, the description, the id or (once known) the
    owner's name, email or user id; a leading `!` keeps the keys without it instead."""

    needle: str

    @cached_property
    def negated(self) -> bool:
        return self.needle.strip().startswith(NEGATION)

    @cached_property
    def wanted(self) -> str:
        text = self.needle.strip()
        return (text[1:] if self.negated else text).strip().casefold()

    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        if not self.wanted:
            return True
        text = ctx.search_texts.get(key.id)
        return (self.wanted in (text if text is not None else search_text(key))) != self.negated

    def describe(self) -> str:
        shown = safe_text(self.wanted, 24)
        return f'text without "{shown}"' if self.negated else f'text "{shown}"'


@dataclass(frozen=True)
class ExpiredFilter:
    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        return is_expired(key, ctx.now)

    def describe(self) -> str:
        return "expired"


@dataclass(frozen=True)
class NeverUsedFilter:
    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        return key.last_used_at is None

    def describe(self) -> str:
        return "never used"


@dataclass(frozen=True)
class UnusedForFilter:
    """Stale keys: last used (or, never used, created) more than `days` days ago.

    A key created yesterday and never used is not stale; one created a year ago and never used is.
    """

    days: int

    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        reference = key.last_used_at or key.created_at
        return ctx.now - reference > timedelta(days=self.days)

    def describe(self) -> str:
        return f"unused > {self.days}d"


@dataclass(frozen=True)
class CreatedBeforeFilter:
    """Created before the start of `day` (UTC)."""

    day: date

    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        return key.created_at.date() < self.day

    def describe(self) -> str:
        return f"created < {self.day.isoformat()}"


@dataclass(frozen=True)
class BindingFilter:
    """One role binding must satisfy every given part: `ADMIN` + `ORGANIZATION` = org admins.

    `scope` matches the project or team name (or `organization`), or the scope id where the name
    is unknown, case-insensitively.
    """

    role: str | None = None
    scope_type: str | None = None
    scope: str | None = None

    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        return any(self._binding_matches(b, ctx) for b in key.role_bindings)

    def _binding_matches(self, binding: RoleBinding, ctx: FilterContext) -> bool:
        if self.role and binding.role != self.role:
            return False
        if self.scope_type and binding.scope_type != self.scope_type:
            return False
        if self.scope:
            needle = self.scope.strip().casefold()
            name = (ctx.scope_name(binding) or "").casefold()
            return needle in name or needle in binding.scope_id.casefold()
        return True

    def describe(self) -> str:
        text = f"role {self.role}" if self.role else "binding"
        if self.scope_type:
            text += f" on {self.scope_type.lower()}"
        if self.scope:
            text += f' "{safe_text(self.scope.strip(), 20)}"'
        return text


@dataclass(frozen=True)
class KeyTypeFilter:
    """Personal or service keys; a key whose details were not read matches neither."""

    key_type: str

    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        ownership = ctx.owners.get(key.id)
        return ownership is not None and ownership.key_type == self.key_type

    def describe(self) -> str:
        return f"{self.key_type} keys"


@dataclass(frozen=True)
class OwnerFilter:
    """The keys of one owner (user id), or `UNKNOWN_OWNER`: the keys whose owner is not known."""

    owner_id: str
    label: str = ""

    def matches(self, key: ApiKeyInfo, ctx: FilterContext) -> bool:
        ownership = ctx.owners.get(key.id)
        if self.owner_id == UNKNOWN_OWNER:
            return ownership is None
        return ownership is not None and ownership.owner_id == self.owner_id

    def describe(self) -> str:
        if self.owner_id == UNKNOWN_OWNER:
            return "owner unknown"
        return f"owner {safe_text(self.label or self.owner_id, 24)}"


@dataclass(frozen=True)
class QuickFilters:
    """The quick filters the admin set; empty fields are off. All active ones must match."""

    expired: bool = False
    never_used: bool = False
    unused_days: int | None = None
    created_before: date | None = None
    role: str | None = None
    scope_type: str | None = None
    scope: str | None = None
    key_type: str | None = None
    owner: str | None = None
    """An owner's user id, or `UNKNOWN_OWNER`."""
    owner_label: str = ""
    """The owner's name (or short id) for the filter line; set with `owner`."""

    def rules(self) -> list[KeyFilter]:
        rules: list[KeyFilter] = []
        if self.expired:
            rules.append(ExpiredFilter())
        if self.never_used:
            rules.append(NeverUsedFilter())
        if self.unused_days is not None:
            rules.append(UnusedForFilter(self.unused_days))
        if self.created_before is not None:
            rules.append(CreatedBeforeFilter(self.created_before))
        if self.role or self.scope_type or (self.scope and self.scope.strip()):
            rules.append(BindingFilter(self.role, self.scope_type, (self.scope or "").strip()))
        if self.key_type:
            rules.append(KeyTypeFilter(self.key_type))
        if self.owner:
            rules.append(OwnerFilter(self.owner, self.owner_label))
        return rules

    @property
    def needs_owners(self) -> bool:
        """True when the type or owner filter decides, which only the detail reads can tell."""
        return bool(self.key_type or self.owner)

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, False, "") for f in fields(self))


def parse_days(text: str) -> int | None:
    """`""` is off; otherwise a whole number of days from 0 to 36500 (ValueError says why)."""
    text = text.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > 36500:
        raise ValueError("days: a whole number, such as 90")
    return int(text)


def parse_day(text: str) -> date | None:
    """`""` is off; otherwise an ISO date `YYYY-MM-DD` (ValueError says why)."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("date: YYYY-MM-DD, such as 2026-01-31") from None
