"""The first key list, asked for on a thread while the rest of the app is still being imported.

Importing Textual and building the screen take a few hundred milliseconds of CPU before the app
could send anything. The command (`launch.py`) starts this request before it imports the app, so the
round trip and the server's own work, often the longest part of a start against a real server
with thousands of keys, happen meanwhile. The thread runs its own event loop and client, used for
this one request; the app awaits the answer on its loop (`LwAdminApp.fetch_keys`), and errors
reach it as from any other list request.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, InvalidStateError

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.models import ApiKeyInfo


def _import_the_async_network_stack() -> None:
    """httpcore's asyncio backend (anyio, ~25 ms of imports), here, not on the thread.

    Imported on the thread, it competed for the interpreter lock with Textual's imports on the
    main thread and delayed the whole start by about 0.1 s (benchmarks/RESULTS.md); the app
    imports it anyway for its own first request. Private module names: if a release moves them,
    only this head start is lost.
    """
    with contextlib.suppress(ImportError):
        import anyio._backends._asyncio  # noqa: F401
        import httpcore._backends.anyio  # noqa: F401


class EarlyList:
    """`GET /api/api-keys` on its own thread, started at once; `keys()` awaits its answer."""

    def __init__(self, make_client: Callable[[], LangWatchClient]) -> None:
        _import_the_async_network_stack()
        self._make_client = make_client
        self._answer: Future[tuple[ApiKeyInfo, ...]] = Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[tuple[ApiKeyInfo, ...]] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="lwadmin-early-list", daemon=True)
        self._thread.start()

    async def keys(self) -> tuple[ApiKeyInfo, ...]:
        try:
            return await asyncio.wrap_future(self._answer)
        except asyncio.CancelledError:  # a reload replaced it: stop the download too
            self.cancel()
            raise

    def answered(self) -> tuple[ApiKeyInfo, ...] | None:
        """The keys, if the answer has already arrived and was a list; else None."""
        answer = self._answer
        if not answer.done() or answer.cancelled() or answer.exception() is not None:
            return None
        return answer.result()

    def cancel(self) -> None:
        """The app is quitting: stop the request and let the thread end."""
        self._answer.cancel()
        with self._lock:
            if self._loop is not None and self._task is not None:
                self._loop.call_soon_threadsafe(self._task.cancel)

    def wait_finished(self, timeout: float) -> bool:
        """True once the thread has ended (answered, failed or cancelled)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        # InvalidStateError: the app cancelled it meanwhile, and nobody waits for the answer.
        with contextlib.suppress(InvalidStateError):
            try:
                keys = asyncio.run(self._fetch())
            except BaseException as error:  # handed to the app, worded like any load error
                self._answer.set_exception(error)
            else:
                self._answer.set_result(keys)

    async def _fetch(self) -> tuple[ApiKeyInfo, ...]:
        async with self._make_client() as client:
            with self._lock:
                if self._answer.cancelled():
                    raise asyncio.CancelledError
                self._loop = asyncio.get_running_loop()
                self._task = asyncio.ensure_future(client.list_keys())
            try:
                return await self._task
            finally:
                with self._lock:  # the loop closes after this: `cancel` must not touch it
                    self._loop = self._task = None


class FirstList:
    """The app's first key list, in one place: asked for as soon as the app loads (or taken
    from the `EarlyList` the command sent before Textual was imported), handed over once.

    `start` sends it, `already_here` gives the keys if they came before the screen was built,
    `take` awaits them (None once handed over: later lists are new requests), `cancel` drops it.
    """

    def __init__(
        self,
        early: EarlyList | None,
        ask: Callable[[], Coroutine[None, None, tuple[ApiKeyInfo, ...]]],
    ) -> None:
        self._early = early
        self._ask = ask
        self._pending: asyncio.Future[tuple[ApiKeyInfo, ...]] | None = None

    def start(self) -> None:
        if self._early is not None:
            self._pending = asyncio.ensure_future(self._early.keys())
        else:
            self._pending = asyncio.ensure_future(self._ask())
        self._pending.add_done_callback(_seen)

    def already_here(self) -> tuple[ApiKeyInfo, ...] | None:
        if self._early is None or self._pending is None:
            return None
        keys = self._early.answered()
        if keys is not None:
            self._pending.cancel()
            self._pending = None
        return keys

    async def take(self) -> tuple[ApiKeyInfo, ...] | None:
        pending, self._pending = self._pending, None
        return None if pending is None else await pending

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if self._early is not None:
            self._early.cancel()


def _seen(task: asyncio.Future[tuple[ApiKeyInfo, ...]]) -> None:
    """A first list nobody awaited (the app quit first) must not print "never retrieved"."""
    if not task.cancelled():
        task.exception()
