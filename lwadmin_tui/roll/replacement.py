"""What the new key of a roll keeps from the old one, and the words that say so.

Name, description, bindings, permission mode and permissions, type and owner (a personal key is
made for the same user) are kept. The expiry is chosen: the old date while it is still ahead,
none, or a date the admin gives.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from lwadmin_tui.api.models import ApiKeyDetail
from lwadmin_tui.api.new_key import NewBinding, NewKey
from lwadmin_tui.keys.ownership import ACCESS_WORDS


class Expiry(StrEnum):
    KEEP = "keep"
    """The old key's expiry when it is still in the future, else none."""
    NONE = "none"
    DATE = "date"


def replacement_for(
    old: ApiKeyDetail, expiry: Expiry, now: datetime, date: datetime | None = None
) -> NewKey:
    """The create body of `old`'s replacement."""
    personal = old.key_type == "personal" or (old.key_type is None and old.assigned_to_user_id)
    if expiry is Expiry.DATE:
        expires = date
    elif expiry is Expiry.KEEP and old.expires_at is not None and old.expires_at > now:
        expires = old.expires_at
    else:
        expires = None
    mode = old.permission_mode if old.permission_mode in ACCESS_WORDS else "all"
    return NewKey(
        name=old.name,
        key_type="personal" if personal else "service",
        description=old.description,
        assigned_to_user_id=old.assigned_to_user_id if personal else None,
        permission_mode=mode,
        permissions=tuple(old.permissions) if mode == "restricted" else (),
        bindings=tuple(
            NewBinding(str(b.role), str(b.scope_type), b.scope_id) for b in old.role_bindings
        ),
        expires_at=expires,
    )


def kept_words(new: NewKey) -> str:
    """One line: what the new key keeps (for the dialog and the audit log)."""
    owner = (
        f"personal, for user {new.assigned_to_user_id}"
        if new.key_type == "personal" and new.assigned_to_user_id
        else new.key_type
    )
    bindings = ", ".join(f"{b.role}@{b.scope_type.lower()}" for b in new.bindings) or "no binding"
    access = ACCESS_WORDS.get(new.permission_mode, new.permission_mode)
    if new.permissions:
        access += f" ({len(new.permissions)} permissions)"
    expires = f"expires {new.expires_at:%Y-%m-%d}" if new.expires_at else "no expiry"
    return f"{owner}; {bindings}; access {access}; {expires}"
