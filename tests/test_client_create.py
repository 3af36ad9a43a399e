"""Creating and updating keys through the app's client, over real HTTP against the fake."""

from __future__ import annotations

import pytest

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import Forbidden, Unprocessable
from lwadmin_tui.api.new_key import NewBinding, NewKey
from tests.conftest import World


async def test_a_created_key_authenticates_and_its_token_never_shows(admin_world: World) -> None:
    async with admin_world.client() as client:
        created = await client.create_key(NewKey("deploy bot", key_type="service"))
    secret = created.token.reveal()
    assert secret.startswith("sk-lw-")
    assert secret not in repr(created) and secret not in str(created.token)
    async with LangWatchClient(admin_world.url, created.token) as as_new:
        listed = {k.id for k in await as_new.list_keys()}
    assert created.key_id in listed


async def test_what_a_personal_key_keeps(admin_world: World) -> None:
    org = admin_world.fake.org
    maya = next(u.id for u in org.users.values() if u.name == "Maya Chen")
    fleet = next(p.id for p in org.projects if p.slug == "fleet-telemetry")
    new = NewKey(
        "maya notebook",
        description="Jupyter",
        assigned_to_user_id=maya,
        permission_mode="readonly",
        bindings=(NewBinding("VIEWER", "PROJECT", fleet),),
    )
    async with admin_world.client() as client:
        created = await client.create_key(new)
        detail = await client.get_key(created.key_id)
        renamed = await client.update_key(created.key_id, {"name": "maya notebook 2"})
    assert (detail.key_type, detail.assigned_to_user_id) == ("personal", maya)
    assert detail.permission_mode == "readonly" and detail.description == "Jupyter"
    assert [(b.role, b.scope_type, b.scope_id) for b in detail.role_bindings] == [
        ("VIEWER", "PROJECT", fleet)
    ]
    assert renamed.name == "maya notebook 2"


async def test_refusals_name_their_fields_and_who_may(
    admin_world: World, manager_world: World
) -> None:
    async with admin_world.client() as client:
        with pytest.raises(Unprocessable) as invalid:
            await client.create_key(NewKey("x" * 101, key_type="service"))
    assert invalid.value.fields == ("name",)
    async with manager_world.client() as client:
        with pytest.raises(Forbidden) as refused:
            await client.create_key(NewKey("svc", key_type="service"))
    assert refused.value.needs_admin and refused.value.message
