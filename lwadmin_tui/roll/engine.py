"""Rolling keys, one after another: read the old key, create its replacement, deliver the new
secret, record the pair, and only then (if asked) revoke the old keys.

Every step is in the audit log before the request it announces leaves, and no step is left
unsaid. What can go wrong, and what is done about it:
- the create is refused (403 `api_key_admin_required`, 422): nothing was made, the row says why;
- its answer is lost (timeout, dropped connection, a 5xx, a 201 that cannot be used): the key
  may have been made with a secret nobody saw. It is found (`orphans.py`) and revoked; a key
  that cannot be found, told apart from a colleague's or revoked is named, with its id;
- the secret cannot be delivered: the new key is revoked, the old one kept.
The old key is never revoked unless its replacement's secret was delivered (`old_keys.py`); why
a key is not rolled at all is in `refusals.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import (
    BadResponse,
    LangWatchError,
    ServerError,
    TransportError,
)
from lwadmin_tui.api.new_key import CreatedKey, NewKey
from lwadmin_tui.audit.lock import BatchRunningElsewhere
from lwadmin_tui.audit.log import BatchAudit, safe
from lwadmin_tui.bulk.answers import audit_sentence
from lwadmin_tui.bulk.control import Target
from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY
from lwadmin_tui.roll.old_keys import OldKeys
from lwadmin_tui.roll.orphans import Cleanup, Orphans
from lwadmin_tui.roll.orphans import said as _said
from lwadmin_tui.roll.outcomes import RollKind, RollOutcome
from lwadmin_tui.roll.records import PAIR, RollAudit
from lwadmin_tui.roll.refusals import not_rollable, refusal
from lwadmin_tui.roll.replacement import Expiry, kept_words, replacement_for
from lwadmin_tui.roll.secrets import Delivery, NotDelivered, SecretSink
from lwadmin_tui.text import safe_text

CANCELLED = "cancelled"


class _Stop(Exception):
    """The audit log cannot be written: no further request may leave."""


class Roller:
    def __init__(
        self,
        client: LangWatchClient,
        audit: RollAudit,
        sink: SecretSink,
        *,
        revoke_old: bool = False,
        expiry: Expiry = Expiry.KEEP,
        expiry_date: datetime | None = None,
        own_key_id: str | None = None,
        revoke_audit: Callable[[], BatchAudit] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.audit = audit
        self.sink = sink
        self.revoke_old = revoke_old
        self.expiry = expiry
        self.expiry_date = expiry_date
        self.own_key_id = own_key_id
        self.clock = clock
        self.stopped = ""
        """Why the roll stopped early (the audit log), else empty."""
        self._orphans = Orphans(client, self._record, set())
        self._made: set[str] = set()
        """Keys this roll made: never taken for a lost create's key."""
        self._listed: set[str] = set()
        """The ids listed just before the create in progress."""
        self._unrecorded: set[str] = set()
        """Old keys whose pair could not be recorded: never revoked by this roll."""
        self._old_keys = OldKeys(
            client, revoke_audit, own_key_id=own_key_id, concurrency=concurrency
        )
        """The old keys' revocation, if asked: `x` stops it too."""

    async def run(self, targets: Sequence[Target]) -> list[RollOutcome]:
        """Roll each target once, in order; then revoke the old keys of those rolled, if asked."""
        unique = list({t.key_id: t for t in targets}.values())
        try:
            lock = self.audit.log.batch_lock(self.audit.roll_id)
        except BatchRunningElsewhere as busy:
            return [self._not_rolled(t, str(busy)) for t in unique]
        except OSError as error:  # the lock file is a link, a directory, not ours…
            self.stopped = audit_sentence(error)
            return [self._not_rolled(t, self.stopped) for t in unique]
        try:
            await self.audit.started(
                ((t.key_id, t.name) for t in unique),
                where=self.sink.where,
                revoke_old=self.revoke_old,
            )
            outcomes = []
            for target in unique:
                outcomes.append(await self._roll_or_stop(target))
            summary = ", ".join(f"{o.kind.value}: {o.old_id}" for o in outcomes)
            with contextlib.suppress(OSError):
                await self.audit.save("roll_end", summary=safe_text(summary, 2000))
        except OSError as error:
            self.stopped = audit_sentence(error)
            return [self._not_rolled(t, self.stopped) for t in unique]
        finally:
            lock.release()
        if self.revoke_old:
            outcomes = await self._old_keys.revoke(outcomes, self._unrecorded)
        return outcomes

    def cancel(self) -> None:
        """Nothing new is sent: no further key is started (the one in progress goes to its
        end) and no old key is revoked that is not already on its way."""
        if not self.stopped:
            self.stopped = CANCELLED
        self._old_keys.cancel()

    async def _roll_or_stop(self, target: Target) -> RollOutcome:
        if self.stopped:
            return self._not_rolled(target, f"not tried: {self.stopped}")
        try:
            outcome = await self._roll_one(target)
        except _Stop:
            return self._not_rolled(target, self.stopped)
        with contextlib.suppress(OSError):  # settles its intent for the next start's report
            await self.audit.save(
                "roll_outcome",
                old_id=target.key_id,
                kind=outcome.kind.value,
                **({"new_id": outcome.new_id} if outcome.new_id else {}),
            )
        return outcome

    # --- one key -----------------------------------------------------------------------------

    async def _roll_one(self, target: Target) -> RollOutcome:
        try:
            old = await self.client.get_key(target.key_id)
        except LangWatchError as error:
            return self._not_rolled(target, f"could not read the old key: {_said(error)}")
        refused = not_rollable(old, self.expiry, self.clock())
        if refused:
            return self._not_rolled(target, refused)
        new = replacement_for(old, self.expiry, self.clock(), self.expiry_date)
        try:
            # Listed just before its create: a lost answer's key is one not listed here, so a
            # colleague's key of the same name made since the roll began is not taken for it.
            self._listed = {key.id for key in await self.client.list_keys()}
        except LangWatchError as error:
            return self._not_rolled(target, f"could not list the keys first: {_said(error)}")
        self._orphans.known = self._listed | self._made
        await self._record("roll_read", old_id=target.key_id, keeps=safe_text(kept_words(new), 300))
        await self._record("roll_intent", old_id=target.key_id, new_name=safe(new.name))
        try:
            created = await self.client.create_key(new)
        except (TransportError, ServerError, BadResponse) as error:
            if isinstance(error, TransportError) and not error.maybe_sent:
                return self._not_rolled(target, f"not created: {_said(error)}")
            if isinstance(error, BadResponse) and 300 <= error.status < 500:
                return self._not_rolled(target, f"not created: {_said(error)}")
            return await self._lost_create(target, new, error)
        except LangWatchError as error:
            return self._not_rolled(target, refusal(error))
        if created.key_id in self._orphans.known:  # it names a key that existed before
            named = BadResponse("the create answer named a key that already existed", status=201)
            return await self._lost_create(target, new, named)
        self._orphans.known.add(created.key_id)
        self._made.add(created.key_id)
        try:
            await self._record(
                "roll_created",
                old_id=target.key_id,
                new_id=created.key_id,
                new_name=safe(created.name),
            )
            return await self._deliver(target, created)
        except _Stop:  # the key exists: it is named, whatever else could not be recorded
            return RollOutcome(
                target.key_id,
                target.name,
                RollKind.NEW_LEFT,
                created.key_id,
                f"{self.stopped}; the new key {created.key_id} was made: revoke it by hand "
                "unless its secret reached you. The old key is kept.",
            )

    async def _deliver(self, target: Target, created: CreatedKey) -> RollOutcome:
        delivery = Delivery(target.key_id, created.key_id, created.name, created.token)
        try:
            await asyncio.to_thread(self.sink.deliver, delivery)
        except NotDelivered as why:
            reason = f"the secret was not delivered ({why})"
            return await self._revoke_new(target, created.key_id, reason)
        try:
            await self._record(
                PAIR,
                old_id=target.key_id,
                old_name=safe(target.name),
                new_id=created.key_id,
                new_name=safe(created.name),
                secrets_to=safe_text(self.sink.where, 300),
            )
        except _Stop:
            message = (
                f"its secret went to {safe_text(self.sink.where, 100)}, but {self.stopped}: "
                "the old key is kept"
            )
            self._unrecorded.add(target.key_id)
            return RollOutcome(target.key_id, target.name, RollKind.ROLLED, created.key_id, message)
        return RollOutcome(target.key_id, target.name, RollKind.ROLLED, created.key_id)

    async def _lost_create(self, target: Target, new: NewKey, error: LangWatchError) -> RollOutcome:
        """The create may have made a key whose secret nobody saw: find it, revoke it."""
        lost = f"the create's answer was lost ({_said(error)})"
        made_id = error.made_id if isinstance(error, BadResponse) else None
        try:
            cleanup = await self._orphans.after_lost_create(new, lost, made_id)
        except _Stop:  # the key may exist: it is named, whatever could not be recorded
            return RollOutcome(
                target.key_id,
                target.name,
                RollKind.NEW_LEFT,
                made_id if made_id not in self._listed else None,
                f"{lost}; {self.stopped}: a new key named {safe(new.name)!r} may exist whose "
                "secret nobody has; look for it in LangWatch and revoke it. The old key is kept.",
            )
        if cleanup is not None:
            return self._cleaned(target, cleanup)
        if target.key_id not in self._listed:
            # This credential's list does not show the old key, so it cannot show its new twin
            # either (a personal credential lists its own user's keys only).
            return RollOutcome(
                target.key_id,
                target.name,
                RollKind.NEW_LEFT,
                message=f"{lost}; a new key named {safe(new.name)!r} may exist, and this "
                "credential's list cannot show it: look for it in LangWatch and revoke it. "
                "The old key is kept.",
            )
        return self._not_rolled(target, f"{lost}; no new key was made")

    async def _revoke_new(self, target: Target, new_id: str, reason: str) -> RollOutcome:
        return self._cleaned(target, await self._orphans.revoke(new_id, reason))

    def _cleaned(self, target: Target, cleanup: Cleanup) -> RollOutcome:
        kind = RollKind.NEW_REVOKED if cleanup.revoked else RollKind.NEW_LEFT
        message = f"{cleanup.message}; the old key is kept"
        return RollOutcome(target.key_id, target.name, kind, cleanup.new_id, message)

    async def _record(self, event: str, **fields: object) -> None:
        try:
            await self.audit.save(event, **fields)
        except OSError as error:
            self.stopped = audit_sentence(error)
            raise _Stop from None

    def _not_rolled(self, target: Target, message: str) -> RollOutcome:
        return RollOutcome(target.key_id, target.name, RollKind.NOT_ROLLED, message=message)
