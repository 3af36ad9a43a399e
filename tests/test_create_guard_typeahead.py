"""Keys typed behind enter in N's form, in one burst: the form is the one typed up to enter,
and the keys after it act on nothing the admin has not seen."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Select

from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from lwadmin_tui.ui.screens.keys_screen import KeysScreen
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, settle
from tests.conftest import World
from tests.test_app_roll_guards import wait_for


def burst(pilot: Pilot[Any], *keys: str) -> None:
    """The keys of one read of the terminal, all queued before the first is handled
    (`Pilot.press` lets the app finish each key before the next when the machine is idle)."""
    for key in keys:
        pilot.app.post_message(events.Key(key, "\r" if key == "enter" else key))


async def service_key_form(pilot: Pilot[Any]) -> CreateKeyDialog:
    """`c`, and the form made ready for an organization-wide service key but for its name."""
    await pilot.press("c")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, CreateKeyDialog)
    dialog.query_one("#type", Select).value = "service"
    dialog.query_one("#scope", Select).value = f"ORGANIZATION:{dialog.organization_id}"
    await pilot.pause()
    return dialog


async def test_keys_typed_behind_enter_are_not_in_the_key_made(admin_world: World) -> None:
    """Textual ran enter's binding only once the key had bubbled up to the app: `q` `y` were
    in the name by then, and a key named "grafanaqy" was made."""
    fake = admin_world.fake
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before, revoked = set(fake.org.keys), fake.revoked_ids()
        await service_key_form(pilot)
        burst(pilot, *"grafana", "enter", "q", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, TokenScreen)
    (made,) = set(fake.org.keys) - before
    assert fake.key(made).name == "grafana"
    assert fake.revoked_ids() == revoked


async def test_a_palette_opened_behind_enter_delays_the_answer_and_loses_nothing(
    admin_world: World,
) -> None:
    """ctrl+p behind enter opens the palette over the answered form: the form waits under it
    and leaves when it closes (before, leaving the form closed the palette instead, and the
    form stayed under the token screen)."""
    fake = admin_world.fake
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(fake.org.keys)
        await service_key_form(pilot)
        burst(pilot, *"grafana", "enter", "ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        assert [type(s) for s in app.screen_stack] == [KeysScreen, TokenScreen]
    (made,) = set(fake.org.keys) - before
    assert fake.key(made).name == "grafana"
