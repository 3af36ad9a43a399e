"""What became of one key in a roll, in the words its row and the audit log use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RollKind(StrEnum):
    ROLLED = "rolled"
    """The new key exists and its secret was delivered; the old key is kept."""
    ROLLED_REVOKED = "rolled, old key revoked"
    NOT_ROLLED = "not rolled"
    """Nothing was made (refused, or failed before the key existed)."""
    NEW_REVOKED = "not rolled, new key revoked"
    """A new key was made but its secret reached nobody: it was revoked, the old one kept."""
    NEW_LEFT = "not rolled, new key left"
    """A new key was (or may have been) made and could not be revoked: `new_id` names it."""


@dataclass(frozen=True)
class RollOutcome:
    old_id: str
    old_name: str
    kind: RollKind
    new_id: str | None = None
    message: str = ""
