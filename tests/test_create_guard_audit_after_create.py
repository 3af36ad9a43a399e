"""An audit log that fails after the create: the token is still shown and the key named."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Select

from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, message_line, settle
from tests.conftest import World


async def test_an_audit_failure_after_the_create_names_or_shows_the_new_key(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = RollAudit.save

    async def save(self: RollAudit, event: str, **fields: Any) -> None:
        if event == "created":
            raise OSError(28, "No space left on device")
        await real_save(self, event, **fields)

    monkeypatch.setattr(RollAudit, "save", save)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "disk full"
        app.screen.query_one("#type", Select).value = "service"
        app.screen.query_one("#scope", Select).value = org_scope(app)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        shown = isinstance(app.screen, TokenScreen)
        said = message_line(pilot)
    live = [
        k
        for k in set(admin_world.fake.org.keys) - before
        if admin_world.fake.key(k).revoked_at is None
    ]
    assert "nothing was sent" not in said or not live, said
    assert shown or not live or live[0] in said, said


def org_scope(app: object) -> str:
    """The dialog's "the whole organization" choice."""
    dialog = app.screen  # type: ignore[attr-defined]
    return f"ORGANIZATION:{dialog.organization_id}"
