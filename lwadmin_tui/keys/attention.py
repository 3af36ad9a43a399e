"""Which keys of a batch deserve a second look before it is confirmed, and in what order.

The confirmation lists them first, each with its reason in words, and says how many there are
of each kind: at 80x24 the dialog shows a handful of names at a time, and the one that matters
(this session's own key, a key in use right now) must not be below the fold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.ownership import Ownership

RECENT = timedelta(hours=24)


class Reason(StrEnum):
    OWN = "this session's key"
    RECENT = "used in the last 24 h"
    SERVICE = "service key"
    ORG_ADMIN = "organization-wide ADMIN"


@dataclass(frozen=True)
class Review:
    keys: list[ApiKeyInfo]
    """The batch's keys, those with a reason first (own key, then recent use, ...)."""
    reasons: dict[str, list[Reason]]
    """Key id -> its reasons, for the keys that have one."""

    def counts(self) -> list[tuple[Reason, int]]:
        found = [reason for reasons in self.reasons.values() for reason in reasons]
        return [(reason, found.count(reason)) for reason in Reason if reason in found]


def review(
    keys: Sequence[ApiKeyInfo],
    own_key_id: str | None,
    now: datetime,
    owners: Mapping[str, Ownership],
) -> Review:
    """One pass over the keys, stable; written out flat, as 100,000 keys go through it when the
    dialog opens (benchmarks/RESULTS.md: about 30 ms)."""
    reasons: dict[str, list[Reason]] = {}
    cutoff = now - RECENT
    for key in keys:
        found: list[Reason] = []
        if key.id == own_key_id:
            found.append(Reason.OWN)
        used = key.last_used_at
        if used is not None and used > cutoff:
            found.append(Reason.RECENT)
        if owners and (ownership := owners.get(key.id)) is not None and ownership.is_service:
            found.append(Reason.SERVICE)  # list rows do not say; the detail reads (`o`) do
        for binding in key.role_bindings:
            if binding.role == "ADMIN" and binding.scope_type == "ORGANIZATION":
                found.append(Reason.ORG_ADMIN)
                break
        if found:
            reasons[key.id] = found
    if not reasons:
        return Review(list(keys), reasons)
    rank = {reason: place for place, reason in enumerate(Reason)}
    first = sorted((key for key in keys if key.id in reasons), key=lambda k: rank[reasons[k.id][0]])
    rest = [key for key in keys if key.id not in reasons]
    return Review(first + rest, reasons)
