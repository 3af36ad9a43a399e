"""Rolling keys against the fake over real HTTP: what the new keys keep, where their secrets
go, and every failure: a refused create, a lost answer, a secret that cannot be delivered."""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.control import Target
from lwadmin_tui.fake import FakeBinding, Scenario
from lwadmin_tui.roll.engine import Roller
from lwadmin_tui.roll.outcomes import RollKind, RollOutcome
from lwadmin_tui.roll.records import PAIR, RollAudit
from lwadmin_tui.roll.replacement import Expiry
from lwadmin_tui.roll.secrets import SecretCommand, SecretFile, SecretSink
from tests.bulk_checks import audit_records
from tests.conftest import World


def some_keys(world: World, count: int, *, personal: bool | None = None) -> list[Target]:
    scenario: Scenario = world.scenario
    skip = scenario.doomed_ids | {scenario.credential_key_id}
    keys = [
        k
        for k in world.fake.org.keys.values()
        if k.id not in skip
        and k.revoked_at is None
        and not k.is_langy_session
        and k.organization_id == world.fake.org.id
        and (personal is None or personal != k.is_service)
        and (k.expires_at is None or k.expires_at > world.fake.now())
    ]
    return [Target(k.id, k.name) for k in keys[:count]]


async def roll(
    world: World,
    targets: list[Target],
    sink: SecretSink,
    *,
    revoke_old: bool = False,
    client: LangWatchClient | None = None,
) -> tuple[list[RollOutcome], Roller]:
    log = AuditLog()
    async with client or world.client() as active:
        audit = RollAudit(log, active.host, "default")
        roller = Roller(
            active,
            audit,
            sink,
            revoke_old=revoke_old,
            revoke_audit=lambda: BatchAudit(log, active.host, reason="rolled"),
        )
        return await roller.run(targets), roller


def secret_lines(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines()]


async def test_three_keys_rolled_to_a_private_file_keep_their_access(
    admin_world: World, isolated_state: Path
) -> None:
    targets = some_keys(admin_world, 3)
    sink = SecretFile()
    outcomes, _ = await roll(admin_world, targets, sink)
    assert [o.kind for o in outcomes] == [RollKind.ROLLED] * 3
    info = os.stat(sink.path)
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert stat.S_IMODE(os.stat(sink.path.parent).st_mode) == 0o700
    lines = secret_lines(sink.path)
    assert [(line[0], line[1]) for line in lines] == [(o.old_id, o.new_id) for o in outcomes]
    fake = admin_world.fake
    for target, outcome, line in zip(targets, outcomes, lines, strict=True):
        old, new = fake.key(target.key_id), fake.key(str(outcome.new_id))
        assert old.revoked_at is None  # kept until the admin says
        assert (new.name, new.description, new.owner_user_id) == (
            old.name,
            old.description,
            old.owner_user_id,
        )
        assert new.permission_mode == old.permission_mode
        assert [(b.role, b.scope_type, b.scope_id) for b in new.bindings] == [
            (b.role, b.scope_type, b.scope_id) for b in old.bindings
        ]
        assert line[3] == new.token  # the secret that was delivered works
    records = audit_records(isolated_state)
    reads = [r for r in records if r["event"] == "roll_read"]
    assert [r["old_id"] for r in reads] == [t.key_id for t in targets]
    assert all("access" in r["keeps"] for r in reads)  # what each new key keeps, in words
    pairs = [(r["old_id"], r["new_id"]) for r in records if r["event"] == PAIR]
    assert pairs == [(o.old_id, o.new_id) for o in outcomes]
    log_text = (isolated_state / "lwadmin-tui" / "audit.jsonl").read_text()
    assert all(line[3] not in log_text for line in lines)  # never a token in the log


async def test_old_keys_are_revoked_once_their_secret_is_written(
    admin_world: World, isolated_state: Path
) -> None:
    targets = some_keys(admin_world, 2)
    outcomes, _ = await roll(admin_world, targets, SecretFile(), revoke_old=True)
    assert [o.kind for o in outcomes] == [RollKind.ROLLED_REVOKED] * 2
    for outcome in outcomes:
        assert admin_world.fake.key(outcome.old_id).revoked_at is not None
        assert admin_world.fake.key(str(outcome.new_id)).revoked_at is None
    events = [r["event"] for r in audit_records(isolated_state)]
    assert events.index(PAIR) < events.index("intent")  # delivered before any old DELETE


async def test_a_secret_command_gets_the_token_on_stdin_only(
    admin_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "vault"
    script = (
        "import os, sys, json; token = sys.stdin.read().strip(); "
        f"open({str(out)!r}, 'a').write(json.dumps([token, sys.argv[1:], "
        "{k: v for k, v in os.environ.items() if k.startswith(('LWADMIN', 'LANGWATCH'))}]) + '\\n')"
    )
    monkeypatch.setenv("LWADMIN_API_KEY", admin_world.scenario.token)
    command = SecretCommand(f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} put")
    outcomes, _ = await roll(admin_world, some_keys(admin_world, 2), command)
    assert [o.kind for o in outcomes] == [RollKind.ROLLED] * 2
    seen = [json.loads(line) for line in out.read_text().splitlines()]
    for (token, argv, env), outcome in zip(seen, outcomes, strict=True):
        assert token == admin_world.fake.key(str(outcome.new_id)).token
        assert argv == ["put"]  # nothing of the token in argv
        assert token not in json.dumps(env)
        assert env["LWADMIN_ROLL_NEW_ID"] == outcome.new_id
        assert "LWADMIN_API_KEY" not in env  # the admin's credential is not handed on


async def test_a_failing_secret_command_revokes_the_new_key_and_keeps_the_old(
    admin_world: World,
) -> None:
    targets = some_keys(admin_world, 1)
    outcomes, _ = await roll(
        admin_world,
        targets,
        SecretCommand(f"{shlex.quote(sys.executable)} -c 'exit(3)'"),
        revoke_old=True,
    )
    (outcome,) = outcomes
    assert outcome.kind is RollKind.NEW_REVOKED
    assert "exited with status 3" in outcome.message
    assert admin_world.fake.key(str(outcome.new_id)).revoked_at is not None
    assert admin_world.fake.key(targets[0].key_id).revoked_at is None  # old key kept


async def test_a_full_disk_for_the_secrets_revokes_the_new_key(
    admin_world: World, tiny_disk: Path
) -> None:
    (tiny_disk / "filler").write_bytes(b"x" * (64 * 1024 - 512))
    with pytest.raises(OSError), open(tiny_disk / "more", "wb") as more:  # to the last block
        while True:
            more.write(b"x" * 4096)
            more.flush()
    sink = SecretFile(tiny_disk / "secrets" / "rolled.tsv")
    targets = some_keys(admin_world, 1)
    outcomes, _ = await roll(admin_world, targets, sink, revoke_old=True)
    (outcome,) = outcomes
    assert outcome.kind is RollKind.NEW_REVOKED and "could not be written" in outcome.message
    assert admin_world.fake.key(str(outcome.new_id)).revoked_at is not None
    assert admin_world.fake.key(targets[0].key_id).revoked_at is None


@pytest.mark.parametrize("fault", ["lost", "503"])
async def test_a_lost_create_answer_finds_the_key_it_made_and_revokes_it(
    admin_world: World, fault: str
) -> None:
    if fault == "lost":
        admin_world.server.faults.create_answer_lost = True
    else:
        admin_world.server.faults.create_fail_status = 503
    before = set(admin_world.fake.org.keys)
    targets = some_keys(admin_world, 1)
    outcomes, _ = await roll(admin_world, targets, SecretFile(), revoke_old=True)
    (outcome,) = outcomes
    made = set(admin_world.fake.org.keys) - before
    assert len(made) == 1 and outcome.new_id in made
    assert outcome.kind is RollKind.NEW_REVOKED and "answer was lost" in outcome.message
    assert admin_world.fake.key(str(outcome.new_id)).revoked_at is not None
    assert admin_world.fake.key(targets[0].key_id).revoked_at is None


async def test_a_service_key_without_org_wide_admin_is_told_who_may_roll_it(
    admin_world: World,
) -> None:
    """A service credential with organization:manage from a CUSTOM role (not a real admin)
    may read itself, but only an organization admin may mint a service key."""
    fake = admin_world.fake
    credential = fake.key(admin_world.scenario.credential_key_id)
    grants = frozenset({"organization:view", "organization:manage"})
    credential.bindings = [FakeBinding("b" * 25, "CUSTOM", "ORGANIZATION", fake.org.id, grants)]
    before = set(fake.org.keys)
    target = Target(credential.id, credential.name)
    outcomes, _ = await roll(admin_world, [target], SecretFile(), revoke_old=True)
    (outcome,) = outcomes
    assert outcome.kind is RollKind.NOT_ROLLED
    assert outcome.message.startswith("needs an organization admin: 403 ")
    assert set(fake.org.keys) == before and credential.revoked_at is None


async def test_a_replacement_may_grant_no_more_than_the_credential(manager_world: World) -> None:
    """Dana may roll her own key, but her credential grants only organization:view and
    :manage (CUSTOM), less than the key's MEMBER binding: the server refuses, nothing is made."""
    dana_key = next(
        k
        for k in manager_world.fake.org.keys.values()
        if k.name == "dana laptop" and k.revoked_at is None
    )
    outcomes, _ = await roll(manager_world, [Target(dana_key.id, dana_key.name)], SecretFile())
    (outcome,) = outcomes
    assert outcome.kind is RollKind.NOT_ROLLED
    assert "grants more than this credential holds" in outcome.message


async def test_the_expiry_kept_while_ahead_or_none(admin_world: World) -> None:
    targets = some_keys(admin_world, 1)
    old = admin_world.fake.key(targets[0].key_id)
    old.expires_at = admin_world.fake.now() + timedelta(days=30)
    log = AuditLog()
    async with admin_world.client() as client:
        for expiry, expected in [(Expiry.KEEP, old.expires_at), (Expiry.NONE, None)]:
            audit = RollAudit(log, client.host, "default")
            roller = Roller(client, audit, SecretFile(), expiry=expiry, clock=admin_world.fake.now)
            (outcome,) = await roller.run(targets)
            assert admin_world.fake.key(str(outcome.new_id)).expires_at == expected


def test_tokens_never_reach_a_repr() -> None:
    from lwadmin_tui.roll.secrets import Delivery

    token = ApiKey("sk-lw-" + "t" * 16 + "_" + "s" * 48)
    assert token.reveal() not in repr(Delivery("o", "n", "name", token))


def test_a_disk_full_mid_line_leaves_no_piece_of_a_token(tiny_disk: Path) -> None:
    """A line is written whole or not at all: the next key's line stays readable, and no file
    is left behind by a first save that failed."""
    from lwadmin_tui.roll.secrets import Delivery, NotDelivered

    def delivery(n: str) -> Delivery:
        return Delivery(f"old{n}", f"new{n}", n, ApiKey("sk-lw-" + n * 40))

    first = SecretFile(tiny_disk / "secrets" / "first.tsv")
    filler = tiny_disk / "filler"
    with pytest.raises(OSError), open(filler, "wb") as more:
        while True:
            more.write(b"x" * 512)
            more.flush()
    with pytest.raises(NotDelivered):
        first.deliver(delivery("1"))
    assert not first.path.exists()  # nothing left by the failed first save
    filler.unlink()
    sink = SecretFile(tiny_disk / "secrets" / "rolled.tsv")
    sink.deliver(Delivery("o" * 3000, "new0", "zero", ApiKey("sk-lw-" + "0" * 40)))
    with pytest.raises(OSError), open(filler, "wb") as more:
        while True:
            more.write(b"x" * 512)
            more.flush()
    with pytest.raises(NotDelivered):
        sink.deliver(Delivery("old2", "new2", "two", ApiKey("sk-lw-" + "2" * 3000)))
    filler.unlink()
    sink.deliver(delivery("3"))
    lines = sink.path.read_text().splitlines()
    assert lines[1:] == ["old3\tnew3\t3\tsk-lw-" + "3" * 40]
    assert "2" * 40 not in sink.path.read_text()
