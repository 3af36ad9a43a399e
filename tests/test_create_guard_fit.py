"""N's form fits 80x24, also with a refusal said under it; the token it makes, one line."""

from __future__ import annotations

from textual.widgets import Input

from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, settle
from tests.conftest import World
from tests.test_create_key import create_service_key


async def test_the_dialog_fits_80x24_even_after_a_refusal(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        for wid in ("#question", "#name", "#expiry", "#create", "#cancel", "#keys-hint"):
            r = dialog.query_one(wid).region
            assert r.height > 0 and r.bottom <= 24, (wid, r)
        dialog.query_one("#name", Input).value = "x"
        await pilot.press("enter")  # personal, no scope: the dialog says what to fix
        await settle(pilot)
        for wid in ("#question", "#why", "#create", "#keys-hint"):
            r = dialog.query_one(wid).region
            assert r.height > 0 and r.y >= 0 and r.bottom <= 24, (wid, r)


async def test_the_token_is_one_line_at_80x24(admin_world: World) -> None:
    """Selected with the mouse to be copied, a token cut into two lines is copied broken."""
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await create_service_key(pilot, admin_world, "one line")
        assert isinstance(app.screen, TokenScreen)
        await settle(pilot)
        token = app.screen.delivery.token.reveal()
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
    assert any(token in line for line in lines), "\n".join(lines)
