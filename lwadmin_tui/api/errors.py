"""Typed errors of the LangWatch client.

The class is decided by the HTTP status first, then the body's `error` machine code refines it.
Every error keeps the server's `message` and `tips` for display. No error ever holds the API key.
"""

from __future__ import annotations


class LangWatchError(Exception):
    """Base of everything the client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransportError(LangWatchError):
    """The request did not get an HTTP answer (DNS, refused connection, reset, timeout).

    `maybe_sent` is True when the request may have reached the server (a timeout or a connection
    lost after sending), so a DELETE's effect is unknown rather than failed.
    """

    def __init__(self, message: str, *, maybe_sent: bool, timed_out: bool = False) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent
        self.timed_out = timed_out


class InvalidKeyId(LangWatchError):
    """An id that is not made of the server's id characters: no request is built for it."""

    def __init__(self, key_id: str) -> None:
        super().__init__("not a LangWatch key id: never sent")
        self.key_id = key_id


class InvalidTeamId(LangWatchError):
    """A team id that is not made of safe id characters: no request is built for it."""

    def __init__(self, team_id: str) -> None:
        super().__init__("not a LangWatch team id: never sent")
        self.team_id = team_id


class RedirectRefused(LangWatchError):
    """A 3xx answer: the client never follows redirects (the credential could leak)."""

    def __init__(self, status: int, location_host: str | None) -> None:
        where = location_host or "an unnamed location"
        super().__init__(f"the server answered {status} redirecting to {where}; not followed")
        self.status = status
        self.location_host = location_host


# JSON nested deeper than the decoders' stack (a hostile or broken server): RecursionError there.
NESTED_TOO_DEEPLY = "the server's answer is nested too deeply to read"


class BadResponse(LangWatchError):
    """An answer the client cannot read: an HTML page, an empty or truncated body, a wrong shape.
    `made_id`: the key a create's 201 named though the rest of it cannot be used."""

    def __init__(self, message: str, *, status: int, made_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.made_id = made_id


class ApiError(LangWatchError):
    """An HTTP error answer from the server (4xx/5xx), with what the server said."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        tips: tuple[str, ...] = (),
        retry_after: float | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.tips = tips
        self.retry_after = retry_after
        self.fields = fields
        """For a 422: the names of the body's fields the server refused."""

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


class Unauthorized(ApiError):
    """401: the credential is missing, unknown, revoked, expired, or a project key."""


class PlanRequired(ApiError):
    """402: the route needs another plan (`code == "enterprise_plan_required"`: Enterprise)."""

    @property
    def enterprise(self) -> bool:
        return self.code == "enterprise_plan_required"


class Forbidden(ApiError):
    """403: a missing permission, or (`code == "api_key_not_owned"`) not this caller's key;
    `api_key_admin_required` / `api_key_scope_violation` refuse a create."""

    @property
    def not_owned(self) -> bool:
        return self.code == "api_key_not_owned"

    @property
    def needs_admin(self) -> bool:
        return self.code == "api_key_admin_required"


class NotFound(ApiError):
    """404: the key is unknown to this organization (or the route does not exist)."""


class Unprocessable(ApiError):
    """422: a create or update body the server refused (`fields` names what), or a reserved
    name (`code == "api_key_reserved_name"`)."""


class AlreadyRevoked(ApiError):
    """409: the key was revoked before this request."""


class RateLimited(ApiError):
    """429: throttled, usually at LangWatch Cloud's edge; `retry_after` in seconds when given."""


class ServerError(ApiError):
    """5xx: the server failed; a revocation may still have been applied."""
