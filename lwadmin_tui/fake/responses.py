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


def paging(query: dict[str, list[str]]) -> tuple[int, int] | FakeResponse:
    """page >= 1 (default 1), 1 <= limit <= 1000 (default 50); otherwise a 422."""
    values: dict[str, int] = {}
    for name, default, upper in (("page", 1, None), ("limit", 50, 1000)):
        raw = query.get(name, [str(default)])[0]
        number = int(raw) if raw.isascii() and raw.isdigit() else 0
        if number < 1 or (upper is not None and number > upper):
            bound = f"an integer between 1 and {upper}" if upper else "a positive integer"
            message = f"{name} must be {bound}"
            return json_response(
                422,
                {
                    "error": "validation_error",
                    "message": message,
                    "fields": {name: [message]},
                    "reasons": [],
                },
            )
        values[name] = number
    return values["page"], values["limit"]


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
