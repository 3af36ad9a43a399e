"""The old keys of a roll, revoked when the admin asked for it at the roll: one batch (with the
usual records, `bulk/engine.py`) of the old keys whose replacement's secret was delivered and
recorded, and no other. Never the session's own key, and nothing more after `x`."""

from __future__ import annotations

from collections.abc import Callable

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.audit.log import BatchAudit
from lwadmin_tui.bulk.control import Target
from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY, BulkRevoker
from lwadmin_tui.outcomes import OutcomeKind
from lwadmin_tui.roll.outcomes import RollKind, RollOutcome

_DONE = {OutcomeKind.REVOKED, OutcomeKind.REVOKED_VERIFIED, OutcomeKind.ALREADY_REVOKED}


class OldKeys:
    def __init__(
        self,
        client: LangWatchClient,
        audit: Callable[[], BatchAudit] | None,
        *,
        own_key_id: str | None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self.client = client
        self.audit = audit
        self.own_key_id = own_key_id
        self.concurrency = concurrency
        self.cancelled = False
        self._revoker: BulkRevoker | None = None

    def cancel(self) -> None:
        """No old key is revoked after this that is not already on its way."""
        self.cancelled = True
        if self._revoker is not None:
            self._revoker.cancel()

    async def revoke(self, outcomes: list[RollOutcome], unrecorded: set[str]) -> list[RollOutcome]:
        """The outcomes again, with the old keys revoked where they could be."""
        delivered = [
            o
            for o in outcomes
            if o.kind is RollKind.ROLLED
            and o.old_id not in unrecorded
            and o.old_id != self.own_key_id
        ]
        outcomes = [_kept_own(o) if o.old_id == self.own_key_id else o for o in outcomes]
        if not delivered:
            return outcomes
        if self.cancelled:
            return [_kept_cancelled(o) if o in delivered else o for o in outcomes]
        if self.audit is None:
            raise ValueError("revoking the old keys needs an audit log")
        engine = self._revoker = BulkRevoker(
            self.client,
            concurrency=self.concurrency,
            audit=self.audit(),
            own_key_id=self.own_key_id,
        )
        if self.cancelled:  # `x` came as the audit log was opened
            engine.cancel()
        results = await engine.run(Target(o.old_id, o.old_name) for o in delivered)
        by_id = {r.key_id: r for r in results}
        final = []
        for outcome in outcomes:
            result = by_id.get(outcome.old_id)
            if result is None:
                final.append(outcome)
            elif result.kind in _DONE:
                final.append(
                    RollOutcome(
                        outcome.old_id, outcome.old_name, RollKind.ROLLED_REVOKED, outcome.new_id
                    )
                )
            else:
                message = f"the old key was not revoked: {result.describe(200)}"
                final.append(
                    RollOutcome(
                        outcome.old_id, outcome.old_name, RollKind.ROLLED, outcome.new_id, message
                    )
                )
        return final


def _kept_cancelled(outcome: RollOutcome) -> RollOutcome:
    message = "the old key was not revoked: the roll was cancelled; the cutover (C) revokes it"
    return RollOutcome(outcome.old_id, outcome.old_name, outcome.kind, outcome.new_id, message)


def _kept_own(outcome: RollOutcome) -> RollOutcome:
    """The session's own key is never revoked by its roll: this session still uses it."""
    if outcome.kind is not RollKind.ROLLED:
        return outcome
    message = (
        "this session's own key: kept, as this session uses it. Start with the new key, "
        "then revoke the old one from the cutover view (C)"
    )
    return RollOutcome(outcome.old_id, outcome.old_name, outcome.kind, outcome.new_id, message)
