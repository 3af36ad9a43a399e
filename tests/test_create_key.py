"""Creating one key: headless over real HTTP (records, a lost answer, refusals), and `N` in the
TUI with its dialog and the token shown once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lwadmin_tui.api.new_key import NewBinding, NewKey
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.roll.create import create_one
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import cell, make_app, mark, message_line, row_ids, settle
from tests.bulk_checks import audit_records
from tests.conftest import World


async def test_a_created_key_is_recorded_without_its_token(
    admin_world: World, isolated_state: Path
) -> None:
    async with admin_world.client() as client:
        audit = RollAudit(AuditLog(), client.host, "default")
        result = await create_one(client, audit, NewKey("ingest bot", key_type="service"))
    assert result.created is not None and not result.message
    token = result.created.token.reveal()
    assert admin_world.fake.key(result.created.key_id).token == token
    events = [r["event"] for r in audit_records(isolated_state)]
    assert events == ["create_intent", "created"]
    assert token not in (isolated_state / "lwadmin-tui" / "audit.jsonl").read_text()


@pytest.mark.parametrize("fault", ["lost", "503"])
async def test_a_lost_answer_revokes_the_key_it_made(admin_world: World, fault: str) -> None:
    if fault == "lost":
        admin_world.server.faults.create_answer_lost = True
    else:
        admin_world.server.faults.create_fail_status = 503
    before = set(admin_world.fake.org.keys)
    async with admin_world.client() as client:
        audit = RollAudit(AuditLog(), client.host, "default")
        result = await create_one(client, audit, NewKey("lost bot", key_type="service"))
    (made,) = set(admin_world.fake.org.keys) - before
    assert result.created is None and "was revoked" in result.message
    assert admin_world.fake.key(made).revoked_at is not None


async def test_a_refusal_says_who_may(manager_world: World) -> None:
    async with manager_world.client() as client:
        audit = RollAudit(AuditLog(), client.host, "default")
        result = await create_one(client, audit, NewKey("svc", key_type="service"))
    assert result.created is None
    assert result.message.startswith("needs an organization admin: 403 ")


async def test_c_creates_a_key_and_shows_its_token_once(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        await pilot.press(*"  ")  # blank: the dialog asks for a name, nothing is sent
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CreateKeyDialog)
        assert set(admin_world.fake.org.keys) == before
        dialog.query_one("#name").value = "exporter for grafana"  # type: ignore[attr-defined]
        dialog.query_one("#type").value = "service"  # type: ignore[attr-defined]
        dialog.query_one("#scope").value = f"ORGANIZATION:{admin_world.fake.org.id}"  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.click("#create")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, TokenScreen):
                break
        assert isinstance(app.screen, TokenScreen)
        (made,) = set(admin_world.fake.org.keys) - before
        token = app.screen.delivery.token.reveal()
        assert admin_world.fake.key(made).token == token
        await pilot.press("s")
        saved = Path(app.screen.saved_to)
        assert token in saved.read_text() and saved.stat().st_mode & 0o777 == 0o600
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, TokenScreen)
        assert made in row_ids(pilot)
        assert "Created the key exporter for grafana" in message_line(pilot)
        assert token not in message_line(pilot)


def test_the_create_body_says_what_the_dialog_asked() -> None:
    body = NewKey(
        "x", bindings=(NewBinding("VIEWER", "PROJECT", "p1"),), permission_mode="readonly"
    ).body()
    assert body == {
        "name": "x",
        "keyType": "personal",
        "permissionMode": "readonly",
        "bindings": [{"role": "VIEWER", "scopeType": "PROJECT", "scopeId": "p1"}],
    }


async def test_c_with_two_bindings_and_restricted_access(admin_world: World) -> None:
    org = admin_world.fake.org
    fleet = next(p for p in org.projects if p.slug == "fleet-telemetry")
    team = org.teams[0]
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(org.keys)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        dialog.query_one("#name").value = "two scopes"  # type: ignore[attr-defined]
        dialog.query_one("#type").value = "service"  # type: ignore[attr-defined]
        dialog.query_one("#scope").value = f"PROJECT:{fleet.id}"  # type: ignore[attr-defined]
        await pilot.click("#add-binding")
        dialog.query_one("#role").value = "MEMBER"  # type: ignore[attr-defined]
        dialog.query_one("#scope").value = f"TEAM:{team.id}"  # type: ignore[attr-defined]
        dialog.query_one("#mode").value = "restricted"  # type: ignore[attr-defined]
        await pilot.pause()
        dialog.query_one("#permissions").value = "traces:view, datasets:view"  # type: ignore[attr-defined]
        await pilot.click("#create")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, TokenScreen):
                break
        (made,) = set(org.keys) - before
        key = admin_world.fake.key(made)
        assert [(b.role, b.scope_type, b.scope_id) for b in key.bindings] == [
            ("VIEWER", "PROJECT", fleet.id),
            ("MEMBER", "TEAM", team.id),
        ]
        assert key.permission_mode == "restricted"


async def create_service_key(pilot: Pilot[Any], world: World, name: str) -> None:
    """`c`, an organization-wide service key named `name`, Create; until its token shows."""
    app = pilot.app
    await pilot.press("c")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, CreateKeyDialog)
    dialog.query_one("#name").value = name  # type: ignore[attr-defined]
    dialog.query_one("#type").value = "service"  # type: ignore[attr-defined]
    dialog.query_one("#scope").value = f"ORGANIZATION:{world.fake.org.id}"  # type: ignore[attr-defined]
    await pilot.pause()
    await pilot.click("#create")
    for _ in range(40):
        await pilot.pause(0.05)
        if isinstance(app.screen, TokenScreen):
            break


async def test_ctrl_c_on_the_token_screen_never_loses_the_token(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await create_service_key(pilot, admin_world, "ctrl c")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, TokenScreen)


async def test_a_batchs_results_stay_in_their_rows_when_a_key_is_created(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        skip = admin_world.scenario.doomed_ids | {admin_world.scenario.credential_key_id}
        revoked = [k for k in row_ids(pilot) if k not in skip][:2]
        await mark(pilot, revoked)
        await pilot.press("d", "y")
        await settle(pilot)
        assert {cell(pilot, k, "result") for k in revoked} == {"revoked"}
        before = set(admin_world.fake.org.keys)
        await create_service_key(pilot, admin_world, "after the batch")
        await pilot.press("enter")
        await settle(pilot)
        (made,) = set(admin_world.fake.org.keys) - before
        assert made in row_ids(pilot)
        # The server no longer lists the revoked keys; their rows and results stay until `r`.
        assert {cell(pilot, k, "result") for k in revoked} == {"revoked"}


async def test_a_refused_create_says_not_created_once(admin_world: World) -> None:
    from lwadmin_tui.api.errors import ApiError

    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        async def refused(new: object) -> object:
            raise ApiError(418, "I'm a teapot")

        app.client.create_key = refused  # type: ignore[method-assign,assignment]
        await create_service_key(pilot, admin_world, "teapot")
        await settle(pilot)
        said = message_line(pilot)
    assert said.startswith("No key was created: 418") and "not created" not in said, said
