"""Kept for existing imports: the bulk engine now lives in `lwadmin_tui.bulk`."""

from lwadmin_tui.bulk.engine import (
    DEFAULT_CONCURRENCY,
    OutcomeCallback,
    Revoker,
    outcome_from_error,
    revoke_keys,
)

__all__ = ["DEFAULT_CONCURRENCY", "OutcomeCallback", "Revoker", "outcome_from_error", "revoke_keys"]
