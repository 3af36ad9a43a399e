"""The revocation flow of the keys screen: confirm, run, cancel, retry failed, history.

A mixin, so `keys_screen.py` stays about the table. The engine's worker and the progress
display live in `BatchPanel`; this reacts to the facts it posts and keeps rows truthful.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.binding import Binding

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.fingerprint import credential_fingerprint
from lwadmin_tui.audit.history import (
    BatchHistory,
    batches,
    interrupted,
    interrupted_sentence,
    other_credential_sentence,
)
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.bulk.control import StopReason, Target
from lwadmin_tui.bulk.own_key import configured_own_key, guess_own_key
from lwadmin_tui.outcomes import QUEUED, RevokeOutcome, summarize
from lwadmin_tui.settings.paths import DEFAULT_PROFILE, state_dir
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import (
    AuditHistoryFailed,
    AuditHistoryRead,
    BatchEnded,
    KeyResults,
    OwnKeyGuessed,
    UnresolvedVerified,
)
from lwadmin_tui.ui.widgets.batch_panel import BatchPanel

if TYPE_CHECKING:
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.batches import BatchesScreen
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

BATCH_BINDINGS = [
    Binding(
        "x",
        "cancel_batch",
        "Cancel batch",
        id="cancel_batch",
        tooltip="Stop the running batch: nothing new is sent",
    ),
    Binding(
        "t",
        "retry_failed",
        "Retry failed",
        id="retry_failed",
        show=False,
        tooltip="Revoke again the keys that failed, stayed unknown or were left out (asks)",
    ),
    Binding(
        "b",
        "batches",
        "Batches",
        id="batches",
        show=False,
        tooltip="Recent batches from the audit log, per-key results, export CSV + JSON",
    ),
    Binding(
        "w",
        "detect_own_key",
        "Own key?",
        id="detect_own_key",
        show=False,
        tooltip="Guess which listed key this session uses (lists twice)",
    ),
]


class BatchFlow:
    """Mixed into `KeysScreen`; every method runs on that screen."""

    own_key_guess: str | None = None
    own_key_pause: float = 1.5
    _credential: str | None = None

    @property
    def _screen(self) -> KeysScreen:
        return cast("KeysScreen", self)

    @property
    def _app(self) -> LwAdminApp:
        return cast("LwAdminApp", self._screen.app)

    @property
    def batch_panel(self) -> BatchPanel:
        return self._screen.query_one(BatchPanel)

    @property
    def audit_log(self) -> AuditLog:
        return AuditLog()  # resolved per batch: the state dir comes from the environment

    @property
    def profile_name(self) -> str:
        return self._app.session.profile or DEFAULT_PROFILE

    def credential(self) -> str | None:
        """The credential's keyed fingerprint for the audit log (None if no salt can be kept).

        Blocking (a small private file): the start-up read computes it on a thread first.
        """
        if self._credential is None:
            try:
                self._credential = credential_fingerprint(
                    self._app.session.api_key, self.audit_log.path.parent
                )
            except OSError:
                return None
        return self._credential

    @property
    def own_key_id(self) -> str | None:
        """From the profile / app / LWADMIN_OWN_KEY_ID; else the detection step's guess."""
        return configured_own_key(self._app.session.own_key_id) or self.own_key_guess

    @property
    def own_key_guessed(self) -> bool:
        return configured_own_key(self._app.session.own_key_id) is None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The cancel key shows in the footer only while a batch runs."""
        if action == "cancel_batch":
            return self._screen.batch_running
        return super().check_action(action, parameters)  # type: ignore[misc]

    # --- starting -------------------------------------------------------------------------

    def action_revoke(self) -> None:
        screen = self._screen
        if screen.batch_running:
            screen.say("A revocation batch is running; wait for it to finish (x cancels it).")
            return
        targets = screen.state.marked_keys()
        if not targets:
            key_id = screen.table.cursor_key()
            if key_id is None:
                screen.say("Nothing to revoke: no key is listed.")
                return
            targets = [screen.state.keys[key_id]]
        self.confirm_and_start(targets)

    def action_retry_failed(self) -> None:
        screen = self._screen
        if screen.batch_running:
            screen.say("A revocation batch is running; wait for it to finish.")
            return
        failed = [
            screen.state.keys[key_id]
            for key_id, result in screen.state.results.items()
            if isinstance(result, RevokeOutcome)
            and result.retryable
            and key_id in screen.state.keys
        ]
        if not failed:
            screen.say("Nothing to retry: no key failed, stayed unknown or was left out.")
            return
        self.confirm_and_start(failed, retrying=True)

    # Dialogs are imported when first opened: their widgets cost start-up time (benchmarks/).

    def confirm_and_start(self, targets: list[ApiKeyInfo], *, retrying: bool = False) -> None:
        from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen

        screen, app = self._screen, self._app
        dialog = ConfirmRevokeScreen(
            targets,
            screen.state.hidden_ids(targets),
            app.host,
            guard_seconds=app.confirm_guard_seconds,
            clock=app.monotonic,
            own_key_id=self.own_key_id,
            own_key_guessed=self.own_key_guessed,
            retrying=retrying,
        )

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.start_batch(targets)
            else:
                screen.say("Cancelled: nothing was sent.")

        app.push_screen(dialog, confirmed)

    def start_batch(self, targets: list[ApiKeyInfo]) -> None:
        screen, app = self._screen, self._app
        # A reload still in flight would land after the batch and wipe its results.
        screen.workers.cancel_group(screen, "load")
        screen.batch_running = True
        screen.refresh_bindings()
        for key in targets:
            screen.state.results[key.id] = QUEUED
            screen.table.update_key(key.id, screen.state)
        screen.say(f"Revoking {plural(len(targets))}… (x cancels: nothing new is sent)")
        self.batch_panel.start(
            app.client,
            [Target(key.id, key.name) for key in targets],
            log=self.audit_log,
            host=app.host,
            profile=self.profile_name,
            concurrency=app.concurrency,
            own_key_id=self.own_key_id,
            credential=self.credential(),
            key_last4=app.key_last4,
        )

    def action_cancel_batch(self) -> None:
        if self.batch_panel.cancel():
            self._screen.say(
                "Cancelling: no new request is sent; those in flight finish or are verified."
            )
        else:
            self._screen.say("No batch is running.")

    # --- facts from the worker ----------------------------------------------------------------

    def on_key_results(self, message: KeyResults) -> None:
        """Apply every result of the interval, then redraw the changed rows and status once."""
        screen = self._screen
        state = screen.state
        for key_id, result in message.results:
            state.results[key_id] = result
            if isinstance(result, RevokeOutcome) and result.done:
                state.marked.discard(key_id)
        screen.table.update_keys({key_id for key_id, _ in message.results}, state)
        screen.refresh_status()

    def on_batch_ended(self, message: BatchEnded) -> None:
        screen = self._screen
        screen.batch_running = False
        screen.refresh_bindings()
        text = f"Done. {summarize(message.outcomes)}."
        reason, detail = message.stop_reason, message.stop_detail
        if reason is StopReason.BUSY or (reason is StopReason.AUDIT and not message.sent_any):
            text = f"Nothing was sent: {detail}."
        elif reason is StopReason.AUDIT:
            text += (
                f" The batch stopped: {detail}. Nothing more was sent; each request that was "
                "sent had its record on disk first."
            )
        elif reason is StopReason.UNAUTHORIZED:
            text += " The server rejected the API key (401): the batch stopped."
        elif reason is StopReason.CANCELLED:
            text += " Cancelled: the keys not sent are marked not attempted."
        elif reason is StopReason.INTERNAL:
            text += " The batch stopped on an internal error: reload to see the server's state."
        if message.own_key_revoked:
            text += " This session's own key was revoked: it has lost access."
        retry = ""
        if not message.own_key_revoked and any(o.retryable for o in message.outcomes):
            retry = " t retries the failed ones."
        screen.say(text + retry + " Results stay until r reloads.")
        screen.refresh_status()
        self.tell_quit_question(text)

    def tell_quit_question(self, summary: str) -> None:
        """A quit question asked while the batch ran must not outlive it (quit_confirm.py)."""
        from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen

        for open_screen in self._app.screen_stack:
            if isinstance(open_screen, QuitWhileRunningScreen):
                open_screen.batch_ended(summary)

    # --- interrupted batches, history and the own key -------------------------------------------

    def report_interrupted(self) -> None:
        """At start: batches a stop left open are said, and offered for settling."""
        self._read_history("start")

    _batches_view: BatchesScreen | None = None

    def action_batches(self) -> None:
        from lwadmin_tui.ui.screens.batches import BatchesScreen

        self._batches_view = BatchesScreen(state_dir() / "exports", log_path=self.audit_log.path)
        self._app.push_screen(self._batches_view)
        self._read_history("view")

    @work(thread=True, group="history", exit_on_error=False)
    def _read_history(self, purpose: str) -> None:
        """The audit log is read on a thread: it may be large, or not a file at all."""
        log = self.audit_log
        try:
            records = log.records()
            holder = log.lock_holder()
        except OSError as error:
            sentence = f"Could not read the audit log: {safe_text(error, 200)}"
            self._screen.post_message(AuditHistoryFailed(purpose, sentence))
            return
        read = AuditHistoryRead(purpose, batches(records), log.read_note, holder, self.credential())
        self._screen.post_message(read)

    def on_audit_history_failed(self, message: AuditHistoryFailed) -> None:
        if message.purpose == "view":
            self._close_batches_view()
        self._screen.say(message.sentence)

    def _close_batches_view(self) -> None:
        view, self._batches_view = self._batches_view, None
        if view is not None and view.is_attached:
            view.dismiss()

    def on_audit_history_read(self, message: AuditHistoryRead) -> None:
        if message.purpose == "view":
            self.show_batches(message)
        else:
            self.offer_interrupted(message)

    def show_batches(self, message: AuditHistoryRead) -> None:
        if not message.history:
            self._close_batches_view()
            self._screen.say("No batch has been recorded in the audit log yet.")
            return
        if self._batches_view is not None and self._batches_view.is_attached:
            self._batches_view.show_history(message.history, message.holder, message.note)

    def offer_interrupted(self, message: AuditHistoryRead) -> None:
        """Batches of this host and profile that a stop left open: those made with this
        credential are offered for settling; those of another credential are only said."""
        app, screen = self._app, self._screen
        holder = message.holder
        found = interrupted(message.history, app.host, self.profile_name)
        if holder is not None:
            found = [b for b in found if b.batch_id != holder.batch_id]
        if not found:
            return
        if holder is not None and not holder.ours:
            screen.say(
                f"{holder.describe().capitalize()} with this audit log; the batches an "
                "earlier stop left open are checked once it has ended (b shows them)."
            )
            return
        mine = [b for b in found if b.made_with(message.credential)]
        others = [b for b in found if not b.made_with(message.credential)]
        sentences = [interrupted_sentence(b) for b in mine[:1]]
        if others:
            sentences.append(other_credential_sentence(others))
        screen.say(" ".join(sentences) + " Press b to see batches.")
        if not mine:
            return
        from lwadmin_tui.ui.screens.interrupted import InterruptedBatchScreen

        def answered(verify: bool | None) -> None:
            if verify:
                self.verify_interrupted(mine)

        app.push_screen(InterruptedBatchScreen(mine, len(others)), answered)

    def verify_interrupted(self, found: list[BatchHistory]) -> None:
        screen = self._screen
        if screen.batch_running:
            screen.say("A batch is running; settle the interrupted ones when it has ended.")
            return
        count = sum(len(b.unresolved) for b in found)
        screen.batch_running = True
        screen.say(f"Verifying {plural(count)} of the interrupted batch…")
        self.batch_panel.verify(self._app.client, found, self.audit_log)

    def on_unresolved_verified(self, message: UnresolvedVerified) -> None:
        self._screen.batch_running = False
        self._screen.refresh_bindings()
        if message.problem:
            text = f"The interrupted batches were not settled: {message.problem}."
        elif not message.when:
            text = "Nothing left to verify: the interrupted batches were settled meanwhile."
        else:
            text = f"Interrupted batch at {message.when}, verified: {summarize(message.outcomes)}."
        self._screen.say(text)
        self.tell_quit_question(text)

    def action_detect_own_key(self) -> None:
        if configured_own_key(self._app.session.own_key_id):
            self._screen.say("This session's own key id is configured; no guess needed.")
            return
        self._screen.say("Listing twice to see whose last use moves…")
        self._detect_own_key()

    @work(exclusive=True, group="own-key", exit_on_error=False)
    async def _detect_own_key(self) -> None:
        from lwadmin_tui.api.errors import LangWatchError

        try:
            key_id, reason = await guess_own_key(self._app.client, self.own_key_pause)
        except LangWatchError as error:
            key_id, reason = None, f"could not list the keys: {error.message}"
        self._screen.post_message(OwnKeyGuessed(key_id, reason))

    def on_own_key_guessed(self, message: OwnKeyGuessed) -> None:
        screen = self._screen
        reason = safe_text(message.reason, 120)
        if message.key_id is None:
            screen.say(f"Own key: {reason}.")
            return
        self.own_key_guess = message.key_id
        key: Any = screen.state.keys.get(message.key_id)
        name = safe_text(key.name if key is not None else message.key_id, 40)
        screen.say(f"This session's key is probably {name} ({reason}).")
