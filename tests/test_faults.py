"""Every injected fault, end to end over HTTP: the engine's rows match the fake's state.

For each fault: every row agrees with the server, nothing outside the confirmed set is
revoked, each key got the fewest DELETEs the fault allows, and the audit log holds an intent
for every DELETE and one outcome per key. The tests' `instant_retries` removes every backoff wait.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lwadmin_tui.fake import FaultSwitches
from lwadmin_tui.outcomes import OutcomeKind
from tests.bulk_checks import (
    assert_audit_complete,
    assert_only_confirmed_revoked,
    assert_rows_agree_with_server,
    audit_log,
    listed_ids,
    ordinary_ids,
    run_batch,
)
from tests.conftest import World

# fault, legacy server, DELETEs each key needs at the least, the outcome every key ends with
CASES = {
    "latency": (FaultSwitches(latency_ms=2), False, 1, OutcomeKind.REVOKED),
    "jitter": (FaultSwitches(latency_ms=1, jitter_ms=8), False, 1, OutcomeKind.REVOKED),
    "slow-list": (FaultSwitches(list_latency_ms=40), False, 1, OutcomeKind.REVOKED),
    "429-retry-after": (
        FaultSwitches(rate_limit_times=1, retry_after="7"),
        False,
        2,
        OutcomeKind.REVOKED,
    ),
    "429-no-header": (
        FaultSwitches(rate_limit_times=2, retry_after=None),
        False,
        3,
        OutcomeKind.REVOKED,
    ),
    "503-once": (FaultSwitches(fail_once_status=503), False, 2, OutcomeKind.REVOKED),
    "503-after-apply": (
        FaultSwitches(fail_once_status=503, fail_applied=True),
        False,
        1,
        OutcomeKind.REVOKED_VERIFIED,
    ),
    "html-502": (
        FaultSwitches(fail_once_status=502, html_errors=True),
        False,
        2,
        OutcomeKind.REVOKED,
    ),
    "html-503-after-apply": (
        FaultSwitches(fail_once_status=503, html_errors=True, fail_applied=True),
        False,
        1,
        OutcomeKind.REVOKED_VERIFIED,
    ),
    "dropped-after-apply": (
        FaultSwitches(drop_after_apply=True),
        False,
        1,
        OutcomeKind.REVOKED_VERIFIED,
    ),
    "truncated-json": (
        FaultSwitches(truncate_after_apply=True),
        False,
        1,
        OutcomeKind.REVOKED_VERIFIED,
    ),
    "legacy": (FaultSwitches(), True, 1, OutcomeKind.REVOKED),
    "legacy-dropped": (FaultSwitches(drop_after_apply=True), True, 1, OutcomeKind.REVOKED_VERIFIED),
    "legacy-503": (FaultSwitches(fail_once_status=503), True, 2, OutcomeKind.REVOKED),
    "legacy-500-after-apply": (
        FaultSwitches(fail_once_status=500, fail_applied=True),
        True,
        1,
        OutcomeKind.REVOKED_VERIFIED,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_fault(admin_world: World, tmp_path: Path, case: str) -> None:
    faults, legacy, deletes, kind = CASES[case]
    admin_world.server.faults.__dict__.update(faults.__dict__)
    admin_world.server.legacy = legacy
    log = audit_log(tmp_path)
    async with admin_world.client() as client:
        chosen = ordinary_ids(admin_world, await listed_ids(client))[:6]
        before = admin_world.fake.revoked_ids()
        outcomes, _ = await run_batch(admin_world, client, chosen, log, concurrency=3)
    assert [o.kind for o in outcomes] == [kind] * len(chosen), [o.label for o in outcomes]
    assert [admin_world.server.delete_count(k) for k in chosen] == [deletes] * len(chosen)
    assert_rows_agree_with_server(admin_world, outcomes)
    assert_only_confirmed_revoked(admin_world, before, chosen)
    assert set(chosen) <= admin_world.fake.revoked_ids()
    assert_audit_complete(admin_world, log, outcomes)
    assert admin_world.server.errors == []


async def test_429_every_time_gives_up_after_three_attempts(
    admin_world: World, tmp_path: Path
) -> None:
    admin_world.server.faults.rate_limit_times = 99
    log = audit_log(tmp_path)
    async with admin_world.client() as client:
        chosen = ordinary_ids(admin_world, await listed_ids(client))[:2]
        outcomes, _ = await run_batch(admin_world, client, chosen, log)
    assert [o.label for o in outcomes] == ["429 rate limited"] * 2
    assert [o.attempts for o in outcomes] == [3, 3]
    assert not admin_world.fake.revoked_ids() & set(chosen)
    assert_audit_complete(admin_world, log, outcomes)


async def test_409_after_a_retry_counts_as_done(admin_world: World, tmp_path: Path) -> None:
    admin_world.server.faults.rate_limit_times = 1
    log = audit_log(tmp_path)
    async with admin_world.client() as client:
        await listed_ids(client)  # "another admin" revokes the doomed keys now
        doomed = sorted(admin_world.scenario.doomed_ids)
        outcomes, _ = await run_batch(admin_world, client, doomed, log)
    assert {o.label for o in outcomes} == {"409 already revoked"}
    assert all(o.done and o.attempts == 2 for o in outcomes)
    assert_audit_complete(admin_world, log, outcomes)


async def test_progress_says_which_attempt(admin_world: World, tmp_path: Path) -> None:
    admin_world.server.faults.rate_limit_times = 1
    seen: list[tuple[str, object]] = []
    async with admin_world.client() as client:
        chosen = ordinary_ids(admin_world, await listed_ids(client))[:1]
        await run_batch(
            admin_world,
            client,
            chosen,
            audit_log(tmp_path),
            on_progress=lambda k, pending: seen.append((k, pending)),
        )
    assert [getattr(p, "label", p) for _, p in seen] == [
        "sending…",
        "retrying 2/3 after 429",
        "sending…",
    ]


async def test_401_mid_batch_stops_sending(admin_world: World, tmp_path: Path) -> None:
    admin_world.server.faults.fail_once_status = 503
    log = audit_log(tmp_path)
    async with admin_world.client() as client:
        chosen = ordinary_ids(admin_world, await listed_ids(client))[:5]
        admin_world.fake.revoke_out_of_band(admin_world.scenario.credential_key_id)
        outcomes, engine = await run_batch(admin_world, client, chosen, log, concurrency=1)
    assert engine.stop_reason == "unauthorized"
    assert outcomes[0].kind is OutcomeKind.UNKNOWN  # 503, then the check itself got 401
    assert {o.kind for o in outcomes[1:]} == {OutcomeKind.NOT_ATTEMPTED}
    assert sum(admin_world.server.delete_count(k) for k in chosen) == 1
    assert_audit_complete(admin_world, log, outcomes)


async def test_cancel_lets_in_flight_finish_and_sends_nothing_new(
    admin_world: World, tmp_path: Path
) -> None:
    admin_world.server.latency_ms = 20  # keeps requests in flight when the cancel arrives
    log = audit_log(tmp_path)
    async with admin_world.client() as client:
        chosen = ordinary_ids(admin_world, await listed_ids(client))[:10]
        holder: list[object] = []

        def first_answer(_outcome: object) -> None:
            holder[0].cancel()  # type: ignore[attr-defined]

        from lwadmin_tui.audit.log import BatchAudit
        from lwadmin_tui.bulk import BulkRevoker, Target

        engine = BulkRevoker(
            client, concurrency=3, audit=BatchAudit(log, client.host), on_outcome=first_answer
        )
        holder.append(engine)
        outcomes = await engine.run(Target(k) for k in chosen)
    kinds = [o.kind for o in outcomes]
    assert kinds[:3] == [OutcomeKind.REVOKED] * 3  # the three in flight finished
    assert kinds[3:] == [OutcomeKind.NOT_ATTEMPTED] * 7
    assert admin_world.fake.revoked_ids() & set(chosen) == set(chosen[:3])
    assert_audit_complete(admin_world, log, outcomes)
    assert log.records()[-1]["cancelled"] is True


async def test_own_key_is_revoked_last(admin_world: World, tmp_path: Path) -> None:
    own = admin_world.scenario.credential_key_id
    async with admin_world.client() as client:
        chosen = [own, *ordinary_ids(admin_world, await listed_ids(client))[:7]]
        outcomes, _ = await run_batch(
            admin_world, client, chosen, audit_log(tmp_path), concurrency=4, own_key_id=own
        )
    assert all(o.kind is OutcomeKind.REVOKED for o in outcomes)
    deletes = [r.path for r in admin_world.server.wire_requests if r.method == "DELETE"]
    assert deletes[-1].endswith(own)


async def test_cancel_ends_a_long_retry_after_wait_at_once(
    admin_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`x` while a key waits out a 30 s Retry-After: the wait ends, nothing more is sent."""
    import asyncio

    from lwadmin_tui.audit.log import BatchAudit
    from lwadmin_tui.bulk import BulkRevoker, Target, retry
    from lwadmin_tui.outcomes import Pending, Stage

    monkeypatch.setitem(retry._waits, "on", True)  # this test needs the real wait
    admin_world.server.faults.rate_limit_times = 99
    admin_world.server.faults.retry_after = "30"
    async with admin_world.client() as client:
        [chosen] = ordinary_ids(admin_world, await listed_ids(client))[:1]

        def progress(_key_id: str, pending: Pending) -> None:
            if pending.stage is Stage.RETRYING:
                engine.cancel()

        audit = BatchAudit(audit_log(tmp_path), client.host)
        engine = BulkRevoker(client, audit=audit, on_progress=progress)
        outcomes = await asyncio.wait_for(engine.run([Target(chosen)]), 10)  # hang guard < 30 s
    assert [o.label for o in outcomes] == ["cancelled"]
    assert outcomes[0].message == "after 429"
    assert admin_world.server.delete_count(chosen) == 1
