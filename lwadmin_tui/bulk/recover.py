"""Settling the batches a stop left open: intents without an outcome, keys never sent.

The app was killed (or the host rebooted) during a batch. For a request that had its intent
written, the server may or may not have applied it: one read per key says which. A confirmed key
without an intent was never sent (no request leaves before its intent is on disk): it is recorded
as not attempted, with no request at all. Both are appended to the same batch in the audit log,
then its end record, so the next start no longer reports it.

Only a batch made with this very credential is settled (`BatchHistory.made_with`): read with
another one, a key that credential may not see would be recorded as gone or revoked.
"""

from __future__ import annotations

from collections.abc import Callable

from lwadmin_tui.api.errors import InvalidKeyId, LangWatchError
from lwadmin_tui.audit.history import BatchHistory
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.verify import KeyReader, Verdict, Verifier
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome, summarize

NEVER_SENT = "confirmed, never sent"
NOT_AN_ID = "not a LangWatch key id: never read back"
_KIND = {
    Verdict.REVOKED: OutcomeKind.REVOKED_VERIFIED,
    Verdict.NOT_REVOKED: OutcomeKind.NOT_REVOKED,
    Verdict.GONE: OutcomeKind.NOT_FOUND,
}


async def settle_batch(
    client: KeyReader,
    batch: BatchHistory,
    log: AuditLog,
    *,
    on_outcome: Callable[[RevokeOutcome], None] | None = None,
) -> list[RevokeOutcome]:
    """Read every unresolved key of `batch` once and record the never-sent ones; return all.

    The caller holds the audit log's batch lock. A key whose read fails stays unresolved (it
    is reported again next start) and the batch gets no end record.
    """
    verifier = Verifier(client)
    audit = BatchAudit(log, batch.host, batch.profile, batch_id=batch.batch_id)
    outcomes: list[RevokeOutcome] = []
    settled = True

    def done(outcome: RevokeOutcome) -> None:
        if on_outcome is not None:
            on_outcome(outcome)
        outcomes.append(outcome)

    for key in batch.never_sent:
        outcome = RevokeOutcome(key.key_id, OutcomeKind.NOT_ATTEMPTED, message=NEVER_SENT)
        await audit.save(audit.outcome_record(key.key_name, outcome, verified_later=True))
        done(outcome)
    for key in batch.unresolved:
        try:
            verdict = await verifier.check(key.key_id)
        except InvalidKeyId:  # no request ever left for it: recorded once, not offered again
            outcome = RevokeOutcome(key.key_id, OutcomeKind.UNKNOWN, message=NOT_AN_ID)
            await audit.save(audit.outcome_record(key.key_name, outcome, verified_later=True))
            done(outcome)
            continue
        except LangWatchError as error:
            settled = False
            message = f"could not verify: {error.message}"
            done(RevokeOutcome(key.key_id, OutcomeKind.UNKNOWN, message=message))
            continue
        status = 404 if verdict is Verdict.GONE else None
        outcome = RevokeOutcome(key.key_id, _KIND[verdict], status, attempts=key.intents)
        await audit.save(audit.outcome_record(key.key_name, outcome, verified_later=True))
        done(outcome)
    if settled and not batch.ended:
        await audit.save(audit.finished_record(_summary(batch, outcomes), cancelled=True))
    return outcomes


def _summary(batch: BatchHistory, settled: list[RevokeOutcome]) -> str:
    """The whole batch's line: outcomes recorded before the stop plus those settled now."""
    earlier = [
        RevokeOutcome(key.key_id, OutcomeKind(str(kind)))
        for key in batch.keys.values()
        if key.outcome is not None
        and isinstance(kind := key.outcome.get("outcome"), str)
        and kind in OutcomeKind._value2member_map_
    ]
    return f"interrupted, then settled: {summarize(earlier + settled)}"
