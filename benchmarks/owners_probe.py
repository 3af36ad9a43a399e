"""One owner measurement in a fresh process: the real app headless against a fake server URL.

`python -m benchmarks.owners_probe reads|start --url URL --token-file FILE` prints one JSON line.

- `start`: spawn → interactive (as `probe.py load`) and → the owners of the cache handled
  (`OwnersCached`) and drawn. The parent gives the child its XDG_CACHE_HOME, with or without a
  cache written there.
- `reads`: once interactive, the round trip of a GET by id, then `o`, `y`: every listed key's
  details read, until `DetailsReadEnded` is handled; while they run, keys are pressed (cursor
  moves, a `/` filter typed and cleared) and timed from the moment each is sent.

The parent (`benchmarks/owners.py`) sets `H6_SPAWN` to the wall time just before the spawn.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.instruments import TICK, Frames, Marks, StallMonitor
from benchmarks.probe import SIZE, _rss_mib


class CpuStalls(StallMonitor):
    """A `StallMonitor` that also keeps the CPU the app's process used during each stall.

    On this shared 2-core machine a stall can be the process waiting for a core, not the app at
    work: `busy` counts only the part of a stall its own CPU time accounts for."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[tuple[float, float, float]] = []  # (ended at, late, CPU seconds in it)

    async def _run(self) -> None:
        while True:
            before, cpu = time.perf_counter(), time.process_time()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late > 0.001:
                at = time.time()
                self.stalls.append((at, late))
                self.cpu.append((at, late, time.process_time() - cpu))

    def busy(self, start: float, end: float) -> float:
        """The longest stall in [start, end], counting only the app's own CPU time in it."""
        return max(
            (min(late, cpu) for at, late, cpu in self.cpu if start <= at <= end + late),
            default=0.0,
        )

    def worst(self, start: float, end: float, count: int = 10) -> list[list[float]]:
        """The longest stalls: [seconds, CPU seconds in it, began (s after start)]."""
        found = sorted(
            ((late, cpu, at) for at, late, cpu in self.cpu if start <= at <= end + late),
            reverse=True,
        )
        return [
            [round(late, 4), round(cpu, 4), round(at - late - start, 3)]
            for late, cpu, at in found[:count]
        ]


def _instrument(marks: Marks) -> Frames:
    """As `probe.py` does, without the batch mark: frames, and when the rows are shown."""
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen
    from lwadmin_tui.ui.widgets.keys_table import KeysTable

    frames = Frames()
    frames.install()
    marks.wrap(KeysScreen, "show_keys", "rows_start")
    marks.wrap(KeysTable, "show", "show_start", "show_end")
    return frames


class Calls:
    """Every call of some wrapped methods: (name, start, end, detail), in time.time."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, float, float, str]] = []

    def wrap(
        self, owner: Any, method: str, name: str, detail: Callable[[Any], str] | None = None
    ) -> None:
        original: Callable[..., Any] = getattr(owner, method)
        calls = self

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            start = time.time()
            try:
                return original(*args, **kwargs)
            finally:
                said = detail(args[0]) if detail and args else ""
                calls.seen.append((name, start, time.time(), said))

        setattr(owner, method, wrapped)

    async def first(
        self, name: str, since: float, detail: str | None = None, limit: float = 20.0
    ) -> tuple[float, float]:
        """(start, end) of the first call of `name` begun after `since` (with this detail)."""
        deadline = time.time() + limit
        while time.time() < deadline:
            for seen, start, end, said in self.seen:
                if seen == name and start >= since and (detail is None or said == detail):
                    return start, end
            await asyncio.sleep(0.002)
        raise TimeoutError(f"{name} was never called after the key")


class Spent:
    """What each call of a wrapped method cost: (began, wall seconds, CPU seconds, detail)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[float, float, float, str]]] = {}

    def wrap(self, owner: Any, method: str, detail: Callable[[Any], str]) -> None:
        original: Callable[..., Any] = getattr(owner, method)
        found = self.calls.setdefault(method, [])

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.time(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                ended = time.time()
                found.append((began, ended - began, time.process_time() - cpu, detail(args[0])))

        setattr(owner, method, wrapped)

    def summary(self, method: str, start: float, end: float) -> dict[str, dict[str, float]]:
        """Per detail: calls, and the median and largest CPU time of one, in [start, end]."""
        by: dict[str, list[float]] = {}
        for began, _wall, cpu, said in self.calls.get(method, []):
            if start <= began <= end:
                by.setdefault(said, []).append(cpu)
        return {
            said: {"calls": len(cpus), "median": statistics.median(cpus), "max": max(cpus)}
            for said, cpus in by.items()
        }


def _wrap_update_keys(table: Any, calls: Calls) -> None:
    """Each `KeysTable.update_keys`: when, how long, how many keys it was given."""
    original = table.update_keys

    def update_keys(self: Any, key_ids: Any, state: Any) -> None:
        key_ids = list(key_ids)
        start = time.time()
        original(self, key_ids, state)
        calls.seen.append(("update_keys", start, time.time(), str(len(key_ids))))

    table.update_keys = update_keys


async def _frame_after(frames: Frames, moment: float, limit: float = 20.0) -> float:
    """The first screen update after `moment`."""
    deadline = time.time() + limit
    while time.time() < deadline:
        times = frames.times
        first = len(times)
        while first > 0 and times[first - 1] >= moment:
            first -= 1
        if first < len(times):
            return times[first]
        await asyncio.sleep(0.002)
    raise TimeoutError("no frame came")


async def _until(marks: Marks, name: str, limit: float) -> float:
    deadline = time.time() + limit
    while name not in marks.at:
        if time.time() > deadline:
            raise TimeoutError(f"{name} never came")
        await asyncio.sleep(0.005)
    return marks.at[name]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    spawn = float(os.environ.get("H6_SPAWN", time.time()))
    from lwadmin_tui.api.auth import ApiKey
    from lwadmin_tui.api.client import LangWatchClient
    from lwadmin_tui.api.early_list import EarlyList

    marks = Marks()
    marks.wrap(LangWatchClient, "list_keys", "get_start", "get_end")
    from lwadmin_tui.settings.tls import tls_settings

    api_key = ApiKey(Path(args.token_file).read_text().strip())
    verify = tls_settings(None).context
    early_list = EarlyList(lambda: LangWatchClient(args.url, api_key, verify=verify))
    frames = _instrument(marks)
    patch = os.environ.get("H6_OWNERS_PATCH")
    if patch:  # a change to the app, measured without making it (see owners.py --patch)
        import runpy

        runpy.run_path(patch, run_name="__patch__")
    stalls = CpuStalls()
    stalls.start()
    from lwadmin_tui.ui.screens import owner_flow
    from lwadmin_tui.ui.screens.owner_flow import OwnerFlow

    marks.wrap(OwnerFlow, "cached", "cached_start", "cached_end")
    marks.wrap(OwnerFlow, "ended", "ended_start", "ended_end")
    marks.wrap(owner_flow, "load_owner_cache", "cache_read_start", "cache_read_end")  # type: ignore[arg-type]
    from lwadmin_tui.ui.widgets.keys_table import KeysTable

    cpu_at_rows = [0.0]
    show = KeysTable.show

    def shown(table: Any, *args: Any, **kwargs: Any) -> Any:
        result = show(table, *args, **kwargs)
        cpu_at_rows[0] = cpu_at_rows[0] or time.process_time()  # the first rows only
        return result

    KeysTable.show = shown  # type: ignore[method-assign,assignment]
    calls = Calls()
    calls.wrap(OwnerFlow, "people_loaded", "people_loaded")
    _wrap_update_keys(KeysTable, calls)
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
        show_end = await _until(marks, "show_end", 60)
        cached_end = await _until(marks, "cached_end", 60)
        settled = await frames.settled(show_end)
        cpu_settled = time.process_time()  # the 0.3 s of quiet before it cost next to nothing
        owners_drawn = await _frame_after(frames, max(show_end, cached_end))
        screen = app.keys_screen
        assert screen is not None
        at = marks.at
        out.update(
            keys=len(screen.state.keys),
            owners_known=screen.state.owners_known,
            imports=imported - spawn,
            get_parse=at["get_end"] - at["get_start"],
            shown=show_end - spawn,
            interactive=settled - spawn,
            cache_read=at["cache_read_end"] - at["cache_read_start"],
            cache_read_end=at["cache_read_end"] - spawn,
            cached_handled=cached_end - spawn,
            cached_spent=cached_end - at["cached_start"],
            cached_before_rows=cached_end < show_end,
            owners_drawn=owners_drawn - spawn,
            stall_loading=stalls.longest(at["get_start"], max(settled, owners_drawn)),
            stall_loading_busy=stalls.busy(at["get_start"], max(settled, owners_drawn)),
            stall_loading_top=stalls.worst(at["get_start"], max(settled, owners_drawn), 5),
            repaints=[
                [round(began - spawn, 3), round(ended - began, 4), int(said)]
                for name, began, ended, said in calls.seen
                if name == "update_keys"
            ],
            people_loaded=[
                [round(began - spawn, 3), round(ended - began, 4)]
                for name, began, ended, said in calls.seen
                if name == "people_loaded"
            ],
            rss_mib=_rss_mib(),
            cpu_interactive=cpu_settled,
            cpu_rows=cpu_at_rows[0],
            gc_collections=[g["collections"] for g in gc.get_stats()],
        )
        if args.mode == "reads":
            out.update(await _reads(app, pilot, frames, marks, stalls, args))
    stalls.stop()
    return out


async def _get_round_trip(client: Any, key_id: str, times: int = 15) -> float:
    """Median time of one GET by id of a listed key (the route and latency the reads use)."""
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        await client.get_key(key_id)
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


async def _parallel_gets(client: Any, key_ids: list[str], width: int, times: int = 5) -> float:
    """Median time for `width` GETs by id sent at once: about one RTT if the server overlaps
    them, `width` RTTs if it answers one at a time."""
    spent = []
    for i in range(times):
        batch = key_ids[i * width : (i + 1) * width]
        start = time.perf_counter()
        await asyncio.gather(*(client.get_key(key_id) for key_id in batch))
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def _send(app: Any, key: str) -> float:
    """Send one key as the terminal driver would, at once; returns the time it was sent."""
    sent = time.time()
    task = asyncio.get_running_loop().create_task(app._press_keys([key]))
    app._h6_key_tasks = [*getattr(app, "_h6_key_tasks", []), task]  # kept until done
    return sent


AFTER = 0.1
"""A pressed key's stalls are those from its sending to this long after the update it caused."""


def _script() -> list[tuple[float, str]]:
    """When (fraction of the expected run) to press what."""
    return [
        (0.20, "down"),
        (0.25, "down"),
        (0.30, "down"),
        (0.40, "slash"),
        (0.42, "e"),
        (0.55, "backspace"),
        (0.57, "escape"),
        (0.65, "down"),
        (0.75, "down"),
    ]


async def _press_during(
    app: Any,
    frames: Frames,
    calls: Calls,
    start: float,
    duration: float,
    stalls: CpuStalls,
    profile_key: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Press the script's keys while the reads run; each: sent → handled → next frame."""
    found: list[dict[str, Any]] = []
    handler = {
        "down": ("cursor_down", None),
        "slash": ("focus_filter", None),
        "e": ("rebuild_table", "e"),
        "backspace": ("rebuild_table", ""),
        "escape": ("set_focus", None),
    }
    for fraction, key in _script():
        wait = start + fraction * duration - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if app.keys_screen.owners.reads is None:
            break  # the reads ended early: no more "during"
        profile = cProfile.Profile() if profile_key and profile_key[0] == key else None
        if profile is not None:
            profile.enable()
        sent = _send(app, key)
        name, detail = handler[key]
        began, ended = await calls.first(name, sent, detail)
        drawn = await _frame_after(frames, ended)
        await asyncio.sleep(AFTER + 0.05)  # the stalls it caused are recorded once they end
        if profile is not None and profile_key is not None:
            profile.disable()
            profile.dump_stats(profile_key[1])
            profile_key = None  # its first press only
        found.append(
            {
                "key": key,
                "at": sent - start,
                "handled": ended - sent,
                "waited": began - sent,
                "spent": ended - began,
                "drawn": drawn - sent,
                "stall": stalls.longest(sent, drawn + AFTER),
                "stall_busy": stalls.busy(sent, drawn + AFTER),
                "done_so_far": app.keys_screen.owners.reads.counts.done
                if app.keys_screen.owners.reads
                else None,
            }
        )
    return found


async def _progress(app: Any, start: float, samples: list[tuple[float, int]]) -> None:
    while True:
        reads = app.keys_screen.owners.reads
        if reads is not None:
            samples.append((round(time.time() - start, 2), reads.counts.done))
        await asyncio.sleep(1.0)


async def _reads(
    app: Any, pilot: Any, frames: Frames, marks: Marks, stalls: CpuStalls, args: Any
) -> dict[str, Any]:
    from lwadmin_tui.bulk.detail_reads import DetailReads
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen
    from lwadmin_tui.ui.screens.owner_flow import OwnerFlow
    from lwadmin_tui.ui.screens.read_details_question import ReadDetailsQuestion
    from lwadmin_tui.ui.widgets.keys_table import KeysTable

    marks.wrap(DetailReads, "run", "run_start", "run_end")
    last_read: list[float] = [0.0]
    report = OwnerFlow.report

    def reported(flow: OwnerFlow, result: Any) -> None:
        last_read[0] = time.time()
        report(flow, result)

    OwnerFlow.report = reported  # type: ignore[method-assign,assignment]
    spent = Spent()

    def filtered(flow: Any) -> str:
        return "filter on" if flow.state.filter_text else "no filter"

    spent.wrap(OwnerFlow, "flush", filtered)
    spent.wrap(KeysScreen, "rebuild_table", lambda screen: repr(screen.state.filter_text))
    calls = Calls()
    calls.wrap(KeysTable, "action_cursor_down", "cursor_down")
    calls.wrap(KeysScreen, "action_focus_filter", "focus_filter")
    calls.wrap(KeysScreen, "set_focus", "set_focus")  # `filter_left` is an `@on` handler
    calls.wrap(KeysScreen, "rebuild_table", "rebuild_table", lambda s: s.state.filter_text)
    screen = app.keys_screen
    listed = [k for k in screen.state.keys if k != screen.batches.own_key_id]
    rtt = await _get_round_trip(app.client, listed[len(listed) // 2])
    parallel = await _parallel_gets(app.client, listed, app.concurrency)
    await pilot.press("o")
    while not isinstance(app.screen, ReadDetailsQuestion):
        await asyncio.sleep(0.01)
    await frames.settled(time.time() - 1)
    asked = app.screen.count
    expected = asked * args.latency_ms / 1000 / app.concurrency
    profile = cProfile.Profile() if args.profile and not args.profile_key else None
    samples: list[tuple[float, int]] = []
    cpu, frames_before = _cpu(), len(frames.times)
    if profile is not None:
        profile.enable()
    start = time.time()
    await pilot.press("y")
    sampler = asyncio.get_running_loop().create_task(_progress(app, start, samples))
    inputs: list[dict[str, Any]] = []
    if not args.no_keys and expected > 0:
        key_profile = (args.profile_key, args.profile) if args.profile_key else None
        inputs = await _press_during(app, frames, calls, start, expected, stalls, key_profile)
    end = await _until(marks, "ended_end", 30 * max(expected, 10))
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    sampler.cancel()
    cpu_spent = _cpu() - cpu
    reads_frames = [t for t in frames.times[frames_before:] if start <= t <= end]
    windows = [(start + i["at"], start + i["at"] + i["drawn"] + 0.1) for i in inputs]
    quiet = [
        late
        for at, late in stalls.stalls
        if start <= at <= end and not any(a <= at <= b for a, b in windows)
    ]
    during = sorted((late for at, late in stalls.stalls if start <= at <= end), reverse=True)
    filter_on = [i["at"] for i in inputs if i["key"] in ("e", "backspace")]
    if len(filter_on) == 2:
        windows.append((start + filter_on[0], start + filter_on[1] + 0.5))
    unfiltered = [
        late
        for at, late in stalls.stalls
        if start <= at <= end and not any(a <= at <= b for a, b in windows)
    ]
    counts = screen.owners
    found: dict[str, Any] = {}
    if len(filter_on) == 2:
        found["stall_filter_on"] = stalls.longest(start + filter_on[0], start + filter_on[1])
    return {
        **found,
        "asked": asked,
        "read_known": screen.state.owners_known,
        "reads_wall": end - start,
        "to_first_request": marks.at["run_start"] - start,
        "last_read": last_read[0] - start,
        "run_end_to_handled": end - marks.at["run_end"],
        "ended_spent": end - marks.at["ended_start"],
        "rtt_get": rtt,
        "parallel_get": parallel,
        "latency_ms": args.latency_ms,
        "concurrency": app.concurrency,
        "stall_reads": during[0] if during else 0.0,
        "stall_reads_quiet": max(quiet, default=0.0),
        "stall_no_filter": max(unfiltered, default=0.0),
        "stall_top": stalls.worst(start, end),
        "stall_reads_busy": stalls.busy(start, end),
        "flush_cpu": spent.summary("flush", start, end),
        "rebuild_cpu": spent.summary("rebuild_table", start, end),
        "stalls_over_20ms": sum(1 for s in during if s > 0.02),
        "stalls_over_50ms": sum(1 for s in during if s > 0.05),
        "frames": len(reads_frames),
        "cpu_fraction": cpu_spent / (end - start),
        "inputs": inputs,
        "progress": samples,
        "unreadable": len(getattr(counts, "unreadable", ())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.owners_probe")
    parser.add_argument("mode", choices=["reads", "start"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the server's, for timing")
    parser.add_argument("--no-keys", action="store_true", help="press nothing during the reads")
    parser.add_argument("--profile", help="write cProfile stats of the reads to this file")
    parser.add_argument(
        "--profile-key",
        choices=["down", "slash", "e", "backspace", "escape"],
        help="with --profile: profile only this key's first press (to 0.1 s after its update)",
    )
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args))), flush=True)


if __name__ == "__main__":
    main()
