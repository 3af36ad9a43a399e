"""A lost create this credential's list cannot show is never called "no key was made"."""

from __future__ import annotations

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.new_key import NewBinding, NewKey
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.roll.create import create_one
from lwadmin_tui.roll.records import RollAudit
from tests.conftest import World


async def test_a_lost_create_for_another_owner_is_not_called_not_made(admin_world: World) -> None:
    """A personal admin credential lists only its owner's keys (and service keys): a key it made
    for someone else and lost the answer to is out of its sight, not proof of nothing made."""
    fake = admin_world.fake
    admins = {u.id for u in fake.org.users.values() if u.org_role == "ADMIN"}
    mine = next(
        k
        for k in fake.org.keys.values()
        if k.owner_user_id in admins
        and k.revoked_at is None
        and any(b.role == "ADMIN" and b.scope_type == "ORGANIZATION" for b in k.bindings)
        and (k.expires_at is None or k.expires_at > fake.now())
    )
    other = next(
        u for u in fake.org.users.values() if u.id != mine.owner_user_id and not u.deactivated
    )
    project = fake.org.projects[0].id
    admin_world.server.faults.create_answer_lost = True
    before = set(fake.org.keys)
    new = NewKey(
        "for a colleague",
        assigned_to_user_id=other.id,
        bindings=(NewBinding("VIEWER", "PROJECT", project),),
    )
    async with admin_world.client(ApiKey(mine.token)) as client:
        result = await create_one(client, RollAudit(AuditLog(), client.host, "default"), new)
    live = [k for k in set(fake.org.keys) - before if fake.key(k).revoked_at is None]
    assert result.created is None
    assert not live or "no key was made" not in result.message, result.message
