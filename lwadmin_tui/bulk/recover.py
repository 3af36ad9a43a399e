"""Settling the keys of an interrupted batch: intents in the audit log without an outcome.

The app was killed (or the host rebooted) after sending; the server may or may not have
applied each request. One read per key says which, and the answer is appended to the same
batch in the audit log, so the next start no longer reports it.
"""

from __future__ import annotations

from collections.abc import Callable

from lwadmin_tui.api.errors import LangWatchError
from lwadmin_tui.audit import AuditLog, BatchAudit
from lwadmin_tui.audit_history import BatchHistory
from lwadmin_tui.bulk.verify import KeyReader, Verdict, Verifier
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome

_KIND = {
    Verdict.REVOKED: OutcomeKind.REVOKED_VERIFIED,
    Verdict.NOT_REVOKED: OutcomeKind.NOT_REVOKED,
    Verdict.GONE: OutcomeKind.NOT_FOUND,
}


async def verify_unresolved(
    client: KeyReader,
    batch: BatchHistory,
    log: AuditLog,
    *,
    on_outcome: Callable[[RevokeOutcome], None] | None = None,
) -> list[RevokeOutcome]:
    """Read every unresolved key of `batch` once; record and return what the server says."""
    verifier = Verifier(client)
    audit = BatchAudit(log, batch.host, batch.profile, batch_id=batch.batch_id)
    outcomes = []
    for key in batch.unresolved:
        try:
            verdict = await verifier.check(key.key_id)
        except LangWatchError as error:
            outcome = RevokeOutcome(
                key.key_id, OutcomeKind.UNKNOWN, message=f"could not verify: {error.message}"
            )
            if on_outcome is not None:
                on_outcome(outcome)
            outcomes.append(outcome)
            continue  # stays unresolved in the log: reported again next start
        status = 404 if verdict is Verdict.GONE else None
        outcome = RevokeOutcome(key.key_id, _KIND[verdict], status, attempts=key.intents)
        await audit.save(audit.outcome_record(key.key_name, outcome, verified_later=True))
        if on_outcome is not None:
            on_outcome(outcome)
        outcomes.append(outcome)
    return outcomes
