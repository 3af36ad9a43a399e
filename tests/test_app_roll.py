"""Rolling keys in the TUI: `R`, its dialog, the rows after it, the token shown once, and the
cutover view's `d` (Pilot, against the fake over real HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.cutover import CutoverScreen
from lwadmin_tui.ui.screens.roll_dialog import RollDialog
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import cell, keys_screen, make_app, mark, message_line, row_ids, settle
from tests.conftest import World


def ordinary(world: World, ids: list[str], count: int) -> list[str]:
    skip = world.scenario.doomed_ids | {world.scenario.credential_key_id}
    fake = world.fake
    return [
        k
        for k in ids
        if k not in skip and (fake.key(k).expires_at is None or fake.key(k).expires_at > fake.now())
    ][:count]


def secrets_files(state: Path) -> list[Path]:
    return sorted((state / "lwadmin-tui" / "secrets").glob("rolled-*.tsv"))


async def wait_roll(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await settle(pilot)


async def roll_marked(pilot: Pilot[Any], key_ids: list[str]) -> None:
    """Mark these keys, R, y (the dialog's defaults: secrets to a file, old keys kept), and let
    the roll and the list read after it end."""
    await mark(pilot, key_ids)
    await pilot.press("R")
    await settle(pilot)
    await pilot.press("y")
    await wait_roll(pilot)


async def test_r_rolls_the_marked_keys_and_the_cutover_revokes_the_old_ones(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary(admin_world, row_ids(pilot), 3)
        await mark(pilot, chosen)
        before = set(admin_world.fake.org.keys)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RollDialog)
        assert not set(admin_world.fake.org.keys) - before  # nothing before the answer
        assert set(app.screen.kept) == set(chosen)
        assert all("@" in words or "no binding" in words for words in app.screen.kept.values())
        await pilot.press("y")
        await wait_roll(pilot)
        assert "Roll: 3 rolled" in message_line(pilot)
        made = set(admin_world.fake.org.keys) - before
        assert len(made) == 3
        for key_id in chosen:
            assert cell(pilot, key_id, "result").startswith("rolled → ")
            assert admin_world.fake.key(key_id).revoked_at is None
        assert made <= set(row_ids(pilot))  # the list was read again
        (secrets,) = secrets_files(isolated_state)
        assert secrets.stat().st_mode & 0o777 == 0o600
        assert len(secrets.read_text().splitlines()) == 3
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CutoverScreen)
        assert len(app.screen.active_old) == 3
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRevokeScreen)
        assert {k.id for k in app.screen.keys} == set(chosen)  # the old keys, nothing else
        await pilot.press("y")
        await settle(pilot)
        assert admin_world.fake.revoked_ids() & (set(chosen) | made) == set(chosen)
        # Their rows stay with "revoked" until `r`, but the cutover no longer offers them.
        assert {cell(pilot, k, "result") for k in chosen} == {"revoked"}
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CutoverScreen)
        assert app.screen.active_old == []


async def test_one_key_to_the_screen_shown_once_then_the_old_key_revoked(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("s", "o")  # secrets: this screen; old key: revoked once delivered
        await pilot.press("y")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, TokenScreen):
                break
        assert isinstance(app.screen, TokenScreen)
        token = app.screen.delivery.token.reveal()
        assert admin_world.fake.key(key_id).revoked_at is None  # not before it was seen
        await pilot.press("c")  # over OSC 52, to the terminal's clipboard
        assert app.clipboard == ""  # and not kept for the app's own paste
        await pilot.press("enter")
        await wait_roll(pilot)
        assert admin_world.fake.key(key_id).revoked_at is not None
        assert "1 rolled, old key revoked" in message_line(pilot)
        new = next(k for k in admin_world.fake.org.keys.values() if k.token == token)
        assert new.revoked_at is None and new.name == admin_world.fake.key(key_id).name
        assert new.id in row_ids(pilot)  # the new key joined the list
        # The old key's row stays with its result until `r`, as a batch's rows do.
        assert cell(pilot, key_id, "result") == "rolled, old key revoked"
        assert token not in app.screen.query_one("#message").render().plain  # type: ignore[attr-defined]
        await pilot.press("r")
        await settle(pilot)
        assert key_id not in row_ids(pilot)  # revoked keys are not listed


async def test_cancelling_the_roll_creates_nothing(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "nothing was created" in message_line(pilot)
        assert set(admin_world.fake.org.keys) == before
        assert keys_screen(pilot).rolls.pairs == []


async def test_the_next_start_still_says_which_keys_were_rolled(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary(admin_world, row_ids(pilot), 2)
        await mark(pilot, chosen)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")
        await wait_roll(pilot)
    names = {k: admin_world.fake.key(k).name for k in chosen}
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        for key_id in chosen:
            assert cell(pilot, key_id, "result") == f"rolled → {names[key_id]}"
        assert len(keys_screen(pilot).rolls.pairs) == 2


async def test_a_roll_stopped_after_its_create_is_named_at_the_next_start(
    admin_world: World,
) -> None:
    """Killed between the create and the delivery: the next start names the new key."""
    from lwadmin_tui.api.new_key import NewKey
    from lwadmin_tui.audit.log import AuditLog
    from lwadmin_tui.roll.records import RollAudit

    async with admin_world.client() as client:
        made = await client.create_key(NewKey("half rolled", key_type="service"))
        audit = RollAudit(AuditLog(), client.host, "default")
        await audit.save("roll_intent", old_id="x" * 21, new_name="half rolled")
        await audit.save(
            "roll_created", old_id="x" * 21, new_id=made.key_id, new_name="half rolled"
        )
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        said = message_line(pilot)
    assert f"half rolled ({made.key_id})" in said and "Revoke them" in said


async def test_ten_keys_or_more_need_the_count_typed(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary(admin_world, row_ids(pilot), 10)
        await mark(pilot, chosen)
        before = set(admin_world.fake.org.keys)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")  # not enough for 10 keys
        await settle(pilot)
        assert isinstance(app.screen, RollDialog)
        await pilot.press("9", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RollDialog) and set(admin_world.fake.org.keys) == before
        await pilot.press("backspace", "1", "0", "enter")
        await wait_roll(pilot)
        assert len(set(admin_world.fake.org.keys) - before) == 10


async def test_x_shows_in_the_footer_only_while_a_roll_runs(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")
        await wait_roll(pilot)
        await pilot.pause()
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "Revoke" in footer and "Cancel" not in footer
