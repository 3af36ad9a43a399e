"""Outcome words: what a row says for each server answer."""

import pytest

from lwadmin_tui.api.errors import (
    AlreadyRevoked,
    BadResponse,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.bulk.answers import outcome_from_error
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome, summarize


@pytest.mark.parametrize(
    ("error", "label"),
    [
        (
            Forbidden(403, "Not authorized to modify this API Key", code="api_key_not_owned"),
            "403 not allowed: Not authorized to modify this API Key",
        ),
        (AlreadyRevoked(409, "API Key is already revoked"), "409 already revoked"),
        (NotFound(404, "API Key not found: abc"), "404 not found"),
        (Unauthorized(401, "Invalid credentials."), "401 credential rejected"),
        (RateLimited(429, "slow down"), "429 rate limited"),
        (
            ServerError(502, "the server answered 502 with an HTML page"),
            "502 server error: the server answered 502 with an HTML page",
        ),
        (TransportError("timed out", maybe_sent=True, timed_out=True), "timeout: unknown"),
        (TransportError("reset", maybe_sent=True), "connection lost: unknown"),
        (
            TransportError("could not connect to h: refused", maybe_sent=False),
            "network error: could not connect to h: refused",
        ),
        (BadResponse("cut short", status=200), "200 unreadable answer: cut short"),
    ],
)
def test_each_error_has_words_and_status(error: Exception, label: str) -> None:
    assert outcome_from_error("k1", error).label == label  # type: ignore[arg-type]


def test_server_message_in_a_label_is_made_safe() -> None:
    error = Forbidden(403, "no \x1b]0;x\x07 [b]way[/b]", code="api_key_not_owned")
    assert outcome_from_error("k", error).label == "403 not allowed: no ␛]0;x␇ [b]way[/b]"


def test_summary_counts_by_outcome() -> None:
    outcomes = [
        RevokeOutcome("a", OutcomeKind.REVOKED, 200),
        RevokeOutcome("b", OutcomeKind.REVOKED, 200),
        RevokeOutcome("c", OutcomeKind.ALREADY_REVOKED, 409),
    ]
    assert summarize(outcomes) == "3 keys: 2 revoked, 1 already revoked"


@pytest.mark.parametrize(
    ("kind", "retryable"),
    [
        (OutcomeKind.FORBIDDEN, False),
        (OutcomeKind.UNAUTHORIZED, False),
        (OutcomeKind.NOT_FOUND, False),
        (OutcomeKind.HTTP_ERROR, False),
        (OutcomeKind.INVALID_ID, False),
        (OutcomeKind.REVOKED, False),
        (OutcomeKind.ALREADY_REVOKED, False),
        (OutcomeKind.RATE_LIMITED, True),
        (OutcomeKind.SERVER_ERROR, True),
        (OutcomeKind.NETWORK_ERROR, True),
        (OutcomeKind.UNKNOWN, True),
        (OutcomeKind.BAD_RESPONSE, True),
        (OutcomeKind.NOT_REVOKED, True),
        (OutcomeKind.NOT_ATTEMPTED, True),
        (OutcomeKind.CANCELLED, True),
    ],
)
def test_only_what_another_attempt_could_change_is_retried(
    kind: OutcomeKind, retryable: bool
) -> None:
    assert RevokeOutcome("k", kind, status=400).retryable is retryable
