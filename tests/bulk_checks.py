"""Running the bulk engine against the fake over HTTP, and the checks every fault must pass."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.audit.fingerprint import credential_fingerprint
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk import BulkRevoker, Target
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome
from tests.conftest import World


def ordinary_ids(world: World, ids: list[str]) -> list[str]:
    """Listed keys that no one else revokes and that are not the app's own credential."""
    skip = world.scenario.doomed_ids | {world.scenario.credential_key_id}
    return [key_id for key_id in ids if key_id not in skip]


async def listed_ids(client: LangWatchClient) -> list[str]:
    return [key.id for key in await client.list_keys()]


def audit_log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def audit_records(state: Path) -> list[dict[str, Any]]:
    """What the app wrote to its audit log under the state directory `state`."""
    return AuditLog(state / "lwadmin-tui" / "audit.jsonl").records()


async def run_batch(
    world: World, client: LangWatchClient, ids: list[str], log: AuditLog, **options: object
) -> tuple[list[RevokeOutcome], BulkRevoker]:
    audit = BatchAudit(log, client.host)
    names = {key_id: world.fake.key(key_id).name for key_id in ids if key_id in world.fake.org.keys}
    engine = BulkRevoker(client, audit=audit, **options)  # type: ignore[arg-type]
    outcomes = await engine.run(Target(key_id, names.get(key_id, "")) for key_id in ids)
    return outcomes, engine


def assert_rows_agree_with_server(world: World, outcomes: list[RevokeOutcome]) -> None:
    """No row claims what the server contradicts."""
    for outcome in outcomes:
        key = world.fake.org.keys.get(outcome.key_id)
        if outcome.kind is OutcomeKind.NOT_FOUND:
            assert key is None or key.revoked_at is None, outcome
        elif outcome.done:
            assert key is not None and key.revoked_at is not None, outcome
        elif outcome.kind is not OutcomeKind.UNKNOWN:
            assert key is None or key.revoked_at is None, outcome


def assert_only_confirmed_revoked(world: World, before: set[str], confirmed: list[str]) -> None:
    assert world.fake.revoked_ids() - before <= set(confirmed)


def assert_audit_complete(world: World, log: AuditLog, outcomes: list[RevokeOutcome]) -> None:
    """An intent for every DELETE that reached the server, one outcome for every key."""
    records = log.records()
    intents = Counter(r["key_id"] for r in records if r["event"] == "intent")
    finals = Counter(r["key_id"] for r in records if r["event"] == "outcome")
    for outcome in outcomes:
        assert intents[outcome.key_id] == world.server.delete_count(outcome.key_id), outcome
        assert intents[outcome.key_id] == outcome.attempts
        assert finals[outcome.key_id] == 1
    by_key = {r["key_id"]: r for r in records if r["event"] == "outcome"}
    for outcome in outcomes:
        assert by_key[outcome.key_id]["outcome"] == outcome.kind.value
    assert world.scenario.token not in log.path.read_text()


def plant_batch(
    world: World,
    confirmed: list[str],
    sent: list[str],
    *,
    key: ApiKey | None = None,
    host: str = "",
) -> str:
    """What a run killed mid-batch leaves: every confirmed key in the batch record, intents
    for `sent`, no outcome. Made with the world's credential, or `key`'s (another one)."""
    log = AuditLog()
    credential = credential_fingerprint(key or world.api_key, log.path.parent)
    audit = BatchAudit(
        log, host or world.url.removeprefix("http://"), credential=credential, key_last4="wxyz"
    )
    names = [(key_id, world.fake.key(key_id).name) for key_id in confirmed]
    log.write_many([audit.started_record(names)])
    log.write_many([audit.intent_record(k, world.fake.key(k).name, 1) for k in sent])
    return audit.batch_id
