"""`c`: a new key's name, description, type, owner, one binding, access and expiry.

Only what the server would refuse for sure is checked here (an empty name, a date that is not a
future date); everything else is the server's to say (422 naming the field, 403 naming who may),
and the keys screen shows its answer. Nothing is sent before Create (or enter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Select, Static

from lwadmin_tui.api.new_key import NewBinding, NewKey, utf16_length
from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.widgets.form_field import FormField
from lwadmin_tui.ui.widgets.literal import literal

ORG_WIDE = "ORGANIZATION"


class CreateKeyDialog(Modal[NewKey | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False, id="create_key.no")]
    # One line per field (compact widgets), so the whole form fits 80x24.
    DEFAULT_CSS = """
    CreateKeyDialog #form { height: auto; }
    CreateKeyDialog #why { max-height: 3; }
    CreateKeyDialog .choices { height: auto; }
    CreateKeyDialog .choices Select { width: 1fr; }
    CreateKeyDialog Input, CreateKeyDialog Select, CreateKeyDialog #owner-note { margin-bottom: 1; }
    """

    def __init__(
        self,
        host: str,
        *,
        organization_id: str | None,
        scopes: Mapping[str, tuple[str, str]],
        people: Sequence[tuple[str, str]],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`scopes`: scope id → (PROJECT or TEAM, name); `people`: (name, user id) pairs."""
        super().__init__()
        self.host = host
        self.organization_id = organization_id
        self.scopes = scopes
        self.people = people
        self.now = now
        """The app's wall clock: a typed expiry must be ahead of it."""
        self._answered = False
        self._answer: NewKey | None = None
        self.bindings: list[NewBinding] = []
        """Added with "+": the key gets these, and the one chosen when Create is pressed."""

    def compose(self) -> ComposeResult:
        # Labels as Text, never strings: Textual would read "[/]" in a name as markup.
        scope_choices: list[tuple[Text, str]] = []
        if self.organization_id:
            org = f"{ORG_WIDE}:{self.organization_id}"
            scope_choices.append((Text("the whole organization"), org))
        scope_choices += [
            (literal(label), value)
            for label, value in sorted(
                (f"{kind.lower()} {safe_text(name, 40)}", f"{kind}:{scope_id}")
                for scope_id, (kind, name) in self.scopes.items()
            )
        ]
        with Vertical(id="dialog"):
            question = f"Create an API key on {safe_text(self.host, 60)}"
            yield Static(question, id="question", markup=False)
            with VerticalScroll(id="form"):
                yield from self._form(scope_choices)
            yield Static("", id="why", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button("Create", id="create", variant="warning")
            yield Static(
                "tab: next field · enter: create · escape: cancel",
                id="keys-hint",
                markup=False,
            )

    def _form(self, scope_choices: list[tuple[Text, str]]) -> ComposeResult:
        """The fields, in a part of their own that scrolls when the terminal is too short."""
        yield self._field(placeholder="name (1-100 characters)", max_length=100, id="name")
        yield self._field(placeholder="description (optional)", max_length=500, id="description")
        with Horizontal(classes="choices"):
            yield Select(
                [("personal key", "personal"), ("service key", "service")],
                value="personal",
                allow_blank=False,
                compact=True,
                id="type",
            )
            yield Select(
                [
                    ("all access", "all"),
                    ("read-only", "readonly"),
                    ("restricted", "restricted"),
                ],
                value="all",
                allow_blank=False,
                compact=True,
                id="mode",
            )
        yield Select(
            [(literal(name, 60), user_id) for name, user_id in self.people],
            prompt="owner: this credential's own user",
            compact=True,
            id="owner",
        )
        # In the owner's place for a service key; the owner chosen stays for a personal key.
        yield Static("", id="owner-note", markup=False)
        with Horizontal(classes="choices"):
            yield Select(
                [("VIEWER", "VIEWER"), ("MEMBER", "MEMBER"), ("ADMIN", "ADMIN")],
                value="VIEWER",
                allow_blank=False,
                compact=True,
                id="role",
            )
            yield Select(scope_choices, prompt="scope: choose one", compact=True, id="scope")
            yield Button("+", id="add-binding", compact=True, tooltip="Add another binding")
        yield Static("", id="bindings", markup=False)
        yield self._field(
            placeholder="permissions: resource:action, … (restricted access)", id="permissions"
        )
        yield self._field(
            placeholder="expires YYYY-MM-DD, 00:00 UTC (empty: never)",
            max_length=10,
            id="expiry",
        )

    def on_resize(self) -> None:
        self._fit_form()

    def _fit_form(self) -> None:
        # The dialog is at most 90% of the screen; the question, what is wrong (up to three
        # lines), the buttons and the keys' hint always show: the fields scroll in what is left.
        room = int(self.app.size.height * 0.9) - 11
        self.query_one("#form").styles.max_height = max(4, room)

    def _field(self, **options: Any) -> FormField:
        return FormField(answer=self._create, compact=True, **options)

    def on_mount(self) -> None:
        self._fit_form()
        self.query_one("#name", Input).focus()
        self.query_one("#bindings", Static).display = False
        self.query_one("#permissions", Input).display = False
        self.query_one("#owner-note", Static).display = False

    @on(Select.Changed, "#type")
    @on(Select.Changed, "#owner")
    def _owner_shown(self) -> None:
        service = self.query_one("#type", Select).value == "service"
        owner = self.query_one("#owner", Select)
        note = self.query_one("#owner-note", Static)
        owner.display = not service
        note.display = service
        self._say("")  # what was said of the type before is no longer so
        if service:
            chosen = isinstance(owner.value, str)
            note.update(
                "a service key has no owner: the chosen owner is not used"
                if chosen
                else "a service key has no owner"
            )

    @on(Select.Changed, "#mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        self.query_one("#permissions", Input).display = event.value == "restricted"

    def _chosen_binding(self) -> NewBinding | None:
        scope = self.query_one("#scope", Select).value
        if not isinstance(scope, str):
            return None
        scope_type, _, scope_id = scope.partition(":")
        return NewBinding(str(self.query_one("#role", Select).value), scope_type, scope_id)

    @on(Button.Pressed, "#add-binding")
    def _add_binding(self) -> None:
        chosen = self._chosen_binding()
        if chosen is None:
            self._say("Choose a scope first, then + adds it.")
            return
        if chosen not in self.bindings:
            self.bindings.append(chosen)
        shown = self.query_one("#bindings", Static)
        shown.update("bindings: " + ", ".join(self._binding_words(b) for b in self.bindings))
        shown.display = True
        self._say("")

    def _binding_words(self, binding: NewBinding) -> str:
        name = self.scopes.get(binding.scope_id, ("", "the organization"))[1]
        return f"{binding.role}@{safe_text(name, 30)}"

    def _say(self, why: str) -> None:
        self.query_one("#why", Static).update(why)

    def new_key(self) -> NewKey | None:
        """The key asked for, or None after saying what to fix."""
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self._say("A name is needed (1-100 characters).")
            return None
        description = self.query_one("#description", Input).value.strip()
        for what, text, most in (("name", name, 100), ("description", description, 500)):
            if utf16_length(text) > most:  # as the server's zod counts: a JavaScript length
                self._say(
                    f"The {what} is too long: {most} characters at most (an emoji counts as two)."
                )
                return None
        typed = self.query_one("#expiry", Input).value.strip()
        expires = None
        if typed:
            try:
                expires = datetime.strptime(typed, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                self._say("The expiry is a date, YYYY-MM-DD, or empty for none.")
                return None
            if expires <= self.now():
                self._say("The expiry must be a date in the future.")
                return None
        key_type = str(self.query_one("#type", Select).value)
        bindings = list(self.bindings)
        chosen = self._chosen_binding()
        if chosen is not None and chosen not in bindings:
            bindings.append(chosen)
        if not bindings and key_type == "personal":
            self._say("A personal key needs a scope: choose one.")
            return None
        if not bindings:  # the server would make it organization-wide ADMIN, unasked
            self._say(
                "Choose a scope: without one the server makes a service key organization-wide "
                "ADMIN (choose the whole organization and ADMIN for that)."
            )
            return None
        mode = str(self.query_one("#mode", Select).value)
        typed_permissions = self.query_one("#permissions", Input).value
        permissions = tuple(p.strip() for p in typed_permissions.split(",") if p.strip())
        if mode == "restricted" and not permissions:
            self._say("Restricted access needs its permissions, e.g. traces:view, datasets:view.")
            return None
        owner = self.query_one("#owner", Select).value
        return NewKey(
            name=name,
            key_type=key_type,
            description=description or None,
            assigned_to_user_id=owner if isinstance(owner, str) else None,
            permission_mode=mode,
            permissions=permissions if mode == "restricted" else (),
            bindings=tuple(bindings),
            expires_at=expires,
        )

    def _create(self) -> None:
        if self._answered:  # two enters in one read: the form is answered once
            return
        new = self.new_key()
        if new is None:
            return
        self._answered = True
        self._answer = new
        for field in self.query(FormField):
            field.frozen = True
        # Leave once the keys already typed behind enter are handled: here (the frozen fields
        # take them), never on the screens that follow, which the admin has not seen yet.
        self.app.call_later(self._leave)

    def _leave(self) -> None:
        if self._answer is not None and self.app.screen is self:  # not under a palette
            new, self._answer = self._answer, None
            self.dismiss(new)

    def on_screen_resume(self) -> None:
        self._leave()  # a screen opened over the answered form (ctrl+p in the burst) has closed

    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self._create()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(None)
