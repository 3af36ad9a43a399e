"""The quick-filter form (`f`): expired, never used, stale, created before, role, scope, type.

It returns a new `QuickFilters` (or None when cancelled); the keys screen owns the state and
rebuilds the table. Combined with the `/` text filter: a key is shown when every rule matches.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from lwadmin_tui.keys.filters import ROLES, SCOPE_TYPES, QuickFilters, parse_day, parse_days
from lwadmin_tui.keys.ownership import PERSONAL, SERVICE
from lwadmin_tui.ui.screens.modal import Modal

KEY_TYPES = (PERSONAL, SERVICE)

ANY: Any = Select.NULL


class WordCheckbox(Checkbox):
    """Shows X when on and a blank when off: Textual's box differs by colour only (NO_COLOR)."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class QuickFiltersScreen(Modal[QuickFilters | None]):
    """Enter in a text box (or the Apply button) applies; escape or ctrl+g cancels."""

    BINDINGS = [
        Binding("escape,ctrl+g", "cancel", "Cancel", id="filters.cancel"),
        Binding("ctrl+r", "clear_all", "Clear all", id="filters.clear_all"),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
    ]

    def __init__(self, current: QuickFilters) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        now = self.current
        with Vertical(id="quick-filters"):
            yield Static("Quick filters (all that are set must match)", id="qf-title")
            with Horizontal(classes="qf-row"):
                yield WordCheckbox("Expired", now.expired, id="qf-expired", compact=True)
                yield WordCheckbox("Never used", now.never_used, id="qf-never", compact=True)
            with Horizontal(classes="qf-row"):
                yield Label("Unused for more than", classes="qf-label")
                days = "" if now.unused_days is None else str(now.unused_days)
                # "any", as the selects say: a number here looked like a value that was set.
                yield Input(days, placeholder="any", id="qf-days", restrict=r"\d*", compact=True)
                yield Label(" days (never used: since created)")
            with Horizontal(classes="qf-row"):
                yield Label("Created before", classes="qf-label")
                day = "" if now.created_before is None else now.created_before.isoformat()
                yield Input(day, placeholder="YYYY-MM-DD", id="qf-before", compact=True)
            with Horizontal(classes="qf-row"):
                yield Label("Role", classes="qf-label")
                yield Select(
                    [(r, r) for r in ROLES], prompt="any", value=now.role or ANY,
                    id="qf-role", compact=True,
                )  # fmt: skip
            with Horizontal(classes="qf-row"):
                yield Label("Scope type", classes="qf-label")
                yield Select(
                    [(t.lower(), t) for t in SCOPE_TYPES], prompt="any",
                    value=now.scope_type or ANY, id="qf-scope-type", compact=True,
                )  # fmt: skip
            with Horizontal(classes="qf-row"):
                yield Label("Scope name", classes="qf-label")
                yield Input(
                    now.scope or "", placeholder="project or team name, or id",
                    id="qf-scope", compact=True,
                )  # fmt: skip
            with Horizontal(classes="qf-row"):
                yield Label("Key type", classes="qf-label")
                yield Select(
                    [(t, t) for t in KEY_TYPES], prompt="any (o reads types)",
                    value=now.key_type or ANY, id="qf-key-type", compact=True,
                )  # fmt: skip
            yield Static("", id="qf-error")
            yield Static(
                "enter / ctrl+s apply · ctrl+r clear all · escape / ctrl+g cancel\n"
                "Role, scope type and scope name must hold on the same binding.",
                id="qf-hint",
            )
            with Horizontal(id="qf-buttons"):
                yield Button("Apply", id="qf-apply", compact=True)
                yield Button("Clear all", id="qf-clear", compact=True)
                yield Button("Cancel", id="qf-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#qf-days", Input).focus()

    def read_form(self) -> QuickFilters:
        """The filters the form describes; ValueError names the field that is wrong."""
        role = self.query_one("#qf-role", Select).value
        scope_type = self.query_one("#qf-scope-type", Select).value
        key_type = self.query_one("#qf-key-type", Select).value
        return QuickFilters(
            expired=self.query_one("#qf-expired", Checkbox).value,
            never_used=self.query_one("#qf-never", Checkbox).value,
            unused_days=parse_days(self.query_one("#qf-days", Input).value),
            created_before=parse_day(self.query_one("#qf-before", Input).value),
            role=role if isinstance(role, str) else None,
            scope_type=scope_type if isinstance(scope_type, str) else None,
            scope=self.query_one("#qf-scope", Input).value.strip() or None,
            key_type=key_type if isinstance(key_type, str) else None,
            owner=self.current.owner,  # chosen with O; kept as it is
            owner_label=self.current.owner_label,
        )

    def action_apply(self) -> None:
        try:
            filters = self.read_form()
        except ValueError as error:
            self.query_one("#qf-error", Static).update(f"Not applied: {error}")
            return
        self.dismiss(filters)

    def action_clear_all(self) -> None:
        self.dismiss(QuickFilters())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        actions = {"qf-apply": self.action_apply, "qf-clear": self.action_clear_all}
        actions.get(event.button.id or "", self.action_cancel)()
