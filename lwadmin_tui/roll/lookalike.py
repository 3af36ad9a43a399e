"""Is a key found after a lost create the key that create asked for? Its name alone is not
enough: a colleague may have made a key of that name meanwhile, and revoking theirs is a
request nobody confirmed. So the key found is read (GET by id) and compared with the body sent.
"""

from __future__ import annotations

from datetime import timedelta

from lwadmin_tui.api.models import ApiKeyDetail
from lwadmin_tui.api.new_key import NewKey

_SAME_MOMENT = timedelta(seconds=1)  # the body's expiry is sent to the millisecond


def differences(found: ApiKeyDetail, asked: NewKey) -> list[str]:
    """What of `found` is not as `asked` (empty: it is the key that create would have made)."""
    differ = []
    if found.key_type is not None and found.key_type != asked.key_type:
        differ.append("type")
    if (
        asked.key_type == "personal"
        and asked.assigned_to_user_id is not None
        and found.assigned_to_user_id != asked.assigned_to_user_id
    ):
        differ.append("owner")
    if (found.permission_mode or "all") != asked.permission_mode:
        differ.append("permission mode")
    elif asked.permission_mode == "restricted" and set(found.permissions) != set(asked.permissions):
        differ.append("permissions")
    if not _same_bindings(found, asked):
        differ.append("bindings")
    if (found.description or None) != (asked.description or None):
        differ.append("description")
    if not _same_expiry(found, asked):
        differ.append("expiry")
    return differ


def _same_bindings(found: ApiKeyDetail, asked: NewKey) -> bool:
    have = {(str(b.role), str(b.scope_type), b.scope_id) for b in found.role_bindings}
    if not asked.bindings and asked.key_type == "service":
        # The server gives a bindingless service key one organization-wide ADMIN binding.
        return len(have) == 1 and next(iter(have))[:2] == ("ADMIN", "ORGANIZATION")
    return have == {(b.role, b.scope_type, b.scope_id) for b in asked.bindings}


def _same_expiry(found: ApiKeyDetail, asked: NewKey) -> bool:
    if found.expires_at is None or asked.expires_at is None:
        return found.expires_at is None and asked.expires_at is None
    return abs(found.expires_at - asked.expires_at) < _SAME_MOMENT
