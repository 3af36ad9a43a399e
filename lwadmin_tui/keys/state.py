"""The keys screen's state in plain Python: the list, marks, filters, sort, range and results.

Widgets render this; they never hold state of their own. Marks survive filter and sort changes
and reloads (for keys still listed), so an admin can build a selection across several filters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.api.scopes import ScopeDirectory
from lwadmin_tui.clock import utc_now
from lwadmin_tui.keys.filters import FilterContext, KeyFilter, QuickFilters, TextFilter, search_text
from lwadmin_tui.keys.owners import Named, owner_search_parts
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.keys.sorting import SortSpec, sort_keys
from lwadmin_tui.outcomes import OutcomeKind, Result, RevokeOutcome


@dataclass
class KeysState:
    keys: dict[str, ApiKeyInfo] = field(default_factory=dict)
    """Every listed key by id, in the server's order (newest first)."""
    marked: set[str] = field(default_factory=set)
    filter_text: str = ""
    quick: QuickFilters = field(default_factory=QuickFilters)
    sort: SortSpec = field(default_factory=SortSpec)
    range_anchor: str | None = None
    """The key where `v` started a range; the range ends at the cursor."""
    results: dict[str, Result] = field(default_factory=dict)
    """The last batch's outcome per key id, or its progress text while it is in flight."""
    scopes: ScopeDirectory = field(default_factory=ScopeDirectory)
    """Project and team names by id, for the scope filter and the details (read once)."""
    details: dict[str, ApiKeyDetail] = field(default_factory=dict)
    """Details fetched on request (each fetch is an audit-log entry on the server): kept."""
    owners: dict[str, Ownership] = field(default_factory=dict)
    """Type, owner and access by key id, from detail reads (`o`, `g`) and the owner cache."""
    flags: dict[str, str] = field(default_factory=dict)
    """A word for a key's Result cell until it has a result (a plan's "drifted: …")."""
    gone: set[str] = field(default_factory=set)
    """Listed keys a detail read found gone (404, no longer listed): until the next list."""
    unlisted: set[str] = field(default_factory=set)
    """Rows kept with their result though the server no longer lists them (not in the last
    list, or revoked by a roll since): until `r`."""
    people: Mapping[str, Named] = field(default_factory=dict)
    """Names and emails by user id, from the team and organization member lists."""
    clock: Callable[[], datetime] = utc_now
    repeated_ids: int = 0
    """How many key ids the last list held more than once (each is kept once: its last entry)."""
    surplus_entries: int = 0
    """How many entries of the last list were such repeats (21 entries for 20 ids: 1)."""
    _search_texts: dict[str, str] | None = field(default=None, repr=False)
    """`search_text` of every key, built when the filter box gets focus (or at the first text
    filter) after a load."""
    _known: int | None = field(default=None, repr=False)
    _unnamed: int | None = field(default=None, repr=False)
    marked_by_owner: bool = False
    """Some marks were made while an owner-dependent filter showed an incomplete picture: the
    confirmation says so even after that filter is cleared."""
    owners_version: int = 0
    """Counts the changes to `owners`, so the cache is written only after one."""

    @property
    def scope_names(self) -> dict[str, str]:
        return self.scopes.names

    def load(self, keys: Iterable[ApiKeyInfo]) -> None:
        """Replace the list; marks of keys no longer listed and old results are dropped.

        An id the server lists twice is one key here; the repeats are counted so the screen
        can say why there are fewer keys than entries.
        """
        listed = keys if isinstance(keys, Sequence) else list(keys)
        self.keys = {key.id: key for key in listed}
        self.surplus_entries = len(listed) - len(self.keys)
        self.repeated_ids = 0
        if self.surplus_entries:  # rare: counted only then, not for every list of 100,000
            self.repeated_ids = sum(1 for n in Counter(k.id for k in listed).values() if n > 1)
        self._search_texts = None
        self._known = self._unnamed = None
        self.marked &= self.keys.keys()
        self.gone &= self.keys.keys()
        self.unlisted = set()
        self.flags = {k: v for k, v in self.flags.items() if k in self.keys}
        self.results.clear()
        if self.range_anchor not in self.keys:
            self.range_anchor = None

    def load_keeping_results(self, keys: Iterable[ApiKeyInfo], also: Iterable[str] = ()) -> None:
        """A list read after this session's own change (a roll, a new key): new keys join, and
        the rows with a result, and those of `also`, stay as they are, listed or not, until `r`."""
        listed = keys if isinstance(keys, Sequence) else list(keys)
        listed_ids = {key.id for key in listed}
        stay = [
            self.keys[key_id]
            for key_id in self.results.keys() | set(also)
            if key_id in self.keys and key_id not in listed_ids
        ]
        results = dict(self.results)
        self.load([*listed, *stay])
        self.results.update(results)
        self.unlisted = {key.id for key in stay}

    @property
    def listed_count(self) -> int:
        return len(self.keys) - len(self.unlisted)

    def is_active(self, key_id: str) -> bool:
        """Listed by the last list read, and not revoked or found gone since."""
        if key_id not in self.keys or key_id in self.unlisted or key_id in self.gone:
            return False
        result = self.results.get(key_id)
        if isinstance(result, RevokeOutcome):
            return not (result.done or result.kind is OutcomeKind.NOT_FOUND)
        return True

    def active_keys(self) -> dict[str, ApiKeyInfo]:
        return {key_id: key for key_id, key in self.keys.items() if self.is_active(key_id)}

    # --- owners --------------------------------------------------------------------------

    def add_owners(self, owners: Mapping[str, Ownership]) -> None:
        """Detail reads arrived: the text filter searches their owners from now on."""
        if not owners:
            return
        self.owners.update(owners)
        self.owners_version += 1
        self._known = self._unnamed = None
        texts = self._search_texts
        if texts is None:
            return
        # Only the keys that arrived: rebuilding all 10,000 search texts on every 50 ms flush
        # of the reads cost 18 ms under a text filter (benchmarks/OWNERS.md), this 3 ms.
        for key_id, ownership in owners.items():
            key = self.keys.get(key_id)
            if key is not None:
                texts[key_id] = search_text(key, owner_search_parts(ownership, self.people))

    def set_people(self, people: Mapping[str, Named]) -> None:
        self.people = people
        self._search_texts = None
        self._unnamed = None

    @property
    def owners_known(self) -> int:
        """How many listed keys have a known type and owner (O(keys) once per change)."""
        if self._known is None:
            owners = self.owners
            self._known = sum(1 for key_id in self.keys if key_id in owners)
        return self._known

    def unknown_owner_ids(self) -> list[str]:
        """Listed keys whose details were never read, in list order."""
        return [key_id for key_id in self.keys if key_id not in self.owners]

    @property
    def unnamed_owners(self) -> int:
        """Owners of listed keys that the member lists do not name: the text filter cannot find
        their keys by name."""
        if self._unnamed is None:
            owners, people = self.owners, self.people
            ids = {o.owner_id for k in self.keys if (o := owners.get(k)) and o.owner_id}
            self._unnamed = sum(1 for user_id in ids if user_id not in people)
        return self._unnamed

    @property
    def owners_incomplete(self) -> bool:
        """An owner-dependent filter is on while some listed keys' owners are not known."""
        depends = self.quick.needs_owners or bool(self.filter_text.strip())
        return depends and self.owners_known < len(self.keys)

    # --- filtering and order -------------------------------------------------------------

    def rules(self) -> list[KeyFilter]:
        text = TextFilter(self.filter_text)
        return ([text] if text.wanted else []) + self.quick.rules()

    @property
    def filtered(self) -> bool:
        return bool(self.filter_text.strip()) or self.quick.active

    def search_texts(self) -> dict[str, str]:
        """Each key's `search_text`, built once per list (100,000 keys: about 0.1 s)."""
        if self._search_texts is None:
            owners, people = self.owners, self.people
            self._search_texts = {
                key_id: search_text(k, owner_search_parts(owners.get(key_id), people))
                for key_id, k in self.keys.items()
            }
        return self._search_texts

    def context(self) -> FilterContext:
        if not self.filter_text.strip():
            return FilterContext(self.clock(), self.scope_names, owners=self.owners)
        return FilterContext(self.clock(), self.scope_names, self.search_texts(), self.owners)

    def matches(self, key: ApiKeyInfo, ctx: FilterContext | None = None) -> bool:
        ctx = ctx or self.context()
        return all(rule.matches(key, ctx) for rule in self.rules())

    def visible(self) -> list[ApiKeyInfo]:
        """The keys the filters let through, in the chosen order."""
        ctx = self.context()
        rules = self.rules()
        shown = list(self.keys.values())
        for rule in rules:  # each rule narrows what the next one looks at
            shown = [k for k in shown if rule.matches(k, ctx)]
        return sort_keys(shown, self.sort, now=ctx.now, marked=self.marked, results=self.results)

    def clear_filters(self) -> None:
        self.filter_text = ""
        self.quick = QuickFilters()

    # --- marks ---------------------------------------------------------------------------

    def _marking(self) -> None:
        if self.owners_incomplete:
            self.marked_by_owner = True

    def toggle(self, key_id: str) -> None:
        if key_id in self.marked:
            self.marked.discard(key_id)
        elif key_id in self.keys:
            self._marking()
            self.marked.add(key_id)

    def mark(self, key_ids: Iterable[str]) -> None:
        self._marking()
        self.marked.update(k for k in key_ids if k in self.keys)

    def mark_all_visible(self) -> None:
        self._marking()
        self.marked.update(key.id for key in self.visible())

    def invert_shown(self, shown_ids: Iterable[str]) -> None:
        """Flip the marks of the shown keys; marks the filters hide stay as they are."""
        self._marking()
        for key_id in shown_ids:
            self.toggle(key_id)

    def mark_range(self, shown_ids: Sequence[str], cursor: str) -> list[str]:
        """Mark every shown key from the range anchor to `cursor`, both included; end the range.

        Returns the ids it marked. An anchor hidden since `v` was pressed marks only `cursor`.
        """
        anchor, self.range_anchor = self.range_anchor, None
        ids = list(shown_ids)
        if cursor not in ids:
            return []
        end = ids.index(cursor)
        start = ids.index(anchor) if anchor in ids else end
        chosen = ids[min(start, end) : max(start, end) + 1]
        self.mark(chosen)
        return chosen

    def clear_marks(self) -> None:
        self.marked.clear()
        self.marked_by_owner = False

    def marked_keys(self) -> list[ApiKeyInfo]:
        """Marked keys in list order, including those the filter hides."""
        return [key for key in self.keys.values() if key.id in self.marked]

    def hidden_ids(self, keys: Iterable[ApiKeyInfo]) -> set[str]:
        """Ids of `keys` the filters hide, with one context and one rule list for all of them.

        `matches` builds both per key: for 100,000 marked keys under a text filter that took
        0.4-0.5 s (0.3 s with one context passed in), this 0.1 s (the 2-core benchmark machine).
        """
        if not self.filtered:
            return set()
        ctx, rules = self.context(), self.rules()
        return {key.id for key in keys if not all(rule.matches(key, ctx) for rule in rules)}

    def hidden_marked_count(self) -> int:
        """O(marked), not O(keys): the status line asks after every result of a batch."""
        if not self.filtered or not self.marked:
            return 0
        ctx = self.context()
        marked = (self.keys[key_id] for key_id in self.marked if key_id in self.keys)
        return sum(1 for key in marked if not self.matches(key, ctx))
