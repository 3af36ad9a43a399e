"""What a lost create may have left, against a hostile server and a full disk: a colleague's key
that differs only in its permissions, a read by id answering another key, a failed DELETE read
back on another key, the records of the cleanup that cannot be written; and bursts typed ahead
in the cutover, the roll dialog and the create form."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from typing import Any

from lwadmin_tui.api.errors import ServerError
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.api.new_key import NewBinding, NewKey
from lwadmin_tui.roll.orphans import Orphans

NOW = "2026-01-01T00:00:00Z"
BINDING = {"id": "rb1", "role": "ADMIN", "scopeType": "ORGANIZATION", "scopeId": "org1"}


def detail(key_id: str, **extra: Any) -> ApiKeyDetail:
    body = {
        "id": key_id,
        "name": "ci",
        "createdAt": NOW,
        "keyType": "service",
        "permissionMode": "restricted",
        "permissions": ["traces:view"],
        "roleBindings": [BINDING],
    } | extra
    return ApiKeyDetail.model_validate(body)


def row(key_id: str) -> ApiKeyInfo:
    return detail(key_id).to_info()


ASKED = NewKey(
    name="ci",
    key_type="service",
    permission_mode="restricted",
    permissions=("traces:view", "annotations:manage"),
    bindings=(NewBinding("ADMIN", "ORGANIZATION", "org1"),),
)


class StubClient:
    """A hostile server: answers are scripted per call."""

    def __init__(self, listed: list[ApiKeyInfo], details: dict[str, Any]) -> None:
        self.listed = listed
        self.details = details
        self.deletes: list[str] = []
        self.delete_errors: list[Exception] = []

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
        return tuple(self.listed)

    async def get_key(self, key_id: str) -> ApiKeyDetail:
        answer = self.details[key_id]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def revoke_key(self, key_id: str) -> None:
        self.deletes.append(key_id)
        if self.delete_errors:
            raise self.delete_errors.pop(0)


def recorder(log: list[tuple[str, dict[str, Any]]], fail_on: Any = None) -> Any:
    async def record(event: str, **fields: Any) -> None:
        if fail_on is not None and fail_on(event, fields):
            raise OSError(errno.ENOSPC, "No space left on device")
        log.append((event, fields))

    return record


# --- 2. hostile GET-by-id answers --------------------------------------------------------------


async def test_colleagues_key_with_other_permissions_is_not_revoked() -> None:
    """A colleague's restricted key of the same name, with other permissions, appeared during
    a lost create: it is not the key asked for, and is named, never revoked."""
    client = StubClient([row("colleague")], {"colleague": detail("colleague")})
    log: list[tuple[str, dict[str, Any]]] = []
    cleanup = await Orphans(client, recorder(log), set()).after_lost_create(ASKED, "lost")  # type: ignore[arg-type]
    assert client.deletes == []  # a DELETE nobody confirmed, to a key that is not ours
    assert cleanup is not None and not cleanup.revoked


async def test_get_by_id_answering_another_key_is_not_taken_for_the_found_one() -> None:
    """The GET of the listed key answers a different id: another key's fields say nothing of
    the listed one, which is not revoked."""
    asked = NewKey(
        name="ci", key_type="service", bindings=(NewBinding("ADMIN", "ORGANIZATION", "org1"),)
    )
    other = detail("someone-else", permissionMode="all", permissions=[])
    client = StubClient([row("listed")], {"listed": other})
    log: list[tuple[str, dict[str, Any]]] = []
    await Orphans(client, recorder(log), set()).after_lost_create(asked, "lost")  # type: ignore[arg-type]
    assert client.deletes == []


async def test_failed_delete_is_not_called_revoked_on_another_keys_revoked_at() -> None:
    """The DELETE of a lost key fails (5xx); the read-back answers with a different key that
    is revoked: that is not this key revoked, and the cleanup says it failed."""
    client = StubClient([], {"new1": detail("other-id", revokedAt=NOW)})
    client.delete_errors = [ServerError(500, "boom")] * 3
    log: list[tuple[str, dict[str, Any]]] = []
    cleanup = await Orphans(client, recorder(log), set()).revoke("new1", "lost")  # type: ignore[arg-type]
    assert not cleanup.revoked
    assert ("roll_cleanup", {"new_id": "new1", "revoked": True}) not in log


# --- 1. full disk at the new records -----------------------------------------------------------


async def test_retry_record_failing_in_a_roll_still_names_the_new_key(
    admin_world: Any, isolated_state: Any
) -> None:
    """A roll whose secret was not delivered revokes the new key; the first DELETE fails with
    a 5xx and the second try's `roll_cleanup_intent` cannot be written (disk full). The new
    key (valid, token nobody has) must be named in the outcome, not lost as a bare stop."""
    from lwadmin_tui.audit.log import AuditLog
    from lwadmin_tui.roll.engine import Roller
    from lwadmin_tui.roll.outcomes import RollKind
    from lwadmin_tui.roll.records import RollAudit
    from lwadmin_tui.roll.secrets import NotDelivered
    from tests.test_roll import some_keys

    class Refuses:
        where = "nowhere"

        def deliver(self, delivery: Any) -> None:
            raise NotDelivered("refused")

    (target,) = some_keys(admin_world, 1)
    async with admin_world.client() as client:
        audit = RollAudit(AuditLog(), client.host, "default")
        real_save = audit.save

        async def save(event: str, **fields: Any) -> None:
            if event == "roll_cleanup_intent" and fields.get("attempt", 1) > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            await real_save(event, **fields)

        audit.save = save  # type: ignore[method-assign]
        real_revoke = client.revoke_key
        calls = []

        async def revoke(key_id: str) -> Any:
            calls.append(key_id)
            if len(calls) == 1:
                raise ServerError(503, "busy")
            return await real_revoke(key_id)

        client.revoke_key = revoke  # type: ignore[method-assign]
        roller = Roller(client, audit, Refuses())  # type: ignore[arg-type]
        (outcome,) = await roller.run([target])
    assert outcome.kind is RollKind.NEW_LEFT, (outcome.kind, outcome.message)
    assert outcome.new_id is not None


async def test_left_record_failing_in_a_roll_still_says_a_new_key_may_exist(
    admin_world: Any, isolated_state: Any
) -> None:
    """A lost create finds two keys of its name; the `roll_left` record cannot be written.
    The outcome still says a new key with a lost secret may exist ("new key left")."""
    from lwadmin_tui.api.errors import TransportError
    from lwadmin_tui.audit.log import AuditLog
    from lwadmin_tui.roll.engine import Roller
    from lwadmin_tui.roll.outcomes import RollKind
    from lwadmin_tui.roll.records import RollAudit
    from lwadmin_tui.roll.secrets import SecretFile
    from tests.test_roll import some_keys

    (target,) = some_keys(admin_world, 1)
    async with admin_world.client() as client:
        audit = RollAudit(AuditLog(), client.host, "default")
        real_save = audit.save

        async def save(event: str, **fields: Any) -> None:
            if event == "roll_left":
                raise OSError(errno.ENOSPC, "No space left on device")
            await real_save(event, **fields)

        audit.save = save  # type: ignore[method-assign]
        real_create = client.create_key

        async def create(new: NewKey) -> Any:
            await real_create(new)  # made twice (a colleague too), the answer lost
            await real_create(new)
            raise TransportError("timed out", maybe_sent=True, timed_out=True)

        client.create_key = create  # type: ignore[method-assign]
        roller = Roller(client, audit, SecretFile())
        (outcome,) = await roller.run([target])
    assert outcome.kind is RollKind.NEW_LEFT, (outcome.kind, outcome.message)


async def test_left_record_failing_leaves_the_key_in_the_next_starts_report(
    admin_world: Any, isolated_state: Any
) -> None:
    """Same stop: the next start still names the possibly-made key."""
    from lwadmin_tui.api.errors import TransportError
    from lwadmin_tui.audit.log import AuditLog
    from lwadmin_tui.roll.engine import Roller
    from lwadmin_tui.roll.pairs import roll_history
    from lwadmin_tui.roll.records import RollAudit
    from lwadmin_tui.roll.secrets import SecretFile
    from tests.test_roll import some_keys

    (target,) = some_keys(admin_world, 1)
    async with admin_world.client() as client:
        audit = RollAudit(AuditLog(), client.host, "default")
        real_save = audit.save

        async def save(event: str, **fields: Any) -> None:
            if event == "roll_left":
                raise OSError(errno.ENOSPC, "No space left on device")
            await real_save(event, **fields)

        audit.save = save  # type: ignore[method-assign]
        real_create = client.create_key

        async def create(new: NewKey) -> Any:
            await real_create(new)
            await real_create(new)
            raise TransportError("timed out", maybe_sent=True, timed_out=True)

        client.create_key = create  # type: ignore[method-assign]
        await Roller(client, audit, SecretFile()).run([target])
        host = client.host
    history = roll_history(AuditLog().records(), host, "default")
    assert history.unfinished, "a key whose secret nobody has is named nowhere"


_ = (datetime, UTC)


# --- 3. keys typed ahead ----------------------------------------------------------------------


async def test_cutover_d_y_in_one_burst_revokes_nothing(
    admin_world: Any, isolated_state: Any
) -> None:
    from tests.app_driver import make_app, mark, row_ids, settle
    from tests.test_app_roll import ordinary, wait_roll
    from tests.test_create_guard_typeahead import burst

    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (rolled,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [rolled])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")
        await wait_roll(pilot)
        await settle(pilot)
        app.confirm_guard_seconds = 10_000.0  # every key of the burst is "early"
        revoked = admin_world.fake.revoked_ids()
        await pilot.press("C")
        await settle(pilot)
        burst(pilot, "d", "y")
        await settle(pilot)
        await settle(pilot)
        assert app.is_running
    assert admin_world.fake.revoked_ids() == revoked


async def test_roll_R_y_in_one_burst_creates_nothing(admin_world: Any, isolated_state: Any) -> None:
    from tests.app_driver import make_app, mark, row_ids, settle
    from tests.test_app_roll import ordinary
    from tests.test_create_guard_typeahead import burst

    app = make_app(admin_world, confirm_guard_seconds=10_000.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        (target,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [target])
        burst(pilot, "R", "o", "y", "enter")
        await settle(pilot)
        await settle(pilot)
        assert app.is_running
    assert set(admin_world.fake.org.keys) == before


async def test_create_c_name_enter_in_one_burst_creates_nothing(
    admin_world: Any, isolated_state: Any
) -> None:
    """`c` then a name and enter typed ahead (one read): the form was never seen."""
    from tests.app_driver import make_app, settle
    from tests.test_create_guard_typeahead import burst

    app = make_app(admin_world, confirm_guard_seconds=10_000.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        burst(pilot, "c", *"ci", "enter")
        await settle(pilot)
        await settle(pilot)
        assert app.is_running
    assert set(admin_world.fake.org.keys) == before
