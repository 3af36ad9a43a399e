"""A service key made with N gets the scope chosen, never organization-wide ADMIN unasked."""

from __future__ import annotations

from textual.widgets import Input, Select

from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from tests.app_driver import make_app, settle
from tests.conftest import World


async def test_a_service_key_without_a_scope_is_not_silently_org_admin(admin_world: World) -> None:
    """The dialog shows VIEWER; a service key sent with no binding becomes organization-wide
    ADMIN on the server (the roll refuses to do this blindly: README)."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#role", Select).value == "VIEWER"
        dialog.query_one("#name", Input).value = "read-only exporter"
        dialog.query_one("#type", Select).value = "service"
        dialog.query_one("#mode", Select).value = "readonly"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        still_asking = isinstance(app.screen, CreateKeyDialog)
    made = set(admin_world.fake.org.keys) - before
    grants = [(b.role, b.scope_type) for k in made for b in admin_world.fake.key(k).bindings]
    assert still_asking or ("ADMIN", "ORGANIZATION") not in grants, grants
