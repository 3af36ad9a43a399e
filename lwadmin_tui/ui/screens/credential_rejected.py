"""Shown when the server answers 401 to the list: the key was rejected, and what to check.

An empty table with a status line is easy to misread as "no keys"; this says plainly that the
credential is the problem and where it came from. It never shows more than the key's last 4.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.screens.modal import Modal


class CredentialRejectedScreen(Modal[None]):
    """A small panel over the empty list: 401, the server's words, and a checklist."""

    BINDINGS = [
        Binding("escape,enter", "dismiss", "Close"),
        Binding("q", "app.quit_app", "Quit"),
    ]

    DEFAULT_CSS = """
    CredentialRejectedScreen { align: center middle; }
    #rejected {
        width: 90%;
        max-width: 90;
        height: auto;
        border: thick $error;
        background: $surface;
        padding: 0 1;
    }
    #rejected-title { text-style: bold; }
    """

    def __init__(self, reason: str, host: str, last4: str, source: str) -> None:
        super().__init__()
        self.reason = reason
        self.host = host
        self.last4 = last4
        self.source = source

    def compose(self) -> ComposeResult:
        source = safe_text(self.source, 80) or "its source"
        host = safe_text(self.host, 60)
        checks = [
            f"the key …{safe_text(self.last4, 4)} from {source} is an organization API key "
            "(sk-lw-…_…), not a project key;",
            f"it belongs to the LangWatch at {host} (a key of another install is unknown there);",
            "it has not been revoked and has not expired (Settings > API Keys in LangWatch);",
            "its owner is still an active member of the organization.",
        ]
        with Vertical(id="rejected"):
            yield Static(
                Text("The server rejected the API key (401)"), id="rejected-title", markup=False
            )
            yield Static(Text(f"It said: {safe_text(self.reason, 160)}"), markup=False)
            yield Static(Text("Check that:\n" + "\n".join(f"  • {c}" for c in checks)))
            yield Static(
                Text("Fix the key, then start lwadmin-tui again. escape: close · q: quit"),
                markup=False,
            )
