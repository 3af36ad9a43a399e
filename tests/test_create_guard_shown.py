"""A token shown and closed is not reported as unfinished at the next start."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, message_line, settle
from tests.conftest import World
from tests.test_app_roll_guards import wait_for


async def test_a_token_closed_then_quit_at_once_is_not_called_unfinished(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "shown then quit"
        app.screen.query_one("#type", Select).value = "service"
        app.screen.query_one("#scope", Select).value = org_scope(app)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        await pilot.press("enter", "q")  # seen, closed, and the admin leaves
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        said = message_line(pilot)
    assert "stopped" not in said, said


def org_scope(app: object) -> str:
    """The dialog's "the whole organization" choice."""
    dialog = app.screen  # type: ignore[attr-defined]
    return f"ORGANIZATION:{dialog.organization_id}"
