"""What a probe measures inside the app's process: frame times, event-loop stalls, phase marks.

Frames are counted where Textual hands a finished screen update to the driver (`App._display`):
the compositor has already rendered every changed line by then, headless or not, so a frame
time here includes the table's own rendering. A stall is how late a 5 ms sleeper wakes up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

TICK = 0.005


class Frames:
    """Timestamps (time.time) of every screen update the app produced."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def install(self) -> None:
        from textual.app import App  # here: the probe may start the list before Textual loads

        original = App._display
        frames = self

        def display(app: App[Any], screen: Any, renderable: Any) -> None:
            original(app, screen, renderable)
            if renderable is not None:
                frames.times.append(time.time())

        App._display = display  # type: ignore[method-assign]

    async def settled(self, since: float, quiet: float = 0.3, limit: float = 120.0) -> float:
        """The time of the last frame after `since`, once no frame has come for `quiet` s."""
        deadline = time.time() + limit
        while time.time() < deadline:
            await asyncio.sleep(0.02)
            after = [t for t in self.times if t >= since]
            if after and time.time() - after[-1] >= quiet:
                return after[-1]
        raise TimeoutError("the app never settled")


class StallMonitor:
    """How late a 5 ms sleeper wakes up: every delay over 1 ms, with the time it ended."""

    def __init__(self) -> None:
        self.stalls: list[tuple[float, float]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late > 0.001:
                self.stalls.append((time.time(), late))

    def longest(self, start: float, end: float) -> float:
        """The longest stall that ended in [start, end], in seconds (a stall may begin earlier)."""
        return max((late for at, late in self.stalls if start <= at <= end + late), default=0.0)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class Marks:
    """Named moments (time.time), set by wrapping methods of the app's classes."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    def mark(self, name: str) -> None:
        self.at.setdefault(name, time.time())

    def wrap(self, owner: type, method: str, before: str, after: str | None = None) -> None:
        """Mark `before` when `owner.method` is first entered, `after` when it first returns."""
        original: Callable[..., Any] = getattr(owner, method)
        marks = self

        if asyncio.iscoroutinefunction(original):

            async def async_wrapped(*args: Any, **kwargs: Any) -> Any:
                marks.mark(before)
                result = await original(*args, **kwargs)
                if after:
                    marks.mark(after)
                return result

            setattr(owner, method, async_wrapped)
            return

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            marks.mark(before)
            result = original(*args, **kwargs)
            if after:
                marks.mark(after)
            return result

        setattr(owner, method, wrapped)
