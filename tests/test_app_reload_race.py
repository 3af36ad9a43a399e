"""A reload still in flight when a batch starts must not wipe the batch's results."""

from __future__ import annotations

import pytest

from tests.app_driver import cell, keys_screen, make_app, message_line, row_ids, settle
from tests.conftest import World

pytestmark = pytest.mark.pilot


async def test_a_reload_in_flight_does_not_replace_the_batch_rows(admin_world: World) -> None:
    app = make_app(admin_world, concurrency=4)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = keys_screen(pilot)
        skip = admin_world.scenario.doomed_ids | {admin_world.scenario.credential_key_id}
        chosen = [k for k in row_ids(pilot) if k not in skip][:3]
        admin_world.server.faults.list_latency_ms = 300  # the list answers after the batch
        screen.action_reload()
        screen.batches.start_batch([screen.state.keys[k] for k in chosen])  # what y does
        await settle(pilot)
        assert all(k in row_ids(pilot) for k in chosen)
        assert [cell(pilot, k, "result") for k in chosen] == ["revoked"] * 3
        assert "3 keys: 3 revoked" in message_line(pilot)
    assert set(chosen) <= admin_world.fake.revoked_ids()
