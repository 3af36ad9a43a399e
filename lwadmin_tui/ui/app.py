"""The Textual app: owns the API client for its lifetime and the app-wide bindings."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widget import Widget

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.early_list import EarlyList, FirstList
from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.clock import utc_now
from lwadmin_tui.text import register_secret, safe_text
from lwadmin_tui.ui.commands import KeysCommands, Palette
from lwadmin_tui.ui.messages import BatchEnded
from lwadmin_tui.ui.screens.keys_screen import KeysScreen
from lwadmin_tui.ui.session import Session
from lwadmin_tui.ui.widgets.filter_input import FilterInput

TYPED_FOR_KEPT = 256  # keys whose first widget is remembered (most are handled at once)
CONFIRM_GUARD_SECONDS = 0.3
"""Keys typed this soon after the confirmation dialog opens are ignored (confirm_revoke.py)."""


class LwAdminApp(App[None]):
    """Lists the organization's API keys; marks, confirms and revokes them."""

    # Absolute, so a subclass defined elsewhere (tests, embedding) finds the stylesheet.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "lwadmin-tui"
    # ctrl+p: the keys screen's main actions (commands.py), not Textual's system commands.
    COMMANDS = {KeysCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding(
            "question_mark,f1",
            "help",
            "Help",
            tooltip="Show every key and what cells mean",
            id="help",
        ),
        Binding(
            "q", "quit_app", "Quit", tooltip="Quit (asks first while a batch runs)", id="quit_app"
        ),
        Binding("ctrl+c", "quit_app", "Quit", show=False, priority=True, id="quit_ctrl_c"),
        # Textual's own ctrl+q would quit mid-batch without asking.
        Binding("ctrl+q", "quit_app", "Quit", show=False, priority=True, id="quit_ctrl_q"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        clock: Callable[[], datetime] = utc_now,
        confirm_guard_seconds: float = CONFIRM_GUARD_SECONDS,
        cursor_blink: bool = True,
        early_list: EarlyList | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        if session.keymap:
            self.set_keymap(dict(session.keymap))
        self.key_last4 = session.api_key.last4
        register_secret(session.api_key.reveal())  # masked in every server string from now on
        self.concurrency = max(1, session.concurrency)
        self.clock = clock
        self.confirm_guard_seconds = confirm_guard_seconds
        self.cursor_blink = cursor_blink
        self.monotonic: Callable[[], float] = time.monotonic
        self.client = LangWatchClient(
            session.endpoint,
            session.api_key,
            max_connections=self.concurrency,
            transport=session.transport,
            verify=session.verify,
            timeout=session.timeout,
            total_timeout=session.request_timeout,
        )
        self.host = self.client.host
        self._typed_for: dict[int, tuple[events.Key, Widget | None]] = {}
        self.first_list = FirstList(early_list, self.client.list_keys)

    def on_load(self) -> None:
        # The list is asked for before any screen is built, so the server works while Textual
        # starts up; the keys screen's first load takes this answer (`fetch_keys`). The command
        # asks even earlier, before the app is imported (early_list.py).
        self.first_list.start()

    def keys_already_here(self) -> tuple[ApiKeyInfo, ...] | None:
        """The first list's keys if they arrived before the keys screen was built, so that its
        first frame shows them (one layout pass and frame fewer); else None: `fetch_keys`."""
        return self.first_list.already_here()

    async def fetch_keys(self) -> tuple[ApiKeyInfo, ...]:
        """The answer to the list sent at start the first time, then a new request each time."""
        keys = await self.first_list.take()
        return keys if keys is not None else await self.client.list_keys()

    def get_default_screen(self) -> KeysScreen:
        # The keys screen is the bottom of the stack itself: pushed over Textual's blank default
        # screen, every resize also laid out that hidden screen, and it repainted everything
        # once more after the list had arrived (benchmarks/RESULTS.md measures start-up).
        return KeysScreen()

    def on_mount(self) -> None:
        self.theme = self.session.theme
        self.exit_on_sigterm()

    # --- keys typed ahead -------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Remember which widget had the focus when each key arrived (see `_on_key`)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            behind = self._passed_on_to_filter()
            self._typed_for[id(event)] = (event, behind or self.focused)
            while len(self._typed_for) > TYPED_FOR_KEPT:
                del self._typed_for[next(iter(self._typed_for))]
            if behind is not None:
                # Sent to the filter, this key would be there before the keys still on their
                # way through `behind`: it follows them instead, and comes after them.
                if not await self._check_bindings(event.key, priority=True):
                    behind._forward_event(event)
                return
        await super().on_event(event)

    def _passed_on_to_filter(self) -> Widget | None:
        """With the filter focused: the widget of its screen that keys typed earlier for it
        are still on their way through, to be passed on to the filter by `_on_key`."""
        focused = self.focused
        if not isinstance(focused, FilterInput):
            return None
        for _event, widget in self._typed_for.values():
            if (
                widget is not None
                and widget is not focused
                and widget.is_attached  # else `screen` fails: its dialog was closed
                and widget.screen is focused.screen
            ):
                return widget
        return None

    def _came_back(self, event: events.Key) -> Widget | None:
        """The widget `event` was typed for. The keys typed for it before are forgotten too: a
        widget passes its keys on in order, so they came back first or never will."""
        kept = self._typed_for.get(id(event))
        if kept is None or kept[0] is not event:
            return None
        for key_id, (earlier, widget) in list(self._typed_for.items()):
            if widget is kept[1]:
                del self._typed_for[key_id]
            if earlier is event:
                break
        return kept[1]

    async def _on_key(self, event: events.Key) -> None:
        """A key back from its widget, unhandled: its bindings run next, on the focus chain.

        Textual hands every key of a burst to the widget focused when the burst arrived, and
        runs their bindings only when each comes back: by then an earlier key of the burst
        (`/`) may have moved the focus, and `/zq` ran `z` and `q` as commands. A key typed
        for another widget than the one now focused never runs a binding: in the filter box
        it is text, as it was meant to be; anywhere else it is dropped.
        """
        typed_for = self._came_back(event)
        focused = self.focused
        if typed_for is not None and typed_for is not focused:
            event.prevent_default()  # Textual's own `App._on_key`, next in line, would run it
            if isinstance(focused, FilterInput):
                focused.take_typed_ahead(event)

    async def on_unmount(self) -> None:
        if self._terminate_cap is not None:
            self._terminate_cap.cancel()
        self.first_list.cancel()
        await self.client.aclose()

    @property
    def keys_screen(self) -> KeysScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, KeysScreen):
                return screen
        return None

    # Dialogs are imported when first opened: their widgets cost start-up time (benchmarks/).

    def action_help(self) -> None:
        from lwadmin_tui.ui.screens.help import HelpScreen, keymapped

        if isinstance(self.screen, HelpScreen):
            return
        base = self.keys_screen or self.screen
        ours = {b.action for b in [*KeysScreen.BINDINGS, *self.BINDINGS] if isinstance(b, Binding)}
        bindings = [
            (self.get_key_display(binding), binding)
            for source in (
                keymapped(base._bindings, self._keymap),
                keymapped(self._bindings, self._keymap),
            )
            for key_bindings in source.key_to_bindings.values()
            for binding in key_bindings
            if binding.action in ours
        ]
        notes = self.keys_screen.owners.people.notes if self.keys_screen else ()
        self.push_screen(HelpScreen(bindings, self.audit_files(), notes))

    def audit_files(self) -> tuple[tuple[str, str], ...]:
        """Where the audit log and the exports are, for the help."""
        from lwadmin_tui.audit.log import AuditLog
        from lwadmin_tui.settings.paths import exports_dir

        files: tuple[tuple[str, str], ...] = (
            ("audit log", safe_text(AuditLog().path, 200)),
            ("exports", safe_text(exports_dir(), 200) + " (e in the batches view, b)"),
        )
        if self.session.temporary_files:
            files += (("demo", "both are in a temporary folder, deleted when the app quits"),)
        return files

    def action_command_palette(self) -> None:
        """ctrl+p: the palette of commands.py, which ctrl+g closes as well as escape."""
        if self.use_command_palette and not Palette.is_open(cast("App[object]", self)):
            self.push_screen(Palette(id="--command-palette"))

    def action_quit_app(self) -> None:
        from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen
        from lwadmin_tui.ui.screens.token_screen import TokenScreen

        token = next((s for s in self.screen_stack if isinstance(s, TokenScreen)), None)
        if token is not None:  # ctrl+c is what a hand reaches for to copy (the palette above)
            token.notify(
                "Close this screen first (enter): the token is shown here only, and never "
                "again. c copies it.",
                timeout=6,
            )
            return
        screen = self.keys_screen
        rolling = screen is not None and (screen.rolls.running or screen.creates.running)
        if screen is None or not (screen.batch_running or rolling):
            self.exit()
            return
        if isinstance(self.screen, QuitWhileRunningScreen):
            return

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.exit()

        batches = screen.batches
        dialog = QuitWhileRunningScreen(
            batches.cancel, settling=batches.settling, rolling=rolling and not screen.batch_running
        )
        self.push_screen(dialog, answered)

    def _fatal_error(self) -> None:
        """Textual's crash report prints local variables, which can hold the API key: not here."""
        from rich.segment import Segments  # here: 40 ms of imports (pygments) a run rarely needs
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    # --- SIGTERM (kill, systemd), SIGINT (kill -INT), SIGHUP (the SSH link dropped) -------------

    EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process SIGTERM ended
    STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    TERMINATE_WAIT_SECONDS = 10.0
    """After SIGTERM, how long a cancelled batch may take to end before the app exits anyway."""
    _terminating = False
    _terminate_cap: asyncio.TimerHandle | None = None

    def exit_on_sigterm(self) -> None:
        """SIGTERM leaves through Textual, which restores the terminal: its default action ended
        the process at once, leaving the terminal in the alternate screen."""
        # No Unix signals here, or not the main thread (an embedding): the default stays.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for signum in self.STOP_SIGNALS:
                loop.add_signal_handler(signum, self.call_later, self._terminate, signum)

    def _terminate(self, signum: int = signal.SIGTERM) -> None:
        """Exit, a running batch cancelled first: nothing more is sent, and the requests in
        flight end and are recorded before the app goes (`BatchEnded`), within the cap."""
        if self._terminating:
            return
        self._terminating = True
        self.EXIT_TERMINATED = 128 + signum  # 143, 130 or 129, as a shell reports it
        screen = self.keys_screen
        if screen is not None and screen.batches.cancel():
            # The event loop's own timer, not Textual's `set_timer`: a one-shot Textual timer is
            # dropped without firing when the loop is held up (a busy CPU) past its delay
            # between the two clock reads that start it, and the app would wait for the batch.
            self._terminate_cap = asyncio.get_running_loop().call_later(
                self.TERMINATE_WAIT_SECONDS, self._exit_terminated
            )
        else:
            self._exit_terminated()

    def on_batch_ended(self, message: BatchEnded) -> None:
        if self._terminating:
            self._exit_terminated()

    def _exit_terminated(self) -> None:
        self.exit(return_code=self.EXIT_TERMINATED)
