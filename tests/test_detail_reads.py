"""Reading every key's details against the fake over real HTTP: types and owners as the server
stores them, 404s told apart (gone / not readable), retries, a cancel and a 401 that stop it."""

from __future__ import annotations

import asyncio
from collections import Counter

from lwadmin_tui.api.errors import RateLimited, ServerError
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.bulk.detail_reads import DetailReads, ReadKind
from lwadmin_tui.keys.ownership import PERSONAL, SERVICE
from tests.conftest import World


def get_paths(world: World) -> list[str]:
    return [r.path for r in world.server.wire_requests if r.method == "GET"]


async def test_every_key_is_read_with_the_type_and_owner_the_server_stores(
    admin_world: World,
) -> None:
    async with admin_world.client() as client:
        listed = await client.list_keys()
        seen: list[str] = []
        reads = DetailReads(client, concurrency=4, on_read=lambda r: seen.append(r.key_id))
        results = await reads.run([key.id for key in listed])
    assert [r.key_id for r in results] == [key.id for key in listed]
    assert sorted(seen) == sorted(key.id for key in listed)
    assert reads.counts.read == len(listed) and reads.counts.done == len(listed)
    for result in results:
        stored = admin_world.fake.key(result.key_id)
        assert result.kind is ReadKind.READ and result.ownership is not None
        assert result.ownership.key_type == (SERVICE if stored.is_service else PERSONAL)
        assert result.ownership.owner_id == stored.owner_user_id
        assert result.ownership.creator_id == stored.created_by_user_id
        assert result.ownership.permission_mode == stored.permission_mode


async def test_a_404_is_gone_when_unlisted_and_not_readable_when_still_listed(
    manager_world: World,
) -> None:
    async with manager_world.client() as client:
        listed = await client.list_keys()
        vanished = listed[-1].id
        del manager_world.fake.org.keys[vanished]  # deleted from the server: 404, not listed
        results = {r.key_id: r for r in await DetailReads(client).run([k.id for k in listed])}
    assert results[vanished].kind is ReadKind.GONE
    for key in listed[:-1]:
        stored = manager_world.fake.key(key.id)
        # A personal non-admin credential reads its owner's keys only; others answer 404.
        expected = ReadKind.READ if stored.owner_user_id else ReadKind.NOT_SHOWN
        assert results[key.id].kind is expected, stored.name


class Flaky:
    """The real client, but the first read of each key answers 429, the second 503."""

    def __init__(self, client: object) -> None:
        self.client = client
        self.calls: Counter[str] = Counter()

    async def get_key(self, key_id: str) -> ApiKeyDetail:
        self.calls[key_id] += 1
        if self.calls[key_id] == 1:
            raise RateLimited(429, "slow down", retry_after=0)
        if self.calls[key_id] == 2:
            raise ServerError(503, "Service Unavailable")
        return await self.client.get_key(key_id)  # type: ignore[attr-defined, no-any-return]

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
        return await self.client.list_keys()  # type: ignore[attr-defined, no-any-return]


async def test_429_and_503_are_retried_within_the_policy(admin_world: World) -> None:
    async with admin_world.client() as client:
        ids = [key.id for key in (await client.list_keys())[:5]]
        flaky = Flaky(client)
        results = await DetailReads(flaky).run(ids)
    assert all(r.kind is ReadKind.READ for r in results)
    assert all(flaky.calls[key_id] == 3 for key_id in ids)


async def test_a_401_stops_every_worker(admin_world: World) -> None:
    async with admin_world.client() as client:
        ids = [key.id for key in await client.list_keys()]
        admin_world.fake.revoke_out_of_band(admin_world.scenario.credential_key_id)
        before = len(get_paths(admin_world))
        reads = DetailReads(client, concurrency=3)
        results = await reads.run(ids)
    assert reads.unauthorized
    sent = len(get_paths(admin_world)) - before
    assert sent <= 3  # each worker's first read at most; nothing after the 401
    kinds = Counter(r.kind for r in results)
    assert kinds[ReadKind.FAILED] == sent and kinds[ReadKind.NOT_READ] == len(ids) - sent


async def test_a_cancel_stops_new_reads_and_keeps_what_was_read(admin_world: World) -> None:
    async with admin_world.client() as client:
        ids = [key.id for key in await client.list_keys()]
        reads: DetailReads

        def cancel_after_three(result: object) -> None:
            if reads.counts.done == 3:
                reads.cancel()

        reads = DetailReads(client, concurrency=1, on_read=cancel_after_three)
        results = await reads.run(ids)
    kinds = Counter(r.kind for r in results)
    assert kinds[ReadKind.READ] == 3 and kinds[ReadKind.NOT_READ] == len(ids) - 3
    assert reads.cancelled


async def test_an_id_that_is_not_an_id_is_never_sent(admin_world: World) -> None:
    async with admin_world.client() as client:
        before = len(get_paths(admin_world))
        results = await DetailReads(client).run(["..", "a/b", "latest"])
    assert [r.kind for r in results] == [ReadKind.FAILED] * 3
    assert len(get_paths(admin_world)) == before


async def test_a_worker_bug_stops_the_reads_without_losing_a_key(admin_world: World) -> None:
    class Broken:
        async def get_key(self, key_id: str) -> ApiKeyDetail:
            await asyncio.sleep(0)
            raise RuntimeError("planted")

        async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
            return ()

    ids = [f"key{n:018d}" for n in range(10)]
    results = await DetailReads(Broken(), concurrency=2).run(ids)
    assert [r.key_id for r in results] == ids
    assert {r.kind for r in results} <= {ReadKind.FAILED, ReadKind.NOT_READ}


async def test_the_first_failure_is_kept_for_the_summary(admin_world: World) -> None:
    class Html:
        async def get_key(self, key_id: str) -> ApiKeyDetail:
            from lwadmin_tui.api.errors import BadResponse

            raise BadResponse("the server answered 200 with an HTML page, not JSON", status=200)

        async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
            return ()

    reads = DetailReads(Html())
    await reads.run([f"key{n:018d}" for n in range(3)])
    assert reads.counts.failed == 3 and "HTML page" in reads.first_failure
