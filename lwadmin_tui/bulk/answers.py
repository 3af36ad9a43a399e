"""What an answer means for a key: client errors to outcomes, and failures in plain words.

Kept apart from the engine's scheduling and the per-key attempts, so each reads alone.
"""

from __future__ import annotations

from dataclasses import replace

from lwadmin_tui.api.errors import (
    AlreadyRevoked,
    ApiError,
    BadResponse,
    Forbidden,
    LangWatchError,
    NotFound,
    RateLimited,
    RedirectRefused,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome
from lwadmin_tui.settings.files import os_reason


def outcome_from_error(key_id: str, error: LangWatchError) -> RevokeOutcome:
    """Translate a client error into the outcome the row shows."""
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    kind_by_type: list[tuple[type[ApiError], OutcomeKind]] = [
        (Unauthorized, OutcomeKind.UNAUTHORIZED),
        (Forbidden, OutcomeKind.FORBIDDEN),
        (NotFound, OutcomeKind.NOT_FOUND),
        (AlreadyRevoked, OutcomeKind.ALREADY_REVOKED),
        (RateLimited, OutcomeKind.RATE_LIMITED),
        (ServerError, OutcomeKind.SERVER_ERROR),
    ]
    if isinstance(error, ApiError):
        kind = next((k for t, k in kind_by_type if isinstance(error, t)), OutcomeKind.HTTP_ERROR)
        return RevokeOutcome(key_id, kind, status, code, error.message, tips=error.tips)
    if isinstance(error, TransportError):
        if error.maybe_sent:
            reason = "timeout" if error.timed_out else "connection lost"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=reason)
        return RevokeOutcome(key_id, OutcomeKind.NETWORK_ERROR, message=error.message)
    if isinstance(error, BadResponse | RedirectRefused):
        return RevokeOutcome(key_id, OutcomeKind.BAD_RESPONSE, status, message=error.message)
    return RevokeOutcome(key_id, OutcomeKind.HTTP_ERROR, status, message=error.message)


def known_failure(key_id: str, error: LangWatchError) -> RevokeOutcome:
    """The outcome of `error` once a read showed the key is *not* revoked."""
    outcome = outcome_from_error(key_id, error)
    if outcome.kind is OutcomeKind.UNKNOWN:
        return replace(outcome, kind=OutcomeKind.NETWORK_ERROR, message=error.message)
    return outcome


def audit_sentence(error: OSError) -> str:
    """One plain sentence for an audit log that cannot be written (no traceback, no errno)."""
    return f"the audit log could not be written ({os_reason(error)})"


def safe_reason(error: LangWatchError) -> str:
    status = getattr(error, "status", None)
    return f"{status}" if status else "no answer"
