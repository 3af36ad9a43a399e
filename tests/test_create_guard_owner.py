"""An owner chosen for a personal key, then the type switched to service: the dialog says the
owner is not used, and switching back to personal brings the owner back."""

from __future__ import annotations

from textual.widgets import Select

from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from tests.app_driver import make_app, settle
from tests.conftest import World

UNUSED = "a service key has no owner: the chosen owner is not used"


async def test_a_chosen_owner_is_said_unused_for_a_service_key_and_kept(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        owner = dialog.query_one("#owner", Select)
        chosen = dialog.people[0][1]
        owner.value = chosen
        dialog.query_one("#type", Select).value = "service"
        await settle(pilot)
        shown = [strip.text for strip in dialog._compositor.render_strips()]
        assert any(UNUSED in line for line in shown), "\n".join(shown)
        dialog.query_one("#type", Select).value = "personal"
        await settle(pilot)
        shown = [strip.text for strip in dialog._compositor.render_strips()]
        assert owner.value == chosen and owner.display
        assert not any(UNUSED in line for line in shown), "\n".join(shown)
