"""Two enters in one read create one key and keep the app running."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Select

from tests.app_driver import make_app, settle
from tests.conftest import World


async def test_two_enters_in_one_read_create_one_key(admin_world: World) -> None:
    """Over SSH both enters arrive in one read: queued before the first is handled."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#type", Select).value = "service"
        app.screen.query_one("#scope", Select).value = org_scope(app)
        app.screen.query_one("#name", Input).value = "twice"
        await pilot.pause()
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        await settle(pilot)
        assert app.is_running  # the second enter did not pop a screen that was gone
    assert len(set(admin_world.fake.org.keys) - before) == 1


def org_scope(app: object) -> str:
    """The dialog's "the whole organization" choice."""
    dialog = app.screen  # type: ignore[attr-defined]
    return f"ORGANIZATION:{dialog.organization_id}"
