"""Names with markup in N's choices stay literal text and never crash the form."""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from tests.app_driver import make_app, settle
from tests.conftest import World


def _hostile(world: World, where: str, name: str) -> None:
    org = world.fake.org
    if where == "project":
        org.projects[0] = dataclasses.replace(org.projects[0], name=name)
    else:
        user_id, user = next(iter(org.users.items()))
        org.users[user_id] = dataclasses.replace(user, name=name)


@pytest.mark.parametrize("where,select", [("project", "#scope"), ("person", "#owner")])
async def test_opening_a_select_survives_a_closing_tag_in_a_name(
    admin_world: World, where: str, select: str
) -> None:
    _hostile(admin_world, where, "[/]")
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CreateKeyDialog)
        app.screen.query_one(select, Select).focus()
        await pilot.press("enter")  # opens the list of choices
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("where,select", [("project", "#scope"), ("person", "#owner")])
async def test_markup_in_a_choice_stays_literal(
    admin_world: World, where: str, select: str
) -> None:
    _hostile(admin_world, where, "[reverse]loud[/reverse]")
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        widget = app.screen.query_one(select, Select)
        overlay = widget.query_one(SelectOverlay)
        shown = [
            overlay._get_visual(overlay.get_option_at_index(i)).plain
            for i in range(overlay.option_count)
        ]
    assert any("[reverse]loud[/reverse]" in s for s in shown), shown
