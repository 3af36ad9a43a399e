"""Plans in the TUI: `P` writes the marked keys as a plan `revoke apply` takes, and `--plan`
opens one for review with exactly its unchanged keys marked and the drifted ones flagged."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from lwadmin_tui.runbook.plan import read_plan
from lwadmin_tui.settings.paths import exports_dir
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from tests.app_driver import cell, keys_screen, make_app, mark, message_line, row_ids, settle
from tests.conftest import FIXED_NOW, World
from tests.terminal import WAIT, Terminal, app_env


async def test_p_writes_the_marked_keys_as_a_plan(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = row_ids(pilot)[2:5]
        await mark(pilot, chosen)
        await pilot.press("P")
        await settle(pilot)
        assert "Wrote a plan of 3 keys" in message_line(pilot)
    plans = list(exports_dir().glob("plan-*.json"))
    assert len(plans) == 1 and plans[0].stat().st_mode & 0o777 == 0o600
    plan = read_plan(plans[0])
    assert [k.id for k in plan.keys] == [k for k in row_ids_order(admin_world) if k in chosen]
    assert plan.host == admin_world.url.split("://", 1)[1]
    assert admin_world.scenario.token not in plans[0].read_text()
    assert not any(r.method == "DELETE" for r in admin_world.fake.requests)


def row_ids_order(world: World) -> list[str]:
    keys = [k for k in world.fake.org.keys.values() if not k.is_langy_session]
    keys.sort(key=lambda k: (k.created_at, k.id), reverse=True)
    return [k.id for k in keys]


async def test_a_plan_opens_with_its_unchanged_keys_marked_and_the_drifted_flagged(
    admin_world: World, tmp_path: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = row_ids(pilot)[2:6]
        await mark(pilot, chosen)
        await pilot.press("P")
        await settle(pilot)
    path = next(exports_dir().glob("plan-*.json"))
    used, renamed = chosen[0], chosen[1]
    admin_world.fake.key(used).last_used_at = FIXED_NOW + timedelta(minutes=5)
    admin_world.fake.key(renamed).name = "renamed since"
    app = make_app(admin_world, plan=read_plan(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        state = keys_screen(pilot).state
        assert state.marked == set(chosen[2:])
        assert cell(pilot, used, "result") == "drifted: used since the plan"
        assert cell(pilot, renamed, "result") == "drifted: renamed since the plan"
        said = message_line(pilot)
        assert "2 marked as planned" in said and "2 drifted" in said
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert {k.id for k in dialog.keys} == set(chosen[2:])


def test_a_plan_for_another_host_is_refused_before_the_app_starts(
    admin_world: World, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    body = {"format": "lwadmin-tui revocation plan", "version": 1, "host": "app.langwatch.ai",
            "profile": "default", "created": "2026-08-22T12:00:00Z", "filters": "expired",
            "count": 0, "keys": []}  # fmt: skip
    plan.write_text(json.dumps(body))
    with Terminal(["--plan", str(plan)], app_env(admin_world)) as term:
        assert term.wait_exit(WAIT) == 2
        assert "made for app.langwatch.ai" in term.plain_output
