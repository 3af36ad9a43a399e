"""The bulk-revocation engine: retries, verification of unknown outcomes, cancel, audit.

Headless on purpose (no textual import): the app, a non-interactive command and the tests all
drive this same code.
"""

from lwadmin_tui.bulk.answers import outcome_from_error
from lwadmin_tui.bulk.control import StopReason, Target
from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY, BulkRevoker
from lwadmin_tui.bulk.retry import RetryPolicy

__all__ = [
    "DEFAULT_CONCURRENCY",
    "BulkRevoker",
    "RetryPolicy",
    "StopReason",
    "Target",
    "outcome_from_error",
]
