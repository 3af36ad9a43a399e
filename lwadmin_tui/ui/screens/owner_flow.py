"""Whose keys they are: reading every key's details (`o`), the owner cache, the people directory
(owner names), the owner picker (`O`) and the key type filter.

A plain object the keys screen owns. The reads run on `bulk/detail_reads.py` in a worker; their
results reach the rows every 50 ms, as a batch's do. What never changes for a key (type, owner,
creator) is kept in the owner cache per host, so the next start shows it at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding

from lwadmin_tui.api.people import PeopleDirectory
from lwadmin_tui.bulk.detail_reads import DetailRead, DetailReads, ReadKind
from lwadmin_tui.keys.filters import UNKNOWN_OWNER
from lwadmin_tui.keys.owner_cache import load_owner_cache, owner_cache_path, save_owner_cache
from lwadmin_tui.keys.owners import OwnerChoice, coverage_phrase, owner_choices
from lwadmin_tui.keys.ownership import PERSONAL, SERVICE, Ownership
from lwadmin_tui.settings.files import os_reason
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import DetailsReadEnded, OwnersCached, PeopleLoaded

if TYPE_CHECKING:
    from lwadmin_tui.keys.state import KeysState
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

READS_GROUP = "details"
FLUSH_INTERVAL = 0.05
REBUILD_INTERVAL = 0.5
TICK_INTERVAL = 0.5
INLINE_CACHE_BYTES = 2 << 20
MANY_ROWS = 200
"""More changed rows than this repaint the table at once, not row by row."""
"""While reads arrive under an owner filter, the table is filtered again at most this often."""

OWNER_BINDINGS = [
    Binding(
        "o",
        "read_owners",
        "Owners",
        id="read_owners",
        tooltip="Read the type, owner and access of every listed key not yet known "
        "(asks first: the server records each read)",
    ),
    Binding(
        "O",
        "owner_filter",
        "Owner…",
        id="owner_filter",
        show=False,
        tooltip="Show the keys of one owner (starts on the owner of the key under the cursor)",
    ),
    Binding(
        "p",
        "cycle_key_type",
        "Type",
        id="filter_key_type",
        show=False,
        tooltip="Show personal keys only, then service keys only, then both",
    ),
]


class OwnerFlow:
    """Owned by `KeysScreen`; the screen's owner actions and messages call these methods."""

    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen
        self.reads: DetailReads | None = None
        self.unreadable: set[str] = set()
        """Listed keys whose details this credential may not read (404): `o` leaves them out."""
        self.people = PeopleDirectory()
        self.cache_problem = ""
        self._pending: list[DetailRead] = []
        self._flush_due = False
        self._last_rebuild = 0.0
        self._saved_version = 0
        self._seen = 0
        self._cache_loaded = False

    @property
    def app(self) -> LwAdminApp:
        return self.screen.lw_app

    @property
    def state(self) -> KeysState:
        return self.screen.state

    @property
    def running(self) -> bool:
        return self.reads is not None

    # --- the cache ----------------------------------------------------------------------------

    def load_cache(self) -> None:
        """Before the first rows are built, so they show the owners at once. A cache of up to
        `INLINE_CACHE_BYTES` (about 17,000 keys) is read right here: on a thread it competed
        with the start-up for the interpreter and delayed the first frame by 0.3 s at 10,000
        (benchmarks/OWNERS.md). A larger one is read on a thread and arrives a moment later."""
        if not self.app.session.owner_cache or self._cache_loaded:
            return
        self._cache_loaded = True
        host = self.app.host
        try:
            size = owner_cache_path(host).stat().st_size
        except OSError:
            size = 0  # missing (or odd: the loader says what it is)
        if size <= INLINE_CACHE_BYTES:
            found = load_owner_cache(host)
            self.cached(OwnersCached(found.owners, found.problem))
            return

        def read() -> None:
            found = load_owner_cache(host)
            self.screen.post_message(OwnersCached(found.owners, found.problem))

        self.screen.run_worker(read, thread=True, group="owner-cache", exit_on_error=False)

    def cached(self, message: OwnersCached) -> None:
        if message.problem:
            self.cache_problem = safe_text(message.problem, 300)
            if self.screen.loaded:  # else the list's "Loaded N keys." says it
                self.screen.say(self.load_note().strip())
        if not message.owners:
            return
        owners = self.state.owners  # at start, none: the cache's dict is taken as it is
        known = (
            {k: v for k, v in message.owners.items() if k not in owners}
            if owners
            else message.owners
        )
        self.state.add_owners(known)
        self._saved_version = self._seen = self.state.owners_version  # nothing new to write
        if self.screen.loaded:  # else the rows about to be built show them
            self.owners_changed(set(known))

    def load_note(self) -> str:
        """For the list's first message: why the owner cache was ignored, once."""
        note, self.cache_problem = self.cache_problem, ""
        return f" {note}" if note else ""

    def save_cache(self) -> None:
        """Everything known, written on a thread; a failure is said, never raised."""
        if not self.app.session.owner_cache or self.state.owners_version == self._saved_version:
            return
        self._saved_version = self.state.owners_version
        # Listed keys only: a revoked key never comes back, and the file stays the size of the
        # organization instead of growing with every key it ever had.
        listed, known = self.state.keys, self.state.owners
        owners, host = {k: v for k, v in known.items() if k in listed}, self.app.host

        def write() -> None:
            try:
                save_owner_cache(host, owners)
            except OSError as error:
                problem = f"The owner cache could not be written: {os_reason(error)}."
                self.screen.post_message(OwnersCached({}, problem))

        self.screen.run_worker(write, thread=True, group="owner-cache-write", exit_on_error=False)

    def after_details(self) -> None:
        """`g` in a key's details may have read an owner: its row and the cache follow."""
        if self.state.owners_version != self._seen:
            self.owners_changed(set(self.state.owners))
            self.save_cache()

    # --- owner names --------------------------------------------------------------------------

    def load_people(self, team_ids: list[str]) -> None:
        async def read() -> None:
            directory = await PeopleDirectory().load(self.app.client, team_ids)
            self.screen.post_message(PeopleLoaded(directory))

        # The function, not a coroutine made now: one the app quits before it starts would be
        # "never awaited", and Python says so on the terminal after the app has restored it.
        self.screen.run_worker(read, group="people", exclusive=True, exit_on_error=False)  # type: ignore[arg-type]

    def people_loaded(self, message: PeopleLoaded) -> None:
        self.people = message.directory
        self.state.set_people(message.directory.people)
        self.owners_changed(set(self.state.owners))

    # --- reading every key's details ----------------------------------------------------------

    def read_owners(self) -> None:
        screen = self.screen
        if self.running:
            screen.say("The details are being read already (x cancels).", passing=True)
            return
        if screen.batches.running or screen.batches.settling:
            screen.say("A revocation batch is running: read the details when it has ended.")
            return
        if not screen.loaded:
            return
        left_out = self.unreadable | self.state.gone
        unknown = [k for k in self.state.unknown_owner_ids() if k not in left_out]
        refresh = not unknown
        ids = unknown or [k for k in self.state.keys if k not in left_out]
        if not ids:
            if self.state.keys:
                screen.say(
                    f"No key left to read: {plural(len(left_out))} answered 404 (gone, or not "
                    "readable with this credential).",
                    passing=True,
                )
            else:
                screen.say("No key to read: the list is empty.", passing=True)
            return
        from lwadmin_tui.ui.screens.read_details_question import ReadDetailsQuestion

        question = ReadDetailsQuestion(
            len(ids),
            refresh=refresh,
            unreadable=len(self.unreadable & self.state.keys.keys()),
            guard_seconds=self.app.confirm_guard_seconds,
            clock=self.app.monotonic,
        )

        def answered(read: bool | None) -> None:
            busy = screen.busy()
            if read and busy:  # started from the palette while the question was open
                screen.say(f"No detail was read. {busy}")
            elif read:
                self.start(ids)
            else:
                screen.say("Cancelled: no detail was read.", passing=True)

        self.app.push_screen(question, answered)

    def start(self, key_ids: list[str]) -> None:
        app = self.app
        reads = self.reads = DetailReads(
            app.client, concurrency=app.concurrency, clock=app.clock, on_read=self.report
        )
        self.screen.refresh_bindings()
        self.screen.say(f"Reading the details of {plural(len(key_ids))}… (x cancels)")
        self._tick()
        self.screen.run_worker(
            partial(self._read, reads, key_ids),  # type: ignore[arg-type]
            group=READS_GROUP,
            exclusive=True,
            exit_on_error=False,
        )

    def _tick(self) -> None:
        """The progress follows waits too (a 429's Retry-After), not only arriving reads."""
        if self.reads is None or not self.screen.is_attached:
            return
        self.screen.refresh_status()
        asyncio.get_running_loop().call_later(TICK_INTERVAL, self._tick)

    async def _read(self, reads: DetailReads, key_ids: list[str]) -> None:
        try:
            await reads.run(key_ids)
        finally:
            self.flush()
        self.screen.post_message(DetailsReadEnded())

    def cancel(self) -> None:
        if self.reads is None:
            return
        self.reads.cancel()
        self.screen.say("Cancelling the reads: no new request is sent; those in flight finish.")

    def report(self, result: DetailRead) -> None:
        self._pending.append(result)
        if not self._flush_due:
            self._flush_due = True
            asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)

    def flush(self) -> None:
        """The reads of the interval into the state, then their rows and the status, once."""
        self._flush_due = False
        pending, self._pending = self._pending, []
        if not pending or not self.screen.is_attached:
            return
        owners: dict[str, Ownership] = {}
        for result in pending:
            if result.kind is ReadKind.READ and result.ownership is not None:
                owners[result.key_id] = result.ownership
                self.unreadable.discard(result.key_id)
            elif result.kind is ReadKind.NOT_SHOWN:
                self.unreadable.add(result.key_id)
            elif result.kind is ReadKind.GONE:
                self.state.gone.add(result.key_id)
        self.state.add_owners(owners)
        self.owners_changed({result.key_id for result in pending})

    def owners_changed(self, key_ids: set[str]) -> None:
        """Repaint these rows; filter the table again if a filter depends on owners."""
        screen = self.screen
        self._seen = self.state.owners_version
        now = self.app.monotonic()
        depends = self.state.quick.needs_owners or bool(self.state.filter_text.strip())
        if depends and (not self.running or now - self._last_rebuild >= REBUILD_INTERVAL):
            self._last_rebuild = now
            screen.rebuild_table()
            return
        if len(key_ids) > MANY_ROWS:
            screen.table.update_marks(self.state)  # one repaint, not one per row
        else:
            screen.table.update_keys(key_ids, self.state)
        screen.refresh_filter_bar()
        screen.refresh_status()

    def ended(self, message: DetailsReadEnded) -> None:
        reads, self.reads = self.reads, None
        screen = self.screen
        screen.refresh_bindings()
        if reads is None:
            return
        self.owners_changed(set())  # filters again if a filter depends on owners
        self.save_cache()
        screen.say(self.summary(reads))

    def summary(self, reads: DetailReads) -> str:
        counts = reads.counts
        if not counts.read and counts.not_shown + counts.gone == reads.total:
            return (
                f"Every read answered 404 ({plural(reads.total)}): this server has no "
                "GET /api/api-keys/{id} (servers before 3.13), or this credential may read no "
                "key's details. Owners stay unknown."
            )
        parts = [f"{counts.read} read"]
        if counts.gone:
            parts.append(f"{counts.gone} gone (404, no longer listed)")
        if counts.not_shown:
            parts.append(f"{counts.not_shown} not readable with this credential (404)")
        if counts.failed:
            why = f" ({safe_text(reads.first_failure, 120)})" if reads.first_failure else ""
            parts.append(f"{counts.failed} failed{why}")
        if counts.not_read:
            parts.append(f"{counts.not_read} not read")
        head = "Reading stopped" if reads.cancelled else "Read the details"
        if reads.unauthorized:
            head = "The server rejected the API key (401): reading stopped"
        known = f"Owners known for {self.state.owners_known} of {plural(len(self.state.keys))}."
        return f"{head}: {', '.join(parts)}. {known}"

    def progress(self) -> str:
        """For the status line while reads run."""
        reads = self.reads
        if reads is None:
            return ""
        waiting = ""
        if reads.waiting:
            waiting = f" · {reads.waiting} waiting after {safe_text(reads.last_wait_reason, 20)}"
        return f"reading details {reads.counts.done}/{reads.total}{waiting} · x cancels"

    def worker_failed(self) -> None:
        """The read worker died on a bug: it no longer runs."""
        self.reads = None
        self._pending.clear()
        self.screen.refresh_bindings()

    # --- filters by owner and type -------------------------------------------------------------

    def coverage(self) -> str:
        state = self.state
        if state.owners_known >= len(state.keys):
            return ""
        return coverage_phrase(state.owners_known, len(state.keys)).capitalize() + "."

    def pick_owner(self) -> None:
        from lwadmin_tui.ui.screens.owner_picker import OwnerPickerScreen

        state = self.state
        choices = owner_choices(state.keys.values(), state.owners, state.people)
        if not choices:
            self.screen.say("No key is listed: no owner to pick.", passing=True)
            return
        cursor = self.screen.table.cursor_key()
        ownership = state.owners.get(cursor) if cursor else None
        current = UNKNOWN_OWNER if cursor and ownership is None else None
        if ownership is not None:
            current = ownership.owner_id  # None for a service key: nothing is highlighted

        def chosen(choice: OwnerChoice | None) -> None:
            if choice is None:
                return
            quick = replace(state.quick, owner=choice.owner, owner_label=choice.label)
            self.screen.finding.set_quick(quick)
            self.screen.say(self.picked(choice.label, choice.count), passing=True)

        said = self.coverage()
        if ownership is not None and ownership.owner_id is None:
            said = f"{said} The key under the cursor is a service key: no one owns it.".strip()
        self.app.push_screen(OwnerPickerScreen(choices, current, said), chosen)

    def picked(self, label: str, count: int) -> str:
        """What the table now shows of that owner's keys, and what `a` would mark."""
        shown = self.screen.table.row_count
        hidden = count - shown
        rest = f": the other filters hide {hidden} (F clears every filter)" if hidden > 0 else ""
        if label == "unknown owner":
            some = f"all {count}" if hidden <= 0 else f"{shown} of {count}"
            return f"Showing {some} keys whose owner is not known{rest}. o reads them."
        name = safe_text(label, 40)
        unknown = len(self.state.keys) - self.state.owners_known
        if unknown:
            return (
                f"Showing {shown} of the {count} keys known to be {name}'s{rest}; "
                f"{plural(unknown)} of unknown owner may be theirs too (o reads them)."
            )
        if hidden <= 0:
            return f"Showing all {count} of {name}'s keys: a marks them all."
        return f"Showing {shown} of {name}'s {count} keys{rest}. a marks the shown ones."

    def cycle_key_type(self) -> None:
        order = {None: PERSONAL, PERSONAL: SERVICE, SERVICE: None}
        quick = self.state.quick
        self.screen.finding.set_quick(replace(quick, key_type=order.get(quick.key_type)))
