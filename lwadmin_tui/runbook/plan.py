"""A reviewed plan: which keys to revoke, as they were when the plan was made, and the drift check.

`revoke plan` writes it (0600, never the credential); `revoke apply` reads it, lists the keys
again and revokes only what still looks as planned: a key used, renamed or rebound since is
skipped as drifted (unless asked), a key gone since is said, and a plan for another host is
refused. A second admin can read the file before it runs (four eyes).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.api.models import ApiKeyInfo, RoleBinding
from lwadmin_tui.settings.files import write_all

FORMAT = "lwadmin-tui revocation plan"
VERSION = 1
MAX_PLAN_BYTES = 64 * 1024 * 1024


class PlanError(ValueError):
    """A plan that cannot be used; the message says why in one sentence."""


def bindings_fingerprint(bindings: Iterable[RoleBinding]) -> str:
    """16 hex characters that change when a key's role bindings change (order ignored)."""
    parts = sorted(f"{b.role}\x00{b.scope_type}\x00{b.scope_id}" for b in bindings)
    return hashlib.sha256("\x01".join(parts).encode()).hexdigest()[:16]


def _moment(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class PlannedKey:
    id: str
    name: str
    created_at: str | None
    last_used_at: str | None
    bindings: str

    @classmethod
    def of(cls, key: ApiKeyInfo) -> PlannedKey:
        return cls(
            key.id,
            key.name,
            _moment(key.created_at),
            _moment(key.last_used_at),
            bindings_fingerprint(key.role_bindings),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "createdAt": self.created_at,
            "lastUsedAt": self.last_used_at,
            "bindings": self.bindings,
        }


@dataclass(frozen=True)
class Plan:
    host: str
    profile: str
    created: str
    filters: str
    keys: tuple[PlannedKey, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "host": self.host,
            "profile": self.profile,
            "created": self.created,
            "filters": self.filters,
            "count": len(self.keys),
            "keys": [key.to_json() for key in self.keys],
        }


def make_plan(
    keys: Sequence[ApiKeyInfo], *, host: str, profile: str, now: datetime, filters: str
) -> Plan:
    return Plan(host, profile, _moment(now) or "", filters, tuple(PlannedKey.of(k) for k in keys))


def write_plan(plan: Plan, path: Path) -> None:
    """Create or replace `path` as a 0600 regular file of ours (never through a link)."""
    data = (json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n").encode()
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    fd = os.open(path, flags, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise PlanError(f"{path} is not a regular file of yours: the plan was not written")
        os.fchmod(fd, 0o600)
        os.ftruncate(fd, 0)
        write_all(fd, data)
        os.fsync(fd)
    except OSError:
        os.unlink(path)  # ours (checked above): a cut plan must not be applied later
        raise
    finally:
        os.close(fd)


def read_plan(path: Path) -> Plan:
    """The plan in `path`, checked field by field; PlanError says what is wrong."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as error:
        raise PlanError(f"cannot open the plan {path}: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PlanError(f"the plan {path} is not a regular file")
        with os.fdopen(os.dup(fd), "rb") as stream:
            raw = stream.read(MAX_PLAN_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanError(f"the plan {path} is larger than 64 MiB")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise PlanError(f"the plan {path} is not valid JSON") from None
    return _plan_from(body, path)


def _text(body: Mapping[str, Any], name: str, path: Path, optional: bool = False) -> Any:
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise PlanError(f"the plan {path} has no valid {name!r}")
    return value


def _plan_from(body: Any, path: Path) -> Plan:
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise PlanError(f"{path} is not an lwadmin-tui revocation plan")
    if body.get("version") != VERSION:
        raise PlanError(f"the plan {path} has format version {body.get('version')!r}, not 1")
    rows = body.get("keys")
    if not isinstance(rows, list):
        raise PlanError(f"the plan {path} has no list of keys")
    keys = []
    for row in rows:
        if not isinstance(row, dict) or not is_key_id(row.get("id")):
            raise PlanError(f"the plan {path} holds an entry that is not a key id")
        keys.append(
            PlannedKey(
                row["id"],
                _text(row, "name", path),
                _text(row, "createdAt", path, optional=True),
                _text(row, "lastUsedAt", path, optional=True),
                _text(row, "bindings", path),
            )
        )
    return Plan(
        _text(body, "host", path),
        _text(body, "profile", path),
        _text(body, "created", path),
        _text(body, "filters", path),
        tuple(keys),
    )


class Drift(StrEnum):
    AS_PLANNED = "as planned"
    GONE = "gone since the plan"
    USED = "used since the plan"
    RENAMED = "renamed since the plan"
    REBOUND = "bindings changed since the plan"


def drift_of(planned: PlannedKey, listed: ApiKeyInfo | None) -> Drift:
    """How the key's listed row differs from the plan; the first difference found."""
    if listed is None:
        return Drift.GONE
    if _moment(listed.last_used_at) != planned.last_used_at:
        return Drift.USED
    if listed.name != planned.name:
        return Drift.RENAMED
    if bindings_fingerprint(listed.role_bindings) != planned.bindings:
        return Drift.REBOUND
    return Drift.AS_PLANNED
