"""One measurement in a fresh process: run the real app headless against a fake server URL.

`python -m benchmarks.probe load|batch --url URL --token-file FILE ...` prints one JSON line.
The parent (`benchmarks/run.py`) sets `H6_SPAWN` to the wall time just before it spawned this
process, so start-up includes the interpreter and every import.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import Frames, Marks, StallMonitor

SIZE = (120, 40)
CREDENTIAL_NAME = "lwadmin-tui incident response"
ABSENT_KEY_ID = "h6-no-such-key-000000"
"""An id of the server's form (21 characters, `key_ids.py`) that no listed key has: answered 404."""


def _instrument(marks: Marks) -> Frames:
    from lwadmin_tui.ui.screens.batch_flow import BatchFlow
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen
    from lwadmin_tui.ui.widgets.keys_table import KeysTable

    frames = Frames()
    frames.install()
    marks.wrap(KeysScreen, "show_keys", "rows_start")
    marks.wrap(KeysTable, "show", "show_start", "show_end")
    marks.wrap(BatchFlow, "batch_ended", "batch_end")
    return frames


def _cpu_seconds() -> float:
    """User + system time of this process (every thread) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _timed_keys(pilot: Any, frames: Frames, *keys: str) -> float:
    """Seconds from pressing `keys` to the settled frame that follows."""
    start = time.time()
    await pilot.press(*keys)
    return await frames.settled(start) - start


async def floor() -> dict[str, Any]:
    """The least any such app costs: the same imports, a Textual app with one line of text."""
    spawn = float(os.environ.get("H6_SPAWN", time.time()))
    frames = Frames()
    frames.install()
    import httpx  # noqa: F401  (what the real app imports before it can send anything)
    import pydantic  # noqa: F401
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    imported = time.time()
    async with Minimal().run_test(size=SIZE):
        settled = await frames.settled(imported)
    return {"floor_imports": imported - spawn, "floor_interactive": settled - spawn}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    if args.mode == "floor":
        return await floor()
    spawn = float(os.environ.get("H6_SPAWN", time.time()))
    from lwadmin_tui.api.auth import ApiKey
    from lwadmin_tui.api.client import LangWatchClient
    from lwadmin_tui.api.early_list import EarlyList

    marks = Marks()
    marks.wrap(LangWatchClient, "list_keys", "get_start", "get_end")
    from lwadmin_tui.settings.tls import tls_settings

    api_key = ApiKey(Path(args.token_file).read_text().strip())
    verify = tls_settings(None).context  # one TLS context for every client, as in launch.run_tui
    early_list = None
    if not args.no_early_list:  # as `lwadmin-tui` does: the list is asked for before Textual loads
        early_list = EarlyList(lambda: LangWatchClient(args.url, api_key, verify=verify))
    frames = _instrument(marks)
    stalls = StallMonitor()
    stalls.start()
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.session import Session

    imported = time.time()
    app = LwAdminApp(
        Session(args.url, api_key, concurrency=args.concurrency, verify=verify),
        confirm_guard_seconds=0.0,
        cursor_blink=False,
        early_list=early_list,
    )
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        while "show_end" not in marks.at:
            await asyncio.sleep(0.01)
        settled = await frames.settled(marks.at["show_end"])
        at = marks.at
        out.update(
            keys=len(app.keys_screen.state.keys),  # type: ignore[union-attr]
            imports=imported - spawn,
            startup=at["get_start"] - spawn,
            screen=frames.times[0] - spawn,
            get_parse=at["get_end"] - at["get_start"],
            build_rows=at["show_start"] - at["get_end"],
            populate=at["show_end"] - at["show_start"],
            first_frame=settled - at["show_end"],
            interactive=settled - spawn,
            stall_loading=stalls.longest(at["get_start"], settled),
            rss_mib=_rss_mib(),
        )
        if args.mode == "load" and args.interactions:
            out.update(await _interactions(pilot, frames))
        if args.mode == "batch":
            out.update(await _batch(app, args.batch, marks, stalls))
    stalls.stop()
    return out


async def _interactions(pilot: Any, frames: Frames) -> dict[str, float]:
    await pilot.press("slash")
    await frames.settled(time.time() - 1)
    result = {
        "filter_key": await _timed_keys(pilot, frames, "e"),
        "filter_key2": await _timed_keys(pilot, frames, "v"),
        "filter_back": await _timed_keys(pilot, frames, "backspace"),
        "filter_clear": await _timed_keys(pilot, frames, "backspace"),
    }
    await pilot.press("escape")
    await frames.settled(time.time() - 1)
    result["sort"] = await _timed_keys(pilot, frames, "s")
    result["sort_reverse"] = await _timed_keys(pilot, frames, "S")
    return result


async def _round_trip(client: Any, times: int = 15) -> float:
    """Median time of one DELETE the server answers 404 (same route and latency, no revoke)."""
    from lwadmin_tui.api.errors import NotFound

    spent = []
    for _ in range(times):
        start = time.perf_counter()
        with contextlib.suppress(NotFound):
            await client.revoke_key(ABSENT_KEY_ID)
        spent.append(time.perf_counter() - start)
    return sorted(spent)[len(spent) // 2]


async def _batch(app: Any, count: int, marks: Marks, stalls: StallMonitor) -> dict[str, Any]:
    screen = app.keys_screen
    rtt = await _round_trip(app.client)
    targets = [k for k in screen.state.keys.values() if k.name != CREDENTIAL_NAME][:count]
    cpu_before = _cpu_seconds()
    start = time.time()
    screen.batches.start_batch(targets)
    while "batch_end" not in marks.at:
        await asyncio.sleep(0.01)
    end = marks.at["batch_end"]
    cpu = _cpu_seconds() - cpu_before  # up to 10 ms after the end: this loop's poll
    done = sum(1 for k in targets if getattr(screen.state.results.get(k.id), "done", False))
    return {
        "batch_keys": len(targets),
        "batch_done": done,
        "batch_wall": end - start,
        "batch_cpu": cpu,
        "rtt": rtt,
        "stall_batch": stalls.longest(start, end),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("mode", choices=["load", "batch", "floor"])
    parser.add_argument("--url", default="")
    parser.add_argument("--token-file", default="")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--interactions", action="store_true")
    parser.add_argument(
        "--no-early-list",
        action="store_true",
        help="let the app send the first list itself, not a thread before Textual is imported",
    )
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="measure without gc_tuning (no pause while loading, no freeze)",
    )
    args = parser.parse_args()
    if args.no_gc_freeze:
        from lwadmin_tui.api import gc_tuning

        gc_tuning.FREEZE = False
    print(json.dumps(asyncio.run(measure(args))), flush=True)


if __name__ == "__main__":
    main()
