"""Messages that workers post: each names a fact that happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.outcomes import RevokeOutcome


@dataclass
class KeysLoaded(Message):
    keys: tuple[ApiKeyInfo, ...]


@dataclass
class LoadFailed(Message):
    message: str
    credential_rejected: bool = False


@dataclass
class KeySending(Message):
    key_id: str


@dataclass
class KeyRevoked(Message):
    outcome: RevokeOutcome


@dataclass
class BatchFinished(Message):
    outcomes: list[RevokeOutcome]
