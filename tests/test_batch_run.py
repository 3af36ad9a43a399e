"""`BatchRun` alone, without a screen: the one owner of a batch's rows and counts."""

from __future__ import annotations

from datetime import UTC, datetime

from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.bulk.engine import BulkRevoker
from lwadmin_tui.outcomes import QUEUED, SENDING, OutcomeKind, Pending, Result, RevokeOutcome, Stage

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def outcome(key_id: str, kind: OutcomeKind) -> RevokeOutcome:
    return RevokeOutcome(key_id, kind, at=AT)


def test_a_new_batch_queues_its_keys_and_leaves_the_other_rows_alone() -> None:
    rows: dict[str, Result] = {"old": outcome("old", OutcomeKind.REVOKED)}
    run = BatchRun(rows, ["a", "b", "a"])
    assert rows == {"old": outcome("old", OutcomeKind.REVOKED), "a": QUEUED, "b": QUEUED}
    assert (run.total, run.done, run.running) == (2, 0, True)


def test_the_rows_and_the_counts_move_together() -> None:
    rows: dict[str, Result] = {}
    run = BatchRun(rows, ["a", "b", "c"], clock=lambda: AT)
    run.record("a", SENDING)
    run.record("b", Pending(Stage.RETRYING, 2, 3, "429"))
    assert run.in_flight == {"a", "b"}
    run.record("a", RevokeOutcome("a", OutcomeKind.REVOKED))
    run.record("b", outcome("b", OutcomeKind.RATE_LIMITED))
    assert rows["a"] == outcome("a", OutcomeKind.REVOKED)  # stamped with the batch's clock
    assert run.in_flight == set() and run.done == 2
    assert run.ordered_counts() == [(OutcomeKind.REVOKED, 1), (OutcomeKind.RATE_LIMITED, 1)]


def test_a_second_outcome_for_a_key_replaces_its_count() -> None:
    run = BatchRun({}, ["a"])
    run.record("a", outcome("a", OutcomeKind.UNKNOWN))
    run.record("a", outcome("a", OutcomeKind.REVOKED_VERIFIED))
    assert run.done == 1
    assert run.ordered_counts() == [(OutcomeKind.REVOKED_VERIFIED, 1)]


def test_a_worker_bug_leaves_no_row_claiming_progress() -> None:
    rows: dict[str, Result] = {}
    run = BatchRun(rows, ["queued", "sending", "revoked"], clock=lambda: AT)
    run.record("sending", SENDING)
    run.record("revoked", outcome("revoked", OutcomeKind.REVOKED))
    assert sorted(run.abandon()) == ["queued", "sending"]
    assert rows["queued"] == outcome("queued", OutcomeKind.NOT_ATTEMPTED)  # not sent
    sent = rows["sending"]
    assert isinstance(sent, RevokeOutcome) and sent.kind is OutcomeKind.UNKNOWN
    assert rows["revoked"] == outcome("revoked", OutcomeKind.REVOKED)
    assert not run.running and run.in_flight == set()


def test_only_a_running_revocation_can_be_cancelled() -> None:
    settling = BatchRun({}, ["a"], settling=True)
    assert not settling.cancel()  # reads only: nothing to cancel

    run = BatchRun({}, ["a"])
    run.engine = BulkRevoker(client=None)  # type: ignore[arg-type]
    assert run.cancel() and run.stopping
    run.end()
    assert not run.cancel() and not run.stopping


def test_settling_says_nothing_of_a_key_before_its_answer() -> None:
    rows: dict[str, Result] = {"a": outcome("a", OutcomeKind.REVOKED)}
    BatchRun(rows, ["a", "b"], settling=True)
    assert rows == {"a": outcome("a", OutcomeKind.REVOKED)}
