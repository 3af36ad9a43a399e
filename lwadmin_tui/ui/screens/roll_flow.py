"""`R` in the keys screen: roll the marked keys (or the cursor's) to new ones with the same
access (`roll/engine.py`), after the roll dialog; each row then says how it went, and an old key
kept for the cutover says "rolled → new name" until it is revoked (`C` shows the pairs).

A plain object the keys screen owns, like the batch and owner flows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace
from textual.binding import Binding

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.control import Target
from lwadmin_tui.roll.engine import Roller
from lwadmin_tui.roll.outcomes import RollKind, RollOutcome
from lwadmin_tui.roll.pairs import RolledPair, Unfinished, recorded_name, roll_history
from lwadmin_tui.roll.secrets import (
    Delivery,
    NotDelivered,
    SecretCommand,
    SecretFile,
    SecretSink,
)
from lwadmin_tui.settings.paths import DEFAULT_PROFILE
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import PairsRead, RollEnded, ShowToken, TokenSeen
from lwadmin_tui.ui.screens.roll_dialog import COMMAND, SCREEN, RollChoice, RollDialog
from lwadmin_tui.ui.screens.roll_words import kept_words, names_of, row_word, short_path

if TYPE_CHECKING:
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

ROLL_GROUP = "roll"
TOKEN_WAIT_SECONDS = 3600.0  # the token screen waits this long for the admin, then gives up

ROLL_BINDINGS = [
    Binding(
        "R",
        "roll",
        "Roll",
        id="roll",
        show=False,
        tooltip="Roll the marked keys: new keys with the same access, each secret delivered "
        "once; the old keys revoked when you say",
    ),
    Binding(
        "C",
        "cutover",
        "Cutover",
        id="cutover",
        show=False,
        tooltip="The rolled pairs: old and new key's last use; d there revokes the old keys",
    ),
]


class ScreenSink:
    """Shows the one token on this screen and waits until the admin has closed it: only then
    is the secret delivered (and the old key may be revoked)."""

    where = "this screen"

    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen

    def deliver(self, delivery: Delivery) -> None:
        seen = TokenSeen()
        if not self.screen.post_message(ShowToken(delivery, seen)):  # the screen is closing
            raise NotDelivered("the screen closed before the token could be shown")
        if not seen.wait(TOKEN_WAIT_SECONDS):
            raise NotDelivered("the token screen was not closed within an hour")
        if not seen.by_admin:
            raise NotDelivered("the token screen went away before you closed it")


class RollFlow:
    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen
        self.running = False
        self.pairs: list[RolledPair] = []
        self._note = ""
        self.roller: Roller | None = None
        self._not_listed_yet: set[str] = set()
        """New keys of this session's rolls, until the list is read again."""

    @property
    def app(self) -> LwAdminApp:
        return self.screen.lw_app

    @property
    def profile(self) -> str:
        return self.app.session.profile or DEFAULT_PROFILE

    # --- R -----------------------------------------------------------------------------------

    def ask(self) -> None:
        screen = self.screen
        if self.running or screen.creates.running:
            screen.say("Wait for the key being rolled or created, then R.", passing=True)
            return
        if screen.batches.running or screen.owners.running:
            screen.say("Wait for the running batch or reads to end, then roll.", passing=True)
            return
        keys = screen.state.marked_keys() or screen.cursor_keys()
        if not keys:
            screen.say("Nothing to roll: mark keys with space, or move to one.", passing=True)
            return
        rolled = self.rolled_already(keys)
        if rolled:
            screen.say(
                f"{plural(len(rolled))} already rolled, the new key still active "
                f"({names_of(rolled)}): finish the cutover (C), or revoke the new key "
                "first, then roll again."
            )
            return
        command = self.app.session.secret_command
        try:
            command_name = SecretCommand(command).where if command else None
        except ValueError as error:  # checked in the settings too; a sentence, never a crash
            screen.say(f"The secret_command setting cannot be used: {error}.")
            return
        state = screen.state
        kept = {key.id: kept_words(key, state) for key in keys}
        dialog = RollDialog(
            keys,
            self.app.host,
            kept=kept,
            command_name=command_name,
            secrets_folder=short_path(SecretFile().path.parent),
            guard_seconds=self.app.confirm_guard_seconds,
            clock=self.app.monotonic,
            now=self.app.clock,
        )

        def answered(choice: RollChoice | None) -> None:
            busy = screen.busy()
            if choice is None:
                screen.say("Cancelled: nothing was created or revoked.", passing=True)
            elif busy:
                screen.say(f"Nothing was created. {busy}")
            elif self.rolled_already(keys):  # rolled meanwhile (from the palette, over this)
                screen.say("Nothing was created: these keys were rolled while you were asked.")
            else:
                self.start(keys, choice)

        self.app.push_screen(dialog, answered)

    def rolled_already(self, keys: list[ApiKeyInfo]) -> list[ApiKeyInfo]:
        """Keys with a pair whose new key is still listed: a second roll would make a second
        replacement beside the first, with nothing to say which one is in use."""
        active = self.screen.state.active_keys()
        replaced = {
            p.old_id for p in self.pairs if p.new_id in active or p.new_id in self._not_listed_yet
        }
        return [key for key in keys if key.id in replaced]

    def just_rolled(self, outcomes: list[RollOutcome]) -> list[RolledPair]:
        """This roll's pairs, known before the audit log is read back: `R` on a key just
        rolled is refused at once, not after that read."""
        now = self.app.clock().isoformat()
        return [
            RolledPair(o.old_id, o.old_name, o.new_id, o.old_name, now)
            for o in outcomes
            if o.kind is RollKind.ROLLED and o.new_id
        ][::-1]

    def sink_for(self, choice: RollChoice) -> SecretSink:
        if choice.secrets_to == COMMAND and self.app.session.secret_command:
            return SecretCommand(self.app.session.secret_command)
        if choice.secrets_to == SCREEN:
            return ScreenSink(self.screen)
        return SecretFile()

    def start(self, keys: list[ApiKeyInfo], choice: RollChoice) -> None:
        app, screen = self.app, self.screen
        sink = self.sink_for(choice)
        batches = screen.batches
        audit = batches.new_roll_audit()

        def revoke_audit() -> BatchAudit:
            return batches.new_audit("rolled: replaced by new keys whose secrets were delivered")

        roller = Roller(
            app.client,
            audit,
            sink,
            revoke_old=choice.revoke_old,
            expiry=choice.expiry,
            expiry_date=choice.expiry_date,
            own_key_id=batches.own_key_id,
            revoke_audit=revoke_audit,
            concurrency=app.concurrency,
            clock=app.clock,  # "the old date while it is ahead": ahead of the app's now
        )
        self.roller = roller
        targets = [Target(key.id, key.name) for key in keys]
        for key in keys:
            screen.state.flags[key.id] = "rolling…"
        screen.table.update_keys({key.id for key in keys}, screen.state)
        self.running = True
        screen.refresh_bindings()  # x cancels the roll while it runs
        screen.say(f"Rolling {plural(len(keys))}… secrets to {safe_text(sink.where, 100)}")

        async def work() -> None:
            outcomes = await roller.run(targets)
            screen.post_message(RollEnded(outcomes, sink.where, roller.stopped))

        screen.run_worker(work, group=ROLL_GROUP, exclusive=True, exit_on_error=False)  # type: ignore[arg-type]

    def cancel(self) -> None:
        """`x`: the key being rolled finishes (its secret delivered or its new key revoked);
        no further key is started, and no old key is revoked that is not already on its way."""
        if self.roller is not None:
            self.roller.cancel()
        self.screen.say(
            "Cancelling the roll: the key in progress finishes, no other starts, and the old "
            "keys not yet sent are kept (C revokes them later)."
        )

    def worker_failed(self) -> None:
        """A bug ended the roll: no row may keep saying "rolling…", and R works again."""
        self.running = False
        self.screen.refresh_bindings()
        state = self.screen.state
        stuck = {k for k, flag in state.flags.items() if flag == "rolling…"}
        for key_id in stuck:
            state.flags[key_id] = "not rolled: internal error (see the message line)"
        self.screen.table.update_keys(stuck, state)

    def ended(self, message: RollEnded) -> None:
        self.running = False
        screen = self.screen
        screen.refresh_bindings()
        state = screen.state
        inherited = {}
        for outcome in message.outcomes:
            state.flags[outcome.old_id] = row_word(outcome)
            if outcome.kind is RollKind.ROLLED_REVOKED and outcome.old_id in state.keys:
                state.unlisted.add(outcome.old_id)
            owned = state.owners.get(outcome.old_id)
            if (
                outcome.kind in (RollKind.ROLLED, RollKind.ROLLED_REVOKED)
                and owned
                and outcome.new_id
            ):
                # The same type, owner and access; its creator is this session's credential.
                inherited[outcome.new_id] = replace(
                    owned, creator_id=None, read_at=self.app.clock()
                )
        state.add_owners(inherited)
        just = self.just_rolled(message.outcomes)
        self.pairs = just + self.pairs  # until the log is read
        self._not_listed_yet |= {pair.new_id for pair in just}
        screen.table.update_keys({o.old_id for o in message.outcomes}, screen.state)
        counts: dict[RollKind, int] = {}
        for outcome in message.outcomes:
            counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        parts = [f"{n} {kind.value}" for kind, n in counts.items()]
        problems = [o.message for o in message.outcomes if o.message][:1]
        words = f"Roll: {', '.join(parts)}. Secrets: {safe_text(message.where, 120)}."
        if message.stopped:
            words += f" Stopped: {message.stopped}"
        elif problems:
            words += f" First problem: {safe_text(problems[0], 200)}"
        screen.say(words)
        self._note = words  # the reload's "Loaded N keys." says it again
        self.read_pairs()
        # The new keys join the list; the rolled rows keep their words until `r`.
        screen.load_keys(keep=frozenset(o.old_id for o in message.outcomes))

    def load_note(self) -> str:
        """For the list's first message after a roll: how the roll went, once."""
        note, self._note = self._note, ""
        return f" {note}" if note else ""

    def show_cutover(self) -> None:
        """`C`: the pairs; its `d` revokes the old keys of pairs still offered when pressed."""
        from lwadmin_tui.ui.screens.cutover import CutoverScreen

        screen = self.screen
        if not self.pairs:
            screen.say("No rolled pair yet: R rolls the marked keys.", passing=True)
            return
        state, clock = screen.state, self.app.clock

        def chosen(old_ids: list[str] | None) -> None:
            # The list may have been read again meanwhile: only pairs still offered now count
            # (a new key revoked or expired since leaves its old key the only one that works).
            gone = set(self.replaced_gone(old_ids or []))
            keys = [state.keys[k] for k in old_ids or () if k not in gone]
            if gone:
                screen.say("The list changed under the cutover: only pairs still offered count.")
            if keys:
                screen.batches.confirm_and_start(keys, still=self.replacements_still_there(keys))

        self.app.push_screen(CutoverScreen(self.pairs, state.active_keys(), clock()), chosen)

    def replacements_still_there(self, keys: list[ApiKeyInfo]) -> Callable[[], str]:
        """Asked again at `y` (the cutover's `d`, a retry): the old keys of rolled pairs among
        `keys` go only while their new key is listed and not expired (else the old key is the
        one that works). "" when so."""
        key_ids = [key.id for key in keys]

        def check() -> str:
            if not self.replaced_gone(key_ids):
                return ""
            return (
                "The new key of a rolled pair among these went away or expired while you were "
                "asked: its old key is the one that works now."
            )

        return check

    def replaced_gone(self, key_ids: list[str]) -> list[str]:
        """The old keys of rolled pairs among `key_ids` whose new key is gone or expired now."""
        from lwadmin_tui.ui.screens.cutover import offered

        old_ids = {p.old_id for p in self.pairs}
        now_offered = set(offered(self.pairs, self.screen.state.active_keys(), self.app.clock()))
        return [k for k in key_ids if k in old_ids and k not in now_offered]

    def keys_listed(self) -> None:
        """The list was read: the new keys this session made are in it (or gone)."""
        self._not_listed_yet.clear()
        self.refresh_cutover()

    def refresh_cutover(self) -> None:
        """An open cutover shows the list as read now (the new keys listed after a roll)."""
        from lwadmin_tui.ui.screens.cutover import CutoverScreen

        for open_screen in self.app.screen_stack:
            if isinstance(open_screen, CutoverScreen):
                state = self.screen.state
                open_screen.show(self.pairs, state.active_keys(), self.app.clock())

    # --- the pairs ---------------------------------------------------------------------------

    def read_pairs(self) -> None:
        """The rolled pairs from the audit log, on a thread (the log may be large)."""

        def read() -> None:
            try:
                records = AuditLog().records()
            except OSError:
                records = []
            self.screen.post_message(self.pairs_in(records))

        self.screen.run_worker(read, thread=True, group="pairs", exit_on_error=False)

    def pairs_in(self, records: list[dict[str, Any]]) -> PairsRead:
        """This host's and profile's pairs and unfinished keys in records read already (the
        start-up's one read of the log serves the interrupted batches and these)."""
        found = roll_history(records, self.app.host, self.profile)
        return PairsRead(found.pairs, found.unfinished)

    def pairs_read(self, message: PairsRead) -> None:
        self.pairs = message.pairs
        self.refresh_cutover()
        state = self.screen.state
        changed = set()
        for pair in reversed(self.pairs):  # newest last: a key rolled twice names its latest
            word = state.flags.get(pair.old_id, "")
            # A word this session's roll gave ("the old key was not revoked: 429…") stays.
            if state.is_active(pair.old_id) and (not word or word.startswith("rolled → ")):
                state.flags[pair.old_id] = f"rolled → {pair.new_name}"
                changed.add(pair.old_id)
        if changed:
            self.screen.table.update_keys(changed, state)
        active = state.active_keys()

        def still_there(u: Unfinished) -> bool:
            if u.new_id:
                return u.new_id in active
            # Only its name is known: a key of that name, not one known to be another key.
            return any(
                recorded_name(k.name) == u.new_name and k.id not in u.not_ids
                for k in active.values()
            )

        left = [u for u in message.unfinished if still_there(u)]
        if left and not self.running and not self.screen.creates.running:
            named = ", ".join(
                f"{u.new_name or 'a new key'} ({u.new_id})"
                if u.new_id
                else f"a key named {u.new_name!r}"
                for u in left[:3]
            )
            more = f" and {len(left) - 3} more" if len(left) > 3 else ""
            self.screen.say(
                f"A roll or create stopped after making {plural(len(left))} whose secret may "
                f"not have reached anyone: {named}{more}. Revoke them (d) unless you have "
                "their secret."
            )
