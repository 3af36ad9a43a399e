"""One key in full (`enter`): name, description, bindings with scope names, times, and on request
the server's detail (`g`), which the server records in the organization's audit log.

The list row already holds everything but ownership and permissions, so nothing is fetched until
the admin asks, and a fetched detail is kept for the session: opening a key twice reads it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from lwadmin_tui.api.errors import LangWatchError, NotFound
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.keys.display import binding_line, full_moment, status_word
from lwadmin_tui.outcomes import FULL_MESSAGE_LENGTH, Pending, Result
from lwadmin_tui.text import plural, safe_text

if TYPE_CHECKING:
    from lwadmin_tui.api.client import LangWatchClient
    from lwadmin_tui.api.scopes import ScopeDirectory
    from lwadmin_tui.keys.state import KeysState

AUDIT_NOTE = (
    "g fetches the server's detail (key type, owner id, permission mode). "
    "Each fetch is recorded in the organization's audit log on the server."
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


def detail_lines(detail: ApiKeyDetail) -> list[Text]:
    owner = safe_text(detail.assigned_to_user_id, 60) if detail.assigned_to_user_id else "none"
    permissions = ", ".join(safe_text(p, 60) for p in detail.permissions) or "as the roles grant"
    return [
        Text("Server detail (GET /api/api-keys/{id})", style="bold"),
        field_line("Key type", safe_text(detail.key_type or "unknown", 20)),
        field_line("Owner id", owner),
        field_line("Created by", safe_text(detail.created_by_user_id or "unknown", 60)),
        field_line("Permissions", safe_text(detail.permission_mode or "unknown", 20)),
        field_line("Granted", permissions),
    ]


class KeyDetailsScreen(ModalScreen[None]):
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
    ) -> None:
        super().__init__()
        self.key = key
        self.state = state
        self.client = client
        self.scopes = scopes
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
        cached = self.state.details.get(self.key.id)
        if cached is not None:
            self.show_detail(cached, note="fetched earlier in this session")
        else:
            self.query_one("#server-detail", Static).update(Text(AUDIT_NOTE, style="italic"))

    def show_detail(self, detail: ApiKeyDetail, note: str = "") -> None:
        text = Text("\n").join(detail_lines(detail))
        if note:
            text.append(f"\n({note})", style="italic")
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
        self.show_detail(message.detail)

    def on_key_details_screen_detail_failed(self, message: DetailFailed) -> None:
        self.fetching = False
        reason = safe_text(message.reason, 300)
        self.query_one("#server-detail", Static).update(
            Text(f"No detail: {reason}. g tries again.", style="bold")
        )
