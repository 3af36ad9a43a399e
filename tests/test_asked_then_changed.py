"""A question answered after what it asked about changed, or after something else started:
the cutover's confirmation whose new key went away, a create form answered while a roll runs,
a Cancel clicked as the palette opens, a form grown past a small terminal (Pilot, against the
fake over real HTTP; gates hold requests)."""

import threading
from pathlib import Path
from typing import Any

from textual.command import CommandList
from textual.widgets import Button, Input, Select

from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.rules import FakeLangWatch
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from lwadmin_tui.ui.screens.cutover import CutoverScreen
from lwadmin_tui.ui.screens.roll_dialog import RollDialog
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import (
    keys_screen,
    make_app,
    mark,
    message_line,
    row_ids,
    settle,
    wait_until,
)
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import OddCreateLangWatch
from tests.test_app_roll import ordinary, roll_marked, wait_roll
from tests.test_create_key import create_service_key


class ListHeldAfterCreate:
    """While `gate` is clear, the first key list after a POST waits for it: a slow list."""

    def __init__(self, fake: FakeLangWatch) -> None:
        self.fake = fake
        self.gate = threading.Event()
        self.gate.set()
        self.armed = False
        self.held = threading.Event()

    def handle(self, method: str, path: str, headers: Any, body: bytes = b"") -> Any:
        if method == "GET" and path.rstrip("/") == "/api/api-keys" and self.armed:
            self.armed = False
            self.held.set()
            self.gate.wait(20)
        answer = self.fake.handle(method, path, headers, body)
        if method == "POST" and not self.gate.is_set():
            self.armed = True
        return answer

    def __getattr__(self, name: str) -> object:
        return getattr(self.fake, name)


async def test_cutover_y_never_revokes_an_old_key_whose_new_key_left_while_asked(
    isolated_state: Path,
) -> None:
    """C, d: the confirmation lists the old key (its new key listed then). A list read before
    (here: the one after a `c` create, slow) lands while the question is open and no longer
    lists the new key (a colleague revoked it). `d` re-checks the pairs, `y` does not: the old
    key, now the only working one, is revoked too."""
    scenario = admin_scenario(FIXED_NOW)
    wrapper = ListHeldAfterCreate(scenario.app)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    said = ""
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (old,) = ordinary(world, row_ids(pilot), 1)
            await roll_marked(pilot, [old])
            screen = keys_screen(pilot)
            (pair,) = screen.rolls.pairs
            await pilot.press("u")
            wrapper.gate.clear()
            await create_service_key(pilot, world, "meanwhile")
            assert isinstance(app.screen, TokenScreen)
            await wait_until(pilot, wrapper.held.is_set)  # the list after the create is held
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("C")
            await pilot.pause()
            assert isinstance(app.screen, CutoverScreen)
            assert old in app.screen.active_old
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmRevokeScreen)
            scenario.app.revoke_out_of_band(pair.new_id)  # a colleague revokes the NEW key
            wrapper.gate.set()
            await wait_until(pilot, lambda: pair.new_id not in screen.state.keys)
            assert isinstance(app.screen, ConfirmRevokeScreen)
            await pilot.press("y")
            await settle(pilot)
            said = message_line(pilot)
    finally:
        wrapper.gate.set()
        server.stop()
    assert scenario.app.key(old).revoked_at is None, (
        f"the old key was revoked although its new key had gone meanwhile: {said!r}"
    )


async def test_a_create_form_answered_while_a_roll_runs_sends_nothing(
    isolated_state: Path,
) -> None:
    """c opens the form; ctrl+p "Roll the marked keys" opens the roll dialog over it (nothing
    runs yet, so R lets it) and y starts the roll. Back in the form, enter creates a key
    beside the roll: the form's answer does not check `KeysScreen.busy()` as the roll and
    revoke dialogs' answers now do (the same holds under a batch or the owner reads)."""
    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (rolled,) = ordinary(world, row_ids(pilot), 1)
            await mark(pilot, [rolled])
            await pilot.press("c")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, CreateKeyDialog)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Roll the marked")
            await wait_until(pilot, lambda: roll_command_found(app))  # the search is asynchronous
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, RollDialog))
            await pilot.pause()
            await pilot.press("y")
            await wait_until(pilot, lambda: bool(wrapper.made))  # the roll's create is held
            screen = keys_screen(pilot)
            assert screen.rolls.running and app.screen is dialog
            dialog.query_one("#type", Select).value = "service"
            dialog.query_one("#scope", Select).value = f"ORGANIZATION:{dialog.organization_id}"
            dialog.query_one("#name", Input).value = "beside the roll"
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            started = screen.creates.running
            said = message_line(pilot)
            hold.set()
            await wait_roll(pilot)
            await settle(pilot)
    finally:
        hold.set()
        server.stop()
    assert not started, f"a key is created beside the running roll: {said!r}"


def roll_command_found(app: Any) -> bool:
    found = app.screen.query(CommandList)
    if not found:
        return False
    commands = found.first()
    index = commands.highlighted
    return index is not None and "Roll the marked" in str(
        commands.get_option_at_index(index).prompt
    )


# 3 ------------------------------------------------------------------------------------------


async def test_cancel_clicked_as_the_palette_opens_leaves_no_dead_form(
    admin_world: World,
) -> None:
    """A click on Cancel and ctrl+p in one read: the palette opens before Button.Pressed is
    handled; `dismiss` pops the TOP screen, so it closes the palette, and the form stays with
    `_answered` set: escape and enter do nothing any more, and nothing says why (ctrl+c is the
    only way out). The same `dismiss` shape is in the roll dialog and the confirmations."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        dialog.query_one("#cancel", Button).press()  # the click's Pressed, still queued
        app.action_command_palette()  # ctrl+p of the same read, handled first
        await settle(pilot)
        await pilot.press("escape")  # closes the palette if it is still open...
        await settle(pilot)
        await pilot.press("escape")  # ...and then the form, if anything still can
        await settle(pilot)
        stack = [type(s).__name__ for s in app.screen_stack]
    assert stack == ["KeysScreen"], f"screens left: {stack}"


async def test_the_form_at_80x24_with_restricted_access_and_bindings_shows_create(
    admin_world: World,
) -> None:
    """Resized to 80x24 mid-form, restricted access (its permissions line) and two bindings
    added (their line): the dialog is capped at 90% of the height and does not scroll, so the
    Create / Cancel buttons and the keys hint are cut off below its border."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        dialog.query_one("#mode", Select).value = "restricted"
        scope = dialog.query_one("#scope", Select)
        choices = [value for _, value in scope._options if isinstance(value, str)]
        for value in choices[1:3]:
            scope.value = value
            await pilot.pause()
            dialog.query_one("#add-binding", Button).press()
            await pilot.pause()
        dialog.query_one("#name", Input).value = "x"
        dialog.query_one("#name", Input).focus()
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.press("enter")  # restricted without permissions: the form says so
        await settle(pilot)
        box = dialog.query_one("#dialog").region
        inner_bottom = box.bottom - 1  # the border's last row
        cut = {
            wid: dialog.query_one(wid).region
            for wid in ("#why", "#create", "#cancel", "#keys-hint")
            if dialog.query_one(wid).region.bottom > inner_bottom
        }
    assert not cut, f"below the dialog's border (bottom row {inner_bottom}): {cut}"


async def test_the_cutover_opened_before_the_list_is_read_again_follows_it(
    isolated_state: Path,
) -> None:
    """C right after a roll, before the list that shows the new keys has come: the view says
    what it knows then, and follows the list when it lands (no need to close and reopen)."""
    scenario = admin_scenario(FIXED_NOW)
    wrapper = ListHeldAfterCreate(scenario.app)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (old,) = ordinary(world, row_ids(pilot), 1)
            await mark(pilot, [old])
            await pilot.press("R")
            await settle(pilot)
            wrapper.gate.clear()
            await pilot.press("y")
            screen = keys_screen(pilot)
            await wait_until(pilot, wrapper.held.is_set)  # the list after the roll is held
            await wait_until(pilot, lambda: not screen.rolls.running)
            await pilot.press("C")
            await wait_until(pilot, lambda: isinstance(app.screen, CutoverScreen))
            cutover = app.screen
            assert isinstance(cutover, CutoverScreen)
            assert cutover.active_old == []  # its new key is not listed yet
            wrapper.gate.set()
            await wait_until(pilot, lambda: cutover.active_old == [old])
            question = str(cutover.query_one("#question").render())
            assert "1 old key still active" in question
    finally:
        wrapper.gate.set()
        server.stop()
