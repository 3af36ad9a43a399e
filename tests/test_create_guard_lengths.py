"""Lengths as the server counts them (UTF-16 units, as zod does): a name of 60 emoji is 120
units, refused in the dialog with a sentence and never sent. And a message about the old type
goes when the type changes."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from tests.app_driver import make_app, settle
from tests.conftest import World


def why(dialog: CreateKeyDialog) -> str:
    return str(dialog.query_one("#why", Static).render())


async def test_a_name_too_long_in_utf16_is_refused_before_it_is_sent(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = len(admin_world.fake.org.keys)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        dialog.query_one("#name", Input).value = "\U0001f511" * 60  # 60 keys, 120 units
        dialog.query_one("#type", Select).value = "service"
        scope: Select[str] = dialog.query_one("#scope", Select)
        scope.value = next(v for _, v in scope._options if isinstance(v, str))
        await settle(pilot)
        assert dialog.new_key() is None
        assert "an emoji counts as two" in why(dialog)
        dialog.query_one("#name", Input).value = "\U0001f511" * 50
        assert dialog.new_key() is not None
        assert len(admin_world.fake.org.keys) == before


async def test_switching_the_type_clears_what_was_said_of_the_old_one(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        dialog.query_one("#name", Input).value = "grafana"
        assert dialog.new_key() is None
        assert "personal key needs a scope" in why(dialog)
        dialog.query_one("#type", Select).value = "service"
        await settle(pilot)
        assert "personal" not in why(dialog)


async def test_a_typed_expiry_is_checked_against_the_apps_clock(admin_world: World) -> None:
    """The app's clock says 2026-08-22 here: a date a week after it is ahead, whatever the
    machine's own clock says (the same rule as the roll dialog's)."""
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        dialog.query_one("#name", Input).value = "weekly"
        dialog.query_one("#type", Select).value = "service"
        scope: Select[str] = dialog.query_one("#scope", Select)
        scope.value = next(v for _, v in scope._options if isinstance(v, str))
        dialog.query_one("#expiry", Input).value = "2026-08-29"
        await settle(pilot)
        new = dialog.new_key()
        assert new is not None and new.expires_at is not None, why(dialog)
