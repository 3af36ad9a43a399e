"""The wire bodies of the fake server: success envelopes and every documented error body.

Kept apart from the rules so each status's exact body (reference/langwatch-api.md) is in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

DOCS = "https://docs.langwatch.ai/api-reference/api-keys"


@dataclass(frozen=True)
class FakeResponse:
    """What the server answers: JSON-able `body`, or raw `bytes` sent as they are."""

    status: int
    body: Any
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        """The bytes on the wire (compact JSON, like the real server)."""
        if isinstance(self.body, bytes):
            return self.body
        return compact_json(self.body)

    def json(self) -> Any:
        """The body as parsed JSON, for tests calling `handle` directly."""
        return json.loads(self.payload())


class RequestRecord(NamedTuple):
    """One handled request, for tests that count calls (path excludes the query)."""

    method: str
    path: str
    status: int


def compact_json(body: Any) -> bytes:
    """Compact JSON, like the real server writes it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(status: int, body: Any) -> FakeResponse:
    """A JSON answer with the given status."""
    return FakeResponse(status, body)


def unauthorized(message: str = "Invalid credentials.") -> FakeResponse:
    """401: one body shape for every authentication failure, so nothing leaks which one."""
    return json_response(401, {"error": "Unauthorized", "message": message})


def forbidden(message: str) -> FakeResponse:
    """403 with the route-level `Forbidden` body."""
    return json_response(403, {"error": "Forbidden", "message": message})


def missing_permission(permission: str) -> FakeResponse:
    """403 for a route permission the credential lacks (checked before any id lookup)."""
    return forbidden(f"Insufficient permissions. Required: {permission}")


def _handled(status: int, code: str, message: str, key_id: str, **extra: Any) -> FakeResponse:
    """The HandledError wire body: code, sentence, meta spread flat, remediation alongside."""
    return json_response(
        status,
        {
            "error": code,
            "message": message,
            **extra,
            "apiKeyId": key_id,
            "fault": "customer",
            "retryable": False,
        },
    )


def key_not_found(key_id: str) -> FakeResponse:
    """404 rule 1: unknown, other organization, Langy session, or not readable by caller."""
    tips = [
        "Check the API key id — the key may have been deleted or never created",
        "List the keys on the organization to find the right id",
    ]
    return _handled(
        404,
        "api_key_not_found",
        f"API Key not found: {key_id}",
        key_id,
        id=key_id,
        tips=tips,
        docsUrl=f"{DOCS}/overview",
    )


def key_not_owned(key_id: str) -> FakeResponse:
    """403 rule 2: a non-admin touching a service key or another user's key."""
    tips = ["Ask the key's owner or an organization admin to make this change"]
    return _handled(
        403,
        "api_key_not_owned",
        "Not authorized to modify this API Key",
        key_id,
        tips=tips,
        docsUrl=f"{DOCS}/overview",
    )


def already_revoked(key_id: str) -> FakeResponse:
    """409 rule 3: a bulk tool may read this as "already done"."""
    tips = ["Revoked keys cannot be reactivated — create a new API key if you need one"]
    return _handled(
        409,
        "api_key_already_revoked",
        "API Key is already revoked",
        key_id,
        tips=tips,
        docsUrl=f"{DOCS}/create-api-key",
    )


def route_not_found(method: str, path: str) -> FakeResponse:
    """404 for a route this server does not have (e.g. GET by id on a pre-3.13 server)."""
    return json_response(404, {"error": "Not Found", "message": f"Route {method} {path} not found"})


def legacy_not_found() -> FakeResponse:
    """Pre-3.13 servers answered with the reason phrase, not a machine code."""
    return json_response(404, {"error": "Not Found", "message": "API key not found"})


def legacy_conflict() -> FakeResponse:
    """Pre-3.13 409 body."""
    return json_response(409, {"error": "Conflict", "message": "API Key is already revoked"})


def team_not_found(team_id: str) -> FakeResponse:
    """404 for `GET /api/teams/{id}/members`: unknown team, or one of another organization."""
    return json_response(
        404,
        {
            "error": "team_not_found",
            "message": f"Team not found: {team_id}",
            "teamId": team_id,
            "fault": "customer",
            "retryable": False,
        },
    )


def plan_required() -> FakeResponse:
    """402 for a route of the Enterprise plan on an organization of another plan."""
    return json_response(
        402,
        {
            "error": "enterprise_plan_required",
            "message": "This feature requires an Enterprise plan",
            "tips": ["Upgrade the organization to the Enterprise plan to use this feature"],
            "docsUrl": "https://langwatch.ai/pricing",
            "fault": "customer",
            "retryable": False,
        },
    )


def validation_error(name: str, message: str) -> FakeResponse:
    """422 for a query parameter that fails validation."""
    return json_response(
        422,
        {
            "error": "validation_error",
            "message": message,
            "fields": {name: [message]},
            "reasons": [],
        },
    )


def _integers(
    query: dict[str, list[str]], bounds: tuple[tuple[str, int, int, int | None], ...]
) -> dict[str, int] | FakeResponse:
    """Each (name, default, lower, upper) read as an integer in range; otherwise a 422."""
    values: dict[str, int] = {}
    for name, default, lower, upper in bounds:
        raw = query.get(name, [str(default)])[0]
        number = int(raw) if raw.isascii() and raw.isdigit() else -1
        if number < lower or (upper is not None and number > upper):
            if upper is not None:
                bound = f"an integer between {lower} and {upper}"
            else:
                bound = "a positive integer" if lower else "a non-negative integer"
            return validation_error(name, f"{name} must be {bound}")
        values[name] = number
    return values


def paging(query: dict[str, list[str]]) -> tuple[int, int] | FakeResponse:
    """page >= 1 (default 1), 1 <= limit <= 1000 (default 50); otherwise a 422."""
    values = _integers(query, (("page", 1, 1, None), ("limit", 50, 1, 1000)))
    if isinstance(values, FakeResponse):
        return values
    return values["page"], values["limit"]


MEMBERS_LIMIT = 200


def member_paging(query: dict[str, list[str]]) -> tuple[bool, int, int] | FakeResponse:
    """`/api/organization/members`: includeDisabled true|false (default false), offset >= 0
    (default 0), 1 <= limit <= 200 (default 50); otherwise a 422."""
    raw = query.get("includeDisabled", ["false"])[0]
    if raw not in ("true", "false"):
        return validation_error("includeDisabled", "includeDisabled must be true or false")
    values = _integers(query, (("offset", 0, 0, None), ("limit", 50, 1, MEMBERS_LIMIT)))
    if isinstance(values, FakeResponse):
        return values
    return raw == "true", values["offset"], values["limit"]


def page(rows: list[dict[str, Any]], number: int, limit: int) -> FakeResponse:
    """The `{data, pagination}` envelope of `/api/projects` and `/api/teams`."""
    start = (number - 1) * limit
    return json_response(
        200,
        {
            "data": rows[start : start + limit],
            "pagination": {"page": number, "limit": limit, "total": len(rows)},
        },
    )
