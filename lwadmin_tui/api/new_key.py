"""A key to create (`POST /api/api-keys`) and what the server answers: the new key and its token.

The token is in that one answer only. It is held as an `ApiKey`, whose repr and str show its
last 4 characters, so it cannot reach a log line, a traceback or the screen by accident.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lwadmin_tui.api.auth import ApiKey


@dataclass(frozen=True)
class NewBinding:
    role: str
    scope_type: str
    scope_id: str


@dataclass(frozen=True)
class NewKey:
    """The body of a create, in the server's terms (reference/langwatch-api.md)."""

    name: str
    key_type: str = "personal"
    description: str | None = None
    assigned_to_user_id: str | None = None
    """A personal key's owner; None: the caller's own user."""
    permission_mode: str = "all"
    permissions: tuple[str, ...] = ()
    bindings: tuple[NewBinding, ...] = ()
    expires_at: datetime | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "keyType": self.key_type,
            "permissionMode": self.permission_mode,
        }
        if self.description is not None:
            body["description"] = self.description
        if self.key_type == "personal" and self.assigned_to_user_id is not None:
            body["assignedToUserId"] = self.assigned_to_user_id
        if self.permission_mode == "restricted":
            body["permissions"] = list(self.permissions)
        if self.bindings:
            body["bindings"] = [
                {"role": b.role, "scopeType": b.scope_type, "scopeId": b.scope_id}
                for b in self.bindings
            ]
        if self.expires_at is not None:
            moment = self.expires_at.astimezone(UTC)
            body["expiresAt"] = moment.strftime("%Y-%m-%dT%H:%M:%S.") + (
                f"{moment.microsecond // 1000:03d}Z"
            )
        return body


@dataclass(frozen=True)
class CreatedKey:
    """The 201 answer: the new key's id, name and time, and its token (shown once)."""

    key_id: str
    name: str
    created_at: datetime
    token: ApiKey = field(repr=False)


def utf16_length(text: str) -> int:
    """A string's length as JavaScript (and the server's zod limits) count it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def same_name(a: str, b: str) -> bool:
    """Names as the server compares them; ends trimmed in case it trims them."""
    return a.strip() == b.strip()


def token_digest(token: ApiKey) -> str:
    """What is kept of a token handed out, to see it again: never the token itself."""
    return hashlib.sha256(token.reveal().encode()).hexdigest()


def unusable_answer(asked: NewKey, created: CreatedKey, credential: ApiKey, seen: set[str]) -> str:
    """Why a 201 is not the key asked for ("" when it is). A key was made, but a token that is
    the admin's own credential, one handed out before, or a key of another name is not its
    secret: the caller treats the answer as lost, finds the key made and revokes it."""
    if hmac.compare_digest(created.token.reveal().encode(), credential.reveal().encode()):
        return "the server's create answer gave this session's own credential as the new token"
    if token_digest(created.token) in seen:
        return "the server's create answer gave a token it had already given for another key"
    if not same_name(created.name, asked.name):
        return "the server's create answer named a key of another name"
    return ""
