"""The bulk-revocation engine with an in-memory revoker: concurrency bound, 401 stop, order."""

import asyncio
from collections.abc import Callable, Sequence

from lwadmin_tui.api.errors import Forbidden, Unauthorized
from lwadmin_tui.bulk.control import Revoker, Target
from lwadmin_tui.bulk.engine import BulkRevoker
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome

# Key ids as the server issues them: 21 characters (only those are ever sent).
A, B = "a" * 21, "b" * 21


async def revoke_keys(
    revoker: Revoker,
    key_ids: Sequence[str],
    *,
    concurrency: int,
    on_outcome: Callable[[RevokeOutcome], None] | None = None,
    cancelled: bool = False,
) -> list[RevokeOutcome]:
    """The engine by ids alone, with no audit log."""
    engine = BulkRevoker(revoker, concurrency=concurrency, on_outcome=on_outcome)
    if cancelled:
        engine.cancel()
    return await engine.run(Target(key_id) for key_id in key_ids)


class RecordingRevoker:
    def __init__(self, answers: dict[str, Exception] | None = None) -> None:
        self.answers = answers or {}
        self.sent: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def revoke_key(self, key_id: str) -> None:
        self.sent.append(key_id)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        self.in_flight -= 1
        if key_id in self.answers:
            raise self.answers[key_id]


async def test_concurrency_is_bounded_and_every_key_gets_one_outcome() -> None:
    revoker = RecordingRevoker({f"k{3:020d}": Forbidden(403, "no", code="api_key_not_owned")})
    ids = [f"k{i:020d}" for i in range(20)]
    seen: list[str] = []
    outcomes = await revoke_keys(
        revoker, ids, concurrency=4, on_outcome=lambda o: seen.append(o.key_id)
    )
    assert [o.key_id for o in outcomes] == ids
    assert sorted(seen) == sorted(ids)
    assert revoker.max_in_flight == 4
    assert sorted(revoker.sent) == sorted(ids)
    assert outcomes[3].kind is OutcomeKind.FORBIDDEN
    assert all(o.kind is OutcomeKind.REVOKED for i, o in enumerate(outcomes) if i != 3)


async def test_a_401_stops_sending_and_the_rest_are_not_attempted() -> None:
    revoker = RecordingRevoker({f"k{0:020d}": Unauthorized(401, "Invalid credentials.")})
    ids = [f"k{i:020d}" for i in range(10)]
    outcomes = await revoke_keys(revoker, ids, concurrency=1)
    assert revoker.sent == [f"k{0:020d}"]
    assert outcomes[0].kind is OutcomeKind.UNAUTHORIZED
    assert {o.kind for o in outcomes[1:]} == {OutcomeKind.NOT_ATTEMPTED}


async def test_a_key_listed_twice_is_sent_once() -> None:
    revoker = RecordingRevoker()
    outcomes = await revoke_keys(revoker, [A, B, A], concurrency=3)
    assert sorted(revoker.sent) == [A, B]
    assert [o.key_id for o in outcomes] == [A, B]


async def test_a_cancel_before_the_start_sends_nothing() -> None:
    revoker = RecordingRevoker()
    outcomes = await revoke_keys(revoker, [A, B], concurrency=2, cancelled=True)
    assert revoker.sent == []
    assert {o.kind for o in outcomes} == {OutcomeKind.NOT_ATTEMPTED}
