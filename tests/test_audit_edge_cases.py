"""Edge cases found by trying to break the audit log, settling and the quit question.

Each injects one fault (a full disk at an awkward moment, a hostile line in the log, a linked
state directory, an old server) and asserts that nothing is lost, held or claimed falsely.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.errors import NotFound
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.audit import fingerprint
from lwadmin_tui.audit import lock as audit_lock
from lwadmin_tui.audit.fingerprint import credential_fingerprint
from lwadmin_tui.audit.history import BatchHistory, batches, export, interrupted
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.recover import settle_batch
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.interrupted import InterruptedBatchScreen
from tests.app_driver import keys_screen, make_app, message_line, settle
from tests.bulk_checks import plant_batch
from tests.conftest import World
from tests.terminal import run_cli

K1, K2 = "k1" * 10 + "x", "k2" * 10 + "x"  # ids as the server issues them
KEY = ApiKey("sk-lw-AbCdEfGhIjKlMnOp_" + "QrStUvWxYz0123456789" * 2 + "AbCdEfGh")


def _full(fd: int, data: bytes) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _detail(key_id: str, revoked: bool) -> ApiKeyDetail:
    return ApiKeyDetail.model_validate(
        {
            "id": key_id,
            "name": key_id,
            "createdAt": "2026-08-01T00:00:00.000Z",
            "revokedAt": "2026-08-02T00:00:00.000Z" if revoked else None,
        }
    )


class RevokedReader:
    """A server on which every key asked about is revoked."""

    async def get_key(self, key_id: str) -> ApiKeyDetail:
        return _detail(key_id, revoked=True)

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
        return ()


class LegacyReader:
    """A pre-3.13 server: no GET by id (404 without the api_key_not_found code)."""

    async def get_key(self, key_id: str) -> ApiKeyDetail:
        raise NotFound(404, "API key not found", code="Not Found")

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
        return ()


def test_a_full_disk_while_taking_the_batch_lock_does_not_keep_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    monkeypatch.setattr(audit_lock, "write_all", _full)
    with pytest.raises(OSError):
        log.batch_lock("b1")
    monkeypatch.setattr(audit_lock, "write_all", fingerprint.write_all)  # space again
    assert log.lock_holder() is None  # got LockHolder(pid=0, ...): our own leaked descriptor
    log.batch_lock("b2").release()  # raises BatchRunningElsewhere "(process 0)"


def test_a_full_disk_at_the_first_start_does_not_damage_the_salt_for_good(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "state"
    real = fingerprint.write_all
    monkeypatch.setattr(fingerprint, "write_all", _full)
    with pytest.raises(OSError):
        credential_fingerprint(KEY, directory)
    monkeypatch.setattr(fingerprint, "write_all", real)  # space again
    # raises "the credential salt file ... is damaged (0 bytes); move it away" forever after;
    # the app then writes every batch with credential null and can never verify it
    assert credential_fingerprint(KEY, directory)


def test_a_far_future_time_in_the_log_gives_no_traceback() -> None:
    batch = BatchHistory("b", "9999-12-31T23:59:59-12:00", "h:1", "default")
    assert batch.started_local() == "?"  # OverflowError: date value out of range


async def test_an_outcome_of_the_wrong_type_in_the_log_does_not_break_settling(
    tmp_path: Path,
) -> None:
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    audit = BatchAudit(log, "h:1", batch_id="b1", credential="c")
    log.write_many(
        [
            audit.started_record([(K1, "one"), (K2, "two")]),
            audit.intent_record(K1, "one", 1),
            {**audit.outcome_record("two", RevokeOutcome(K2, OutcomeKind.REVOKED)), "outcome": []},
        ]
    )
    (batch,) = interrupted(batches(log.records()), "h:1", "default")
    await settle_batch(RevokedReader(), batch, log)  # TypeError: unhashable type: 'list'


async def test_a_failed_settling_does_not_leave_the_screen_thinking_a_batch_runs(
    admin_world: World,
) -> None:
    ids = sorted(
        k for k in admin_world.fake.org.keys if k != admin_world.scenario.credential_key_id
    )
    batch_id = plant_batch(admin_world, ids[:2], ids[:1])
    log = AuditLog()
    host = admin_world.url.removeprefix("http://")
    log.write_many(
        [
            {"event": "outcome", "host": host, "profile": "default", "batch": batch_id,
             "key_id": ids[1], "outcome": ["hostile"]},
            {"event": "intent", "host": host, "profile": "default", "batch": batch_id,
             "key_id": ids[1], "attempt": 1},
        ]
    )  # fmt: skip
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InterruptedBatchScreen)
        await pilot.press("v")
        await settle(pilot)
        assert not keys_screen(pilot).batch_running  # stuck True: d, r and q refuse for good


async def test_an_invalid_id_from_the_log_is_never_recorded_as_revoked(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    audit = BatchAudit(log, "h:1", batch_id="b1", credential="c")
    ids = ["ok_id_1234567890abcde", "x?y"]
    log.write_many(
        [audit.started_record([(k, k) for k in ids])] + [audit.intent_record(k, k, 1) for k in ids]
    )
    (batch,) = interrupted(batches(log.records()), "h:1", "default")
    outcomes = {o.key_id: o.kind for o in await settle_batch(LegacyReader(), batch, log)}
    assert outcomes["x?y"] is not OutcomeKind.REVOKED_VERIFIED  # "revoked (verified)", never sent


def test_exports_refuse_a_state_dir_that_is_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    (state / "lwadmin-tui").symlink_to(elsewhere)  # the audit log refuses this directory
    batch = batches([{"batch": "b1", "event": "batch", "confirmed": [["k", "n"]]}])[0]
    with pytest.raises(OSError):
        export(batch, state / "lwadmin-tui" / "exports")
    assert not (elsewhere / "exports").exists()


def test_a_deeply_nested_config_file_gives_a_sentence(isolated_config: Path) -> None:
    path = isolated_config / "lwadmin-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("x = " + "[" * 1000 + "]" * 1000 + "\n")
    path.chmod(0o600)
    result = run_cli(
        ["--no-keyring", "doctor"],
        {"XDG_CONFIG_HOME": str(isolated_config), "LWADMIN_API_KEY": KEY.reveal()},
    )
    assert "Traceback" not in result.stderr + result.stdout  # RecursionError traceback


def app_after_an_interrupted_batch(world: World) -> LwAdminApp:
    """The app, started after a run that left six keys unresolved in the audit log."""
    ids = sorted(k for k in world.fake.org.keys if k != world.scenario.credential_key_id)
    plant_batch(world, ids[:6], ids[:6])
    return make_app(world)


async def start_verifying(pilot: Pilot[Any], world: World) -> None:
    """Accept the offer to verify, and return once the (slow) verifying runs."""
    await settle(pilot)
    world.server.latency_ms = 400  # six reads: over two seconds of verifying
    await pilot.press("v")
    for _ in range(200):  # until the settling runs (state, not time)
        if keys_screen(pilot).batch_running:
            break
        await pilot.pause(0.01)


async def test_the_quit_question_during_verification_does_not_offer_a_dead_cancel(
    admin_world: World,
) -> None:
    from lwadmin_tui.ui.screens.quit_confirm import RUNNING, QuitWhileRunningScreen

    app = app_after_an_interrupted_batch(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_verifying(pilot, admin_world)
        await pilot.press("q")
        dialog = app.screen
        assert isinstance(dialog, QuitWhileRunningScreen)
        await pilot.press("x")
        shown = str(dialog.query_one("#quit-question").render())
        assert shown != RUNNING  # was "A revocation batch is still running ... x cancels"
        assert "x:" not in str(dialog.query_one("#keys-hint").render())
        await settle(pilot)


async def test_x_while_verifying_says_there_is_nothing_to_cancel(admin_world: World) -> None:
    app = app_after_an_interrupted_batch(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_verifying(pilot, admin_world)
        keys_screen(pilot).action_cancel_batch()  # as x does (the footer hides it then)
        said = message_line(pilot)
        assert "No batch is running" not in said  # it was: the settling does run
        assert "nothing to cancel" in said
        await settle(pilot)
