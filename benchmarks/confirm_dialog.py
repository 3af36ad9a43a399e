# ruff: noqa: RUF001  (en dashes for ranges in the printed table)
"""`python -m benchmarks.confirm_dialog`: the confirmation dialog with N marked keys.

Each measurement is a fresh process running the real app headless (`App.run_test`, 80x24: the
smallest screen the dialog must fit) on the in-process fake organization; the list is then
replaced by N generated keys (`KeysScreen.show_keys`, as a load does) and `a` marks them all.
It times, from pressing `d`: the dialog's first frame and the settled screen (the last frame
before 300 ms without one), then a digit typed into the count box, escape back to the table,
and `q` until the app has exited; with the longest event-loop stall while the dialog opens, the
peak RSS and what the open dialog adds to the resident set. Keys are posted as the terminal
sends them, not through Pilot, which gives up when the app is busy for 30 s.

`--tree PATH` imports `lwadmin_tui` from another source tree (e.g. `git archive` of an older
commit unpacked there), so the same script measures the code before a change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000)
SIZE = (80, 24)
LIMIT = 600  # seconds a phase may take: the old dialog took minutes at 100,000 keys
NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)  # the tests' clock: same keys, same screens
FIELDS = [
    ("first", "`d` → first frame of the dialog"),
    ("open", "`d` → dialog settled (last frame before 300 ms without one)"),
    ("stall", "longest event-loop stall while it opens"),
    ("typed", "then a digit typed → shown in the count box (settled)"),
    ("back", "escape → table back and settled"),
    ("quit", "`q` → app exited"),
    ("rss_mib", "peak RSS of the process"),
    ("rss_added", "RSS the open dialog adds (now − before `d`)"),
]


def _rss_mib() -> float:
    """The peak resident set so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mib() -> float:
    """The resident set now (Linux): what the open dialog holds, not an earlier peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _press(app: Any, key: str) -> None:
    """A key as the terminal sends it, without Pilot's wait (it gives up after 30 s)."""
    from textual import events

    app.post_message(events.Key(key, key if len(key) == 1 else None))


async def _until(found: Callable[[], Any], limit: float = LIMIT) -> Any:
    """Poll every 2 ms (a blocked event loop makes that coarser) until `found()` is not None."""
    deadline = time.time() + limit
    while time.time() < deadline:
        value = found()
        if value is not None:
            return time.time() if value is True else value
        await asyncio.sleep(0.002)
    raise TimeoutError("the app never got there")


async def probe(n_keys: int) -> dict[str, Any]:
    """One measurement in this process (the parent spawns one per run)."""
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # for `benchmarks.instruments` when run as a file
    from benchmarks.instruments import Frames, StallMonitor

    frames = Frames()
    frames.install()
    from textual.app import App
    from textual.widgets import Input

    import lwadmin_tui
    from lwadmin_tui.api.auth import ApiKey
    from lwadmin_tui.api.models import ApiKeyInfo
    from lwadmin_tui.fake import admin_scenario
    from lwadmin_tui.fake.in_process import InProcessTransport
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
    from lwadmin_tui.ui.session import Session

    scenario = admin_scenario(NOW)
    app = LwAdminApp(
        Session(
            "https://langwatch.bench.example",
            ApiKey(scenario.token),
            transport=InProcessTransport(scenario.app),
        ),
        clock=lambda: NOW,
        confirm_guard_seconds=0.0,
        cursor_blink=False,
    )
    keys = tuple(
        ApiKeyInfo(id=f"k{i:020d}", name=f"ci runner {i}", created_at=NOW - timedelta(days=1))
        for i in range(n_keys)
    )
    stalls = StallMonitor()
    dialog_frames: list[float] = []
    original = App._display

    def display(app: App[Any], screen: Any, renderable: Any) -> None:
        original(app, screen, renderable)
        if renderable is not None and isinstance(screen, ConfirmRevokeScreen):
            dialog_frames.append(time.time())

    App._display = display  # type: ignore[method-assign]
    out: dict[str, Any] = {"keys": n_keys, "tree": str(Path(lwadmin_tui.__file__).parent.parent)}
    async with app.run_test(size=SIZE) as pilot:
        screen = app.keys_screen
        assert screen is not None
        while not screen.loaded:
            await asyncio.sleep(0.01)
        before = time.time()
        screen.show_keys(keys)
        await pilot.press("a")
        await frames.settled(before)
        assert len(screen.state.marked) == n_keys
        rss_before = _current_rss_mib()
        stalls.start()
        start = time.time()
        _press(app, "d")
        first = await _until(lambda: next((t for t in dialog_frames if t >= start), None))
        shown = await frames.settled(start, limit=LIMIT)
        stalls.stop()
        out.update(first=first - start, open=shown - start, stall=stalls.longest(start, shown))
        out["rss_mib"] = _rss_mib()
        out["rss_added"] = _current_rss_mib() - rss_before
        count_box = app.screen.query_one("#count", Input)
        start = time.time()
        _press(app, "1")
        await _until(lambda: count_box.value == "1" or None)
        out["typed"] = await frames.settled(start, limit=LIMIT) - start
        start = time.time()
        _press(app, "escape")
        await _until(lambda: not isinstance(app.screen, ConfirmRevokeScreen) or None)
        out["back"] = await frames.settled(start, limit=LIMIT) - start
        start = time.time()
        _press(app, "q")
        # Leaving the block before `q` is handled would shut the app down under that key.
        await _until(lambda: app.return_code is not None or None)
    out["quit"] = time.time() - start
    out["rss_mib"] = max(out["rss_mib"], _rss_mib())
    return out


def spawn(tree: Path, n_keys: int, timeout: float) -> dict[str, Any]:
    """A fresh interpreter that imports `lwadmin_tui` from `tree` and this file's instruments."""
    with tempfile.TemporaryDirectory(prefix="confirm-bench-") as state:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tree), str(ROOT)]),
            "XDG_STATE_HOME": state,
            "XDG_CONFIG_HOME": state,
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        done = subprocess.run(
            [sys.executable, __file__, "--probe", str(n_keys)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"probe {n_keys} failed:\n{done.stderr[-2000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(found["tree"]).resolve() != tree.resolve():
        raise RuntimeError(f"imported lwadmin_tui from {found['tree']}, not {tree}")
    return found


def cell(field: str, runs: list[dict[str, Any]]) -> str:
    values = [run[field] for run in runs]
    low, mid, high = min(values), statistics.median(values), max(values)
    if field.startswith("rss"):
        text = f"{mid:.0f} MiB"
        return text if len(values) == 1 else f"{text} ({low:.0f}–{high:.0f})"
    if field == "stall" or mid < 1:
        text = f"{mid * 1000:.0f} ms"
        return text if len(values) == 1 else f"{text} ({low * 1000:.0f}–{high * 1000:.0f})"
    text = f"{mid:.2f} s"
    return text if len(values) == 1 else f"{text} ({low:.2f}–{high:.2f})"


def table(results: dict[int, list[dict[str, Any]]]) -> str:
    sizes = sorted(results)
    lines = [
        "| " + " | ".join(["from pressing `d`", *(f"{n:,} keys" for n in sizes)]) + " |",
        "|" + "---|" * (len(sizes) + 1),
    ]
    for field, label in FIELDS:
        lines.append("| " + " | ".join([label, *(cell(field, results[n]) for n in sizes)]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.confirm_dialog", description=__doc__
    )
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per size")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--tree",
        type=Path,
        nargs="+",
        default=[ROOT],
        help="where lwadmin_tui is imported from; several trees are measured run by run, "
        "alternately, so they see the same drift of the machine",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    parser.add_argument("--json", type=Path, help="also write every run here")
    parser.add_argument("--table", type=Path, help="print the tables of a --json file, run none")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(asyncio.run(probe(args.probe))), flush=True)
        return
    if args.table:
        for tree, sizes in json.loads(args.table.read_text()).items():
            runs = max(len(found) for found in sizes.values())
            print(f"\n{tree}, up to {runs} run(s) per size, median (min–max):\n")
            print(table({int(n): found for n, found in sizes.items()}))
        return
    trees = [tree.resolve() for tree in args.tree]
    results: dict[Path, dict[int, list[dict[str, Any]]]] = {tree: {} for tree in trees}
    for n_keys in args.sizes:
        for _ in range(args.runs):
            for tree in trees:
                found = spawn(tree, n_keys, args.timeout)
                results[tree].setdefault(n_keys, []).append(found)
                print(f"{tree} {n_keys}: open {found['open']:.3f} s", flush=True)
                if args.json:  # after every run: a long one that fails keeps the others
                    every = {
                        str(t): {str(n): r for n, r in sizes.items()}
                        for t, sizes in results.items()
                    }
                    args.json.write_text(json.dumps(every, indent=1) + "\n")
    for tree, by_size in results.items():
        print(f"\n{tree}, {args.runs} run(s) per size, median (min–max):\n")
        print(table(by_size))


if __name__ == "__main__":
    main()
