"""Listed ids that are not ids (`..`, `../../teams`, ...) are never sent, and say so in their row.

Before, `..` went out as `DELETE /api` and `.` as `DELETE /api/api-keys` (the collection):
`quote()` keeps dot segments and httpx resolves them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lwadmin_tui.api.errors import InvalidKeyId
from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.fake import FakeServer, admin_scenario
from tests.app_driver import cell, keys_screen, make_app, row_ids, settle
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_ids import ODD_IDS, OddIdsLangWatch


@pytest.fixture
def odd_world() -> Iterator[World]:
    scenario = admin_scenario(FIXED_NOW)
    server = FakeServer(OddIdsLangWatch(scenario.app)).start()  # type: ignore[arg-type]
    try:
        yield World(scenario, server)
    finally:
        server.stop()


def deletes(world: World) -> list[str]:
    return [r.path for r in world.server.wire_requests if r.method == "DELETE"]


@pytest.mark.parametrize("key_id", ODD_IDS)
def test_an_odd_id_is_not_a_key_id(key_id: str) -> None:
    assert not is_key_id(key_id)


def test_real_ids_are_key_ids(admin_world: World) -> None:
    assert all(is_key_id(key_id) for key_id in admin_world.fake.org.keys)


async def test_the_client_builds_no_request_for_an_odd_id(odd_world: World) -> None:
    async with odd_world.client() as client:
        for key_id in ODD_IDS:
            with pytest.raises(InvalidKeyId):
                await client.revoke_key(key_id)
            with pytest.raises(InvalidKeyId):
                await client.get_key(key_id)
    assert odd_world.server.wire_requests == []


@pytest.mark.pilot
async def test_odd_ids_are_refused_in_their_rows_and_the_rest_is_sent(odd_world: World) -> None:
    skip = odd_world.scenario.doomed_ids | {odd_world.scenario.credential_key_id}
    app = make_app(odd_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listed = row_ids(pilot)
        assert set(ODD_IDS) <= set(listed)
        real = [k for k in listed if k not in ODD_IDS and k not in skip][:2]
        keys_screen(pilot).state.mark([*ODD_IDS, *real])
        await pilot.press("d", "y", *str(len(ODD_IDS) + 2), "enter")
        await settle(pilot)
        for key_id in ODD_IDS:
            assert cell(pilot, key_id, "result") == "not sent: invalid id"
        assert all(cell(pilot, key_id, "result") == "revoked" for key_id in real)
    assert sorted(deletes(odd_world)) == sorted(f"/api/api-keys/{k}" for k in real)
