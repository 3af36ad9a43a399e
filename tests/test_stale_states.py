"""No line of the keys screen keeps saying what is no longer true."""

from __future__ import annotations

import pytest

from lwadmin_tui.ui.screens.credential_rejected import CredentialRejectedScreen
from lwadmin_tui.ui.screens.key_details import KeyDetailsScreen
from lwadmin_tui.ui.widgets.batch_panel import BatchPanel
from tests.app_driver import (
    cell,
    keys_screen,
    make_app,
    mark,
    message_line,
    move_to,
    revoke,
    row_ids,
    settle,
    status_line,
    top_bar,
)
from tests.bulk_checks import ordinary_ids
from tests.conftest import World

pytestmark = pytest.mark.pilot


async def test_a_revoked_key_no_longer_says_active(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen, untouched = ordinary_ids(admin_world, row_ids(pilot))[:2]
        assert cell(pilot, chosen, "status") == "active"
        await revoke(pilot, [chosen])
        assert cell(pilot, chosen, "status") == "revoked"
        assert cell(pilot, untouched, "status") == "active"


async def test_the_progress_bar_goes_with_the_results_on_reload(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = keys_screen(pilot).query_one(BatchPanel)
        await revoke(pilot, ordinary_ids(admin_world, row_ids(pilot))[:1])
        assert panel.display
        await pilot.press("r")
        await settle(pilot)
        assert "Loaded" in message_line(pilot)
        assert not panel.display


async def test_an_answer_to_one_key_press_goes_at_the_next(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = message_line(pilot)
        await pilot.press("d", "n")
        await settle(pilot)
        assert message_line(pilot) == "Cancelled: nothing was sent."
        await pilot.press("down")
        assert message_line(pilot) == before
        await pilot.press("v", "v")  # the answer of the key itself stays
        assert message_line(pilot) == "Range cancelled: no mark changed."


async def test_reload_after_revoking_the_own_key_says_why_it_is_rejected(
    admin_world: World,
) -> None:
    own = admin_world.scenario.credential_key_id
    app = make_app(admin_world, own_key_id=own)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await mark(pilot, [own])
        await pilot.press("d", "y")
        await settle(pilot)
        assert "lost access" in message_line(pilot)
        await pilot.press("r")
        await settle(pilot)
        said = message_line(pilot)
        assert "this session's own key was revoked in this session" in said
        assert "Check that" not in said
        assert not isinstance(app.screen, CredentialRejectedScreen)


async def test_what_the_list_covers_is_said_once_it_is_known(admin_world: World) -> None:
    own = admin_world.scenario.credential_key_id
    app = make_app(admin_world, own_key_id=own)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert "personal key" not in status_line(pilot)
        assert "visible to this credential" in top_bar(pilot)
        assert "(a " not in top_bar(pilot)
        await move_to(pilot, own)
        await pilot.press("enter", "g")
        await settle(pilot)
        assert isinstance(app.screen, KeyDetailsScreen)
        await pilot.press("escape")
        await settle(pilot)
        kind = "service" if admin_world.fake.key(own).owner_user_id is None else "personal"
        assert f"(a {kind} key:" in top_bar(pilot)
