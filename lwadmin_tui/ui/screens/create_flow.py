"""`c` in the keys screen: create one key after its dialog; its token is shown once (with a copy
over OSC 52 and a save to a private file), and the list is read again.

A plain object the keys screen owns. The request and its records: `roll/create.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from lwadmin_tui.api.new_key import NewKey
from lwadmin_tui.roll.create import create_one
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.roll.secrets import Delivery
from lwadmin_tui.settings.files import os_reason
from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.messages import KeyCreated, TokenSeen

if TYPE_CHECKING:
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

CREATE_BINDINGS = [
    Binding(
        "c",
        "create_key",
        "New key",
        id="create_key",
        show=False,
        tooltip="Create a key: name, type, owner, one binding, access, expiry; token shown once",
    ),
]


class CreateFlow:
    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen
        self.running = False
        self._note = ""
        self.audit: RollAudit | None = None

    def ask(self) -> None:
        from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog

        screen, app = self.screen, self.screen.lw_app
        if self.running or screen.rolls.running:
            screen.say("Wait for the key being created or rolled, then c.", passing=True)
            return
        if screen.batches.running or screen.owners.running:  # as R waits for them
            screen.say(
                "Wait for the running batch or reads to end, then create a key.", passing=True
            )
            return
        state = screen.state
        teams = set(state.scopes.team_ids)
        scopes = {
            scope_id: ("TEAM" if scope_id in teams else "PROJECT", name)
            for scope_id, name in state.scopes.names.items()
        }
        org = next(
            (
                b.scope_id
                for key in state.keys.values()
                for b in key.role_bindings
                if b.scope_type == "ORGANIZATION"
            ),
            None,
        )
        # Name and email: two people of one name must not be mistaken for each other.
        people = sorted(
            (
                " ".join(p for p in (person.name, f"<{person.email}>" if person.email else "") if p)
                or user_id,
                user_id,
            )
            for user_id, person in state.people.items()
        )
        dialog = CreateKeyDialog(
            app.host, organization_id=org, scopes=scopes, people=people, now=app.clock
        )

        def answered(new: NewKey | None) -> None:
            busy = screen.busy()
            if new is None:
                screen.say("Cancelled: no key was created.", passing=True)
            elif busy:  # started from the palette while the form was open
                screen.say(f"Nothing was created. {busy}")
            else:
                self.start(new)

        app.push_screen(dialog, answered)

    def start(self, new: NewKey) -> None:
        screen, app = self.screen, self.screen.lw_app
        audit = screen.batches.new_roll_audit()
        self.running = True
        self.audit = audit
        screen.say(f"Creating the key {safe_text(new.name, 60)}…")

        async def work() -> None:
            try:
                result = await create_one(app.client, audit, new)
            except OSError as error:
                problem = (
                    f"nothing was sent: the audit log could not be written ({os_reason(error)})"
                )
                screen.post_message(KeyCreated(None, problem))
            else:
                screen.post_message(KeyCreated(result.created, result.message))

        screen.run_worker(work, group="create", exclusive=True, exit_on_error=False)  # type: ignore[arg-type]

    def created(self, message: KeyCreated) -> None:
        from lwadmin_tui.ui.screens.token_screen import TokenScreen

        self.running = False
        screen = self.screen
        made = message.created
        if made is None:
            problem = message.problem.removeprefix("not created: ")  # said once, not twice
            screen.say(f"No key was created: {safe_text(problem, 300)}")
            return
        warning = f" But {safe_text(message.problem, 200)}." if message.problem else ""
        self._note = f"Created the key {safe_text(made.name, 60)} ({made.key_id}).{warning}"
        screen.say(self._note)  # and again after the list that follows
        delivery = Delivery("", made.key_id, made.name, made.token)
        audit = self.audit

        def closed(_: None) -> None:
            # Shown (and copied or saved, or not: the admin's choice): no longer unfinished.
            if audit is not None:
                future = audit.submit("token_shown", new_id=made.key_id)
                future.add_done_callback(lambda done: done.cancelled() or done.exception())

        guard = screen.lw_app.confirm_guard_seconds
        screen.app.push_screen(TokenScreen(delivery, TokenSeen(), guard_seconds=guard), closed)
        screen.load_keys(keep=frozenset())  # a batch's rows keep their results

    def load_note(self) -> str:
        """For the list's first message after a create: which key was made, once."""
        note, self._note = self._note, ""
        return f" {note}" if note else ""
