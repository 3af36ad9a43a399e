"""One key in full (`enter`): name, description, bindings with scope names, times, and on request
the server's detail (`g`), which the server records in the organization's audit log.

The list row already holds everything but ownership and permissions, so nothing is fetched until
the admin asks, and a fetched detail is kept for the session: opening a key twice reads it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from lwadmin_tui.api.errors import LangWatchError, NotFound
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.keys.display import binding_line, full_moment, status_word
from lwadmin_tui.keys.owners import Named
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.outcomes import FULL_MESSAGE_LENGTH, Pending, Result
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.screens.modal import Modal

if TYPE_CHECKING:
    from lwadmin_tui.api.client import LangWatchClient
    from lwadmin_tui.api.scopes import ScopeDirectory
    from lwadmin_tui.keys.state import KeysState

AUDIT_NOTE = (
    "g fetches the server's detail of this key (key type, owner, permission mode); o on the "
    "table reads it for every key. Each read is recorded in the organization's audit log."
)
NOT_SHOWN = (
    "the server does not show this key's detail to this credential (404): a personal or "
    "non-admin key sees the detail of its own keys only, and servers before 3.13 have no such route"
)


def field_line(label: str, value: str, style: str = "") -> Text:
    """`label   value`; the value is literal text (it may come from the server)."""
    line = Text()
    line.append(f"{label:<13}", style="bold")
    line.append(value, style=style)
    return line


def info_lines(key: ApiKeyInfo, now: datetime, scopes: ScopeDirectory | None) -> list[Text]:
    names = scopes.names if scopes else {}
    teams = scopes.project_team if scopes else {}
    lines = [
        field_line("Name", safe_text(key.name, 300) or "(unnamed)"),
        field_line("Description", safe_text(key.description, 500) if key.description else "none"),
        field_line("Id", safe_text(key.id, 60)),
        field_line("Status", status_word(key, now)),
        field_line("Created", full_moment(key.created_at, now)),
        field_line("Last used", full_moment(key.last_used_at, now)),
        field_line("Expires", full_moment(key.expires_at, now)),
        Text("Role bindings", style="bold"),
    ]
    for binding in key.role_bindings:
        team_id = teams.get(binding.scope_id)
        team = names.get(team_id) if team_id else None
        lines.append(Text("  " + binding_line(binding, names.get(binding.scope_id), team)))
    if not key.role_bindings:
        lines.append(Text("  none"))
    for problem in scopes.problems if scopes else []:
        lines.append(Text(f"  ({safe_text(problem, 160)}: ids shown)", style="italic"))
    return lines


def result_lines(result: Result | None, now: datetime) -> list[Text]:
    """The key's last result in this session, whole: the row has room for the start of it."""
    if result is None:
        return []
    lines = [Text("Last result (this session)", style="bold")]
    if isinstance(result, Pending):
        return [*lines, field_line("Result", result.label)]
    lines.append(field_line("Result", result.describe(FULL_MESSAGE_LENGTH)))
    if result.code:
        lines.append(field_line("Error code", safe_text(result.code, 80)))
    for tip in result.tips[:5]:
        lines.append(field_line("Tip", safe_text(tip, FULL_MESSAGE_LENGTH)))
    sent = plural(result.attempts, "DELETE request") + " sent" if result.attempts else "none sent"
    lines.append(field_line("Attempts", sent))
    if result.at is not None:
        lines.append(field_line("At", full_moment(result.at, now)))
    return lines


def person_line(user_id: str | None, people: Mapping[str, Named]) -> str:
    """`Maya Chen <maya@acme.example> (user_…full id)`, or the id alone with no name known."""
    if not user_id:
        return "none"
    whole_id = safe_text(user_id, 64)
    person = people.get(user_id)
    if person is None:
        return f"{whole_id} (no name known)"
    name = safe_text(person.name or "", 60)
    email = f" <{safe_text(person.email, 80)}>" if person.email else ""
    return f"{name}{email} ({whole_id})".strip()


def ownership_lines(
    ownership: Ownership, people: Mapping[str, Named], now: datetime, notes: Sequence[str]
) -> list[Text]:
    """Type, owner, creator and access, as the detail read said (the access as of its time)."""
    owner = (
        "none (a service key)" if ownership.is_service else person_line(ownership.owner_id, people)
    )
    access = ownership.access
    if ownership.read_at is not None:
        access += f" (as of {full_moment(ownership.read_at, now)}; o reads it again)"
    lines = [
        Text("Owner and access (GET /api/api-keys/{id})", style="bold"),
        field_line("Key type", safe_text(ownership.key_type, 20)),
        field_line("Owner", owner),
        field_line("Created by", person_line(ownership.creator_id, people)),
        field_line("Access", access),
    ]
    named = [ownership.owner_id, ownership.creator_id]
    if any(uid and uid not in people for uid in named):
        lines += [Text(f"  ({safe_text(note, 200)})", style="italic") for note in notes]
    return lines


def granted_line(detail: ApiKeyDetail) -> Text:
    permissions = ", ".join(safe_text(p, 60) for p in detail.permissions) or "as the roles grant"
    return field_line("Granted", permissions)


class KeyDetailsScreen(Modal[None]):
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="details.close"),
        Binding("g", "fetch_detail", "Fetch detail", id="details.fetch"),
    ]

    @dataclass
    class DetailFetched(Message):
        detail: ApiKeyDetail

    @dataclass
    class DetailFailed(Message):
        reason: str

    def __init__(
        self,
        key: ApiKeyInfo,
        state: KeysState,
        client: LangWatchClient,
        scopes: ScopeDirectory | None,
        people_notes: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.key = key
        self.state = state
        self.client = client
        self.scopes = scopes
        self.people_notes = people_notes
        """Why some owners have no name (the member lists this credential could not read)."""
        self.fetching = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details"):
            now = self.state.clock()
            for line in info_lines(self.key, now, self.scopes):
                yield Static(line, classes="detail-line")
            for line in result_lines(self.state.results.get(self.key.id), now):
                yield Static(line, classes="detail-line")
            yield Static(id="server-detail")
            yield Static("escape / q closes", id="details-hint")

    def on_mount(self) -> None:
        self.query_one("#details").focus()
        if self.key.id in self.state.owners:
            self.show_detail(self.state.details.get(self.key.id))
        else:
            self.query_one("#server-detail", Static).update(Text(AUDIT_NOTE, style="italic"))

    def show_detail(self, detail: ApiKeyDetail | None) -> None:
        ownership = self.state.owners.get(self.key.id)
        if ownership is None:
            return
        now = self.state.clock()
        lines = ownership_lines(ownership, self.state.people, now, self.people_notes)
        if detail is not None:
            lines.append(granted_line(detail))
        text = Text("\n").join(lines)
        if detail is None:
            text.append("\n(g reads the granted permissions and the access now)", style="italic")
        self.query_one("#server-detail", Static).update(text)

    def action_fetch_detail(self) -> None:
        if self.fetching or self.key.id in self.state.details:
            return
        self.fetching = True
        self.query_one("#server-detail", Static).update(
            Text("Fetching… (recorded in the organization's audit log)", style="italic")
        )
        self.fetch()

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def fetch(self) -> None:
        try:
            detail = await self.client.get_key(self.key.id)
        except NotFound:
            self.post_message(self.DetailFailed(NOT_SHOWN))
        except LangWatchError as error:
            self.post_message(self.DetailFailed(str(error)))
        else:
            self.post_message(self.DetailFetched(detail))

    def on_key_details_screen_detail_fetched(self, message: DetailFetched) -> None:
        self.fetching = False
        self.state.details[self.key.id] = message.detail
        read = Ownership.from_detail(message.detail, self.state.clock())
        self.state.add_owners({self.key.id: read})
        self.show_detail(message.detail)

    def on_key_details_screen_detail_failed(self, message: DetailFailed) -> None:
        self.fetching = False
        reason = safe_text(message.reason, 300)
        self.query_one("#server-detail", Static).update(
            Text(f"No detail: {reason}. g tries again.", style="bold")
        )
