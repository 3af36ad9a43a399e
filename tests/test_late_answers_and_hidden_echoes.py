"""Holes in the newest guards, each closed: a letter whose lower case is longer, a token glued
to a word or split by an invisible character, answers given after something else started or
after the dialog closed, a failed secret command's session, ctrl+c under the palette over the
token, and `t` on an old key whose replacement went away. Gates and state, never wall-clock time."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.responses import FakeResponse, json_response
from lwadmin_tui.fake.rules import FakeLangWatch
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.roll.secrets import Delivery, NotDelivered, SecretCommand
from lwadmin_tui.settings.debug_log import redact
from lwadmin_tui.text import forget_secrets, redact_secrets, register_secret, safe_text
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.credential_rejected import CredentialRejectedScreen
from lwadmin_tui.ui.screens.read_details_question import ReadDetailsQuestion
from lwadmin_tui.ui.screens.roll_dialog import RollDialog
from lwadmin_tui.ui.session import Session
from tests.app_driver import keys_screen, make_app, mark, message_line, row_ids, settle, wait_until
from tests.conftest import FIXED_NOW, World
from tests.terminal import secret_fragments
from tests.test_app_roll import ordinary, wait_roll

# Shaped as the server mints an organization key: mixed case, as every real one is.
CREDENTIAL = "sk-lw-AbCdEfGhIjKlMnOp_QrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUv"
OPAQUE = "opaque-credential-Zq81mN03Xc77LpQ4"


@pytest.fixture
def registered() -> Any:
    register_secret(CREDENTIAL)
    register_secret(OPAQUE)
    yield
    forget_secrets()


async def run_from_palette(pilot: Any, title: str) -> None:
    """ctrl+p, type `title`, wait until it is the highlighted command, enter."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*title)

    def found() -> bool:
        lists = app.screen.query(CommandList)
        if not lists:
            return False
        commands = lists.first()
        index = commands.highlighted
        return index is not None and title in str(commands.get_option_at_index(index).prompt)

    await wait_until(pilot, found)  # the palette's search is asynchronous
    await pilot.press("enter")


# --- safe_text: masking ------------------------------------------------------------------


def test_a_dotted_capital_i_anywhere_does_not_unmask_the_credential(registered: None) -> None:
    """A character whose lower case is longer (Turkish İ) anywhere in a text must not turn the
    case-blind masking off: the credential stays masked on screen and in the debug log."""
    secret = CREDENTIAL.split("_", 1)[1]  # the part after the lookup id: no sk-lw- to catch
    shown = {
        "screen": safe_text(f"İzin yok: caller {secret}", 200),
        "screen, opaque key": safe_text(f"İ caller {OPAQUE}", 200),
        "debug log": redact(f"İ 403 caller {secret}"),
        "redact_secrets": redact_secrets(f"İ {CREDENTIAL[6:]}"),
    }
    leaks = {
        where: text
        for where, text in shown.items()
        if secret_fragments(text, CREDENTIAL) or secret_fragments(text, OPAQUE)
    }
    assert not leaks, f"the credential shows: {leaks}"


class EchoWithDottedI:
    """The fake behind a proxy whose 401 page names the credential it was sent (bare), in a
    sentence holding a Turkish capital İ."""

    def __init__(self, inner: FakeLangWatch) -> None:
        self.inner = inner

    def handle(self, method: str, path: str, headers: Any, body: bytes = b"") -> FakeResponse:
        sent = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = sent.partition(" ")[2]
        return json_response(401, {"error": "Unauthorized", "message": f"İzin yok ({token})"})

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_a_401_with_a_dotted_capital_i_never_shows_the_credential() -> None:
    """The same through the app: the 401 panel's "It said:" and the message line."""
    scenario = admin_scenario(FIXED_NOW)
    server = FakeServer(EchoWithDottedI(scenario.app)).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        app = LwAdminApp(Session(world.url, ApiKey(OPAQUE)), clock=lambda: FIXED_NOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, CredentialRejectedScreen)
            panel = " ".join(str(w.render()) for w in app.screen.query("Static"))
            await pilot.press("escape")
            said = message_line(pilot)
    finally:
        server.stop()
        forget_secrets()
    found = secret_fragments(panel + said, OPAQUE)
    assert not found, f"the credential shows on the 401 panel / message line: {found[:2]}"


def test_a_token_glued_to_a_word_or_split_by_an_invisible_character_is_masked() -> None:
    """A token nobody registered (a new key's, another admin's), glued after a word or split by a
    zero-width space or a soft hyphen, is still masked."""
    forget_secrets()
    token = "sk-lw-ZyXwVuTsRqPoNmLk_JiHgFeDcBa9876543210ZyXwVuTsRqPoNmLkJiHgFeDcBa98"
    cases = {
        "glued to a letter": f"token=x{token}",
        "glued to a digit": f"id 42{token}",
        "zero-width space in the prefix": "key " + token[:3] + "\u200b" + token[3:],
        "soft hyphen after the prefix": "key " + token[:6] + "\u00ad" + token[6:],
    }
    leaks = {
        why: shown
        for why, text in cases.items()
        if secret_fragments(shown := safe_text(text, 200), token)
    }
    assert not leaks, f"a token shows: {leaks}"


# --- answers given after something else started (or ended) ------------------------------


async def test_the_read_details_question_answered_while_a_batch_runs_reads_nothing(
    admin_world: World,
) -> None:
    """o asks first; ctrl+p "Revoke marked keys" opens the revocation over the question and y
    starts the batch (its DELETE held). The question answered y after that reads nothing."""
    app = make_app(admin_world)
    gate = threading.Event()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (victim,) = ordinary(admin_world, row_ids(pilot), 1)
            await mark(pilot, [victim])
            await pilot.press("o")
            await pilot.pause()
            question = app.screen
            assert isinstance(question, ReadDetailsQuestion)
            admin_world.server.faults.delete_gate = gate  # holds DELETEs
            await run_from_palette(pilot, "Revoke marked keys")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmRevokeScreen))
            await pilot.pause()
            await pilot.press("y")
            screen = keys_screen(pilot)
            await wait_until(pilot, lambda: screen.batches.running and app.screen is question)
            reads = admin_world.server.faults.hold_reads_after(0)  # every detail read held
            await pilot.press("y")
            await pilot.pause()
            reading = screen.owners.running
            said = message_line(pilot)
            gate.set()
            reads.set()
            await settle(pilot)
    finally:
        gate.set()
        if admin_world.server.faults.read_gate is not None:
            admin_world.server.faults.read_gate.set()
    assert not reading, f"the details are read beside the running batch: {said!r}"


async def test_a_roll_dialog_answered_after_its_key_was_rolled_under_it_rolls_nothing(
    admin_world: World, isolated_state: Path
) -> None:
    """R's dialog is open; from the palette a second roll of the same key runs to its end. The
    first dialog answered y after that makes no second replacement."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        before = set(admin_world.fake.org.keys)
        await pilot.press("R")
        await settle(pilot)
        first = app.screen
        assert isinstance(first, RollDialog)
        await run_from_palette(pilot, "Roll the marked keys")
        await wait_until(
            pilot, lambda: isinstance(app.screen, RollDialog) and app.screen is not first
        )
        await pilot.pause()
        await pilot.press("y")  # the second dialog: roll, old key kept
        screen = keys_screen(pilot)
        await wait_until(pilot, lambda: bool(screen.rolls.pairs) and not screen.rolls.running)
        await wait_roll(pilot)
        assert app.screen is first
        await pilot.press("y")  # the first dialog, asked before the key was rolled
        await pilot.pause()
        await wait_roll(pilot)
        said = message_line(pilot)
    made = set(admin_world.fake.org.keys) - before
    assert len(made) == 1, f"{len(made)} replacements made for one key: {said!r}"


# --- the secret command ------------------------------------------------------------------


def test_a_failed_secret_commands_session_is_ended_before_it_reads_the_token(
    tmp_path: Path,
) -> None:
    """A failed command's helper (started in its session, holding the pipe) must not read the
    token after the delivery was called failed: the whole session is ended."""
    leaked = tmp_path / "leaked"
    go = tmp_path / "go"
    # The helper keeps the command's stdin (fd 3: sh gives a background job /dev/null as 0).
    script = f"exec 3<&0; ( while [ ! -e {go} ]; do sleep 0.01; done; cat <&3 > {leaked} ) & exit 3"
    token = ApiKey("sk-lw-" + "A" * 16 + "_" + "b" * 48)
    sink = SecretCommand(f"sh -c '{script}'")
    with pytest.raises(NotDelivered):
        sink.deliver(Delivery("old_1", "new_1", "name", token))
    go.touch()
    # The helper, if still alive, now copies what is left in the pipe: wait for it to end.
    waited = f"for i in $(seq 500); do [ -s {leaked} ] && exit 0; sleep 0.01; done; exit 1"
    alive = subprocess.run(["sh", "-c", waited], check=False)
    got = leaked.read_text() if leaked.exists() else ""
    assert alive.returncode != 0 and token.reveal() not in got, (
        "a process of the failed command read the token after deliver returned"
    )


# --- quit paths over a screen above the token ----------------------------------------------


async def test_ctrl_c_in_the_palette_opened_over_the_token_screen_keeps_the_token(
    admin_world: World,
) -> None:
    """ctrl+c in the palette opened over a create's token screen does not quit: the token is
    shown this once."""
    from lwadmin_tui.ui.screens.token_screen import TokenScreen
    from tests.test_create_key import create_service_key

    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await create_service_key(pilot, admin_world, "help then ctrl c")
        assert isinstance(app.screen, TokenScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        above = type(app.screen).__name__
        await pilot.press("ctrl+c")
        await pilot.pause()
        still_running = app.is_running and any(isinstance(s, TokenScreen) for s in app.screen_stack)
    assert still_running, f"the app quit with the token screen open under the {above}"


# --- the cutover's check, bypassed by t -----------------------------------------------------


async def test_t_never_retries_an_old_key_whose_new_key_has_gone(
    admin_world: World, isolated_state: Path
) -> None:
    """C, d, y: the old key's DELETE answers 429. A colleague revokes the new key and a list read
    shows it gone: `t` must not revoke the old key, now the one that works."""
    from lwadmin_tui.ui.screens.cutover import CutoverScreen
    from lwadmin_tui.ui.screens.token_screen import TokenScreen
    from tests.test_create_key import create_service_key

    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (old,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [old])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")  # the old key kept for the cutover
        await wait_roll(pilot)
        screen = keys_screen(pilot)
        (pair,) = screen.rolls.pairs
        await pilot.press("u")
        faults = admin_world.server.faults
        faults.rate_limit_times, faults.retry_after = 1000, "0"  # every DELETE answers 429
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, CutoverScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRevokeScreen)
        await pilot.press("y")
        await settle(pilot)
        assert admin_world.fake.key(old).revoked_at is None  # 429: not applied, retryable
        faults.rate_limit_times = 0
        admin_world.scenario.app.revoke_out_of_band(pair.new_id)  # a colleague
        await create_service_key(pilot, admin_world, "meanwhile")
        assert isinstance(app.screen, TokenScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: pair.new_id not in screen.state.keys)
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        asked = isinstance(app.screen, ConfirmRevokeScreen)
        if asked:
            await pilot.press("y")
            await settle(pilot)
        said = message_line(pilot)
    assert admin_world.fake.key(old).revoked_at is None, (
        f"t revoked the old key although its new key had gone: {said!r}"
    )


# --- Modal.dismiss on a screen that is no longer (or not yet) on the stack ------------------


async def test_a_late_dismiss_of_a_closed_dialog_leaves_the_screen_on_top(
    admin_world: World,
) -> None:
    """A dialog's answer given after it closed (a timer, a late message) is dropped: it must not
    close whatever screen is on top now."""
    from lwadmin_tui.ui.screens.help import HelpScreen

    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        closed = app.screen
        assert isinstance(closed, HelpScreen)
        closed.dismiss(None)
        await settle(pilot)
        assert not closed.is_attached
        await pilot.press("question_mark")
        await pilot.pause()
        shown = app.screen
        assert isinstance(shown, HelpScreen) and shown is not closed
        closed.dismiss(None)  # late
        await pilot.pause()
        stack = [type(s).__name__ for s in app.screen_stack]
    assert shown in app.screen_stack or stack[-1] == "HelpScreen", (
        f"a closed dialog's late dismiss closed the screen on top: {stack}"
    )
