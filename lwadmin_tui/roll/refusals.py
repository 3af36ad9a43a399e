"""Why a key is not rolled as asked, and why a create was refused (and who may do it)."""

from __future__ import annotations

from datetime import datetime

from lwadmin_tui.api.errors import ApiError, Forbidden, LangWatchError, Unprocessable
from lwadmin_tui.api.models import ApiKeyDetail
from lwadmin_tui.keys.ownership import ACCESS_WORDS
from lwadmin_tui.roll.orphans import said as _said
from lwadmin_tui.roll.replacement import Expiry
from lwadmin_tui.text import safe_text


def not_rollable(old: ApiKeyDetail, expiry: Expiry, now: datetime) -> str:
    """Why `old` is not rolled as asked ("" when it is)."""
    if old.revoked_at is not None:
        return "the old key is already revoked"
    if old.permission_mode not in ACCESS_WORDS:
        return (
            f"the old key's permission mode {safe_text(old.permission_mode, 40)!r} is not one "
            "this tool knows (all, readonly, restricted): its replacement could not keep it; "
            "roll it by hand"
        )
    if not old.role_bindings:
        return (
            "the old key has no binding: its replacement would get the server's default, "
            "organization-wide ADMIN; create its replacement by hand (c)"
        )
    if expiry is Expiry.KEEP and old.expires_at is not None and old.expires_at <= now:
        return (
            "the old key has expired: keeping its expiry would give the new key none and bring "
            "back access that had lapsed; choose an expiry date (e) to roll it"
        )
    return ""


def refusal(error: LangWatchError) -> str:
    """Why a create was refused, and who may do it."""
    if isinstance(error, Forbidden) and error.needs_admin:
        return f"needs an organization admin: {_said(error)}"
    if isinstance(error, Forbidden) and error.code == "api_key_scope_violation":
        return f"grants more than this credential holds: {_said(error)}"
    if isinstance(error, Unprocessable) and error.fields:
        fields = ", ".join(safe_text(f, 40) for f in error.fields)
        return f"the server refused the new key's {fields}: {_said(error)}"
    if isinstance(error, ApiError):
        return f"not created: {_said(error)}"
    return f"not created: {_said(error)}"
