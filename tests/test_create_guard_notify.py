"""Saving a token says where, also under a folder whose name has brackets."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, settle
from tests.conftest import World
from tests.test_app_roll_guards import wait_for


async def test_saving_under_a_folder_with_brackets_says_where(
    admin_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = tmp_path / "state [/] dir"
    monkeypatch.setenv("XDG_STATE_HOME", str(odd))
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "saved"
        app.screen.query_one("#type", Select).value = "service"
        app.screen.query_one("#scope", Select).value = org_scope(app)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        await pilot.press("s")
        await settle(pilot)
        saved = app.screen.saved_to
    assert saved and Path(saved).exists()


def org_scope(app: object) -> str:
    """The dialog's "the whole organization" choice."""
    dialog = app.screen  # type: ignore[attr-defined]
    return f"ORGANIZATION:{dialog.organization_id}"
