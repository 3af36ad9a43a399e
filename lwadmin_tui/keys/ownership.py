"""Whose key it is: what `GET /api/api-keys/{id}` says beyond the list row, kept per key id.

The list row has no owner and no key type. A detail read gives both, plus the creator and the
permission mode. Type, owner and creator never change for a key; the permission mode can (PATCH),
so it is kept with the time it was read.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from lwadmin_tui.api.models import ApiKeyDetail

PERSONAL, SERVICE = "personal", "service"
ACCESS_WORDS = {"all": "all", "readonly": "read-only", "restricted": "restricted"}


class Ownership(msgspec.Struct, frozen=True, gc=False):
    """One key's type, owner and creator (user ids), and its access as of `read_at`.

    A struct made in C: a start with 10,000 owners in the cache built them as dataclasses in
    15 ms (benchmarks/OWNERS.md). Every field is immutable, so the garbage collector skips them.
    """

    key_type: str
    """`personal` (the key has an owner) or `service`."""
    owner_id: str | None = None
    creator_id: str | None = None
    permission_mode: str | None = None
    """`all`, `readonly` or `restricted`, as of `read_at` (None: not known)."""
    read_at: datetime | None = None

    @property
    def is_service(self) -> bool:
        return self.key_type == SERVICE

    @property
    def access(self) -> str:
        """`all` / `read-only` / `restricted`, or `?` when not known."""
        return ACCESS_WORDS.get(self.permission_mode or "", "?")

    @classmethod
    def from_detail(cls, detail: ApiKeyDetail, read_at: datetime) -> Ownership:
        """The server's `keyType`; an older answer without it: personal when it names an owner."""
        owner = detail.assigned_to_user_id or None
        key_type = detail.key_type if detail.key_type in (PERSONAL, SERVICE) else None
        return cls(
            key_type=key_type or (PERSONAL if owner else SERVICE),
            owner_id=owner,
            creator_id=detail.created_by_user_id or None,
            permission_mode=detail.permission_mode,
            read_at=read_at,
        )
