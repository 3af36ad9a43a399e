# ruff: noqa: RUF001  (en dashes for ranges in the written table)
"""`python -m benchmarks.ab`: the two runtime tunings, each measured with and without.

A 1,000-key batch at 50 ms latency on a live 10,000-key table, in fresh processes:
the collector paused while loading and frozen after (lwadmin_tui/gc_tuning.py) on and off,
and Textual's 60 frames
a second against 30 (`TEXTUAL_FPS`). Writes `benchmarks/AB.md`.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from benchmarks.run import HERE, probe
from benchmarks.servers import fake_server

VARIANTS = [  # label, extra probe arguments, environment
    ("default: gc paused and frozen, 60 fps", [], {}),
    ("no gc tuning, 60 fps", ["--no-gc-freeze"], {}),
    ("gc paused and frozen, 30 fps", [], {"TEXTUAL_FPS": "30"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ab", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lines = [
        "# A/B: collector tuning and frame rate",
        "",
        "1,000 revocations at 50 ms latency, concurrency 8, live 10,000-key table; medians "
        f"(min–max) of {args.runs} fresh processes. Written by `python -m benchmarks.ab`.",
        "",
        "| variant | batch wall time | longest UI stall during the batch "
        "| filter keystroke, 10,000 keys |",
        "|---|---|---|---|",
    ]
    for label, extra, env in VARIANTS:
        runs = []
        for _ in range(args.runs):
            with fake_server(10_000, 50) as served:
                saved = {k: os.environ.get(k) for k in env}
                os.environ.update(env)
                try:
                    where = ["--url", served.url, "--token-file", str(served.token_file)]
                    batch = probe(["batch", *where, *extra])
                    with fake_server(10_000) as idle:
                        at = ["--url", idle.url, "--token-file", str(idle.token_file)]
                        load = probe(["load", *at, "--interactions", *extra])
                    runs.append({**batch, "filter_key": load["filter_key"]})
                finally:
                    for key, value in saved.items():
                        if value is None:
                            os.environ.pop(key, None)
                        else:
                            os.environ[key] = value
        walls = [r["batch_wall"] for r in runs]
        stalls = [r["stall_batch"] * 1000 for r in runs]
        keys = [r["filter_key"] * 1000 for r in runs]
        lines.append(
            f"| {label} | {statistics.median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}) "
            f"| {statistics.median(stalls):.0f} ms ({min(stalls):.0f}–{max(stalls):.0f}) "
            f"| {statistics.median(keys):.0f} ms ({min(keys):.0f}–{max(keys):.0f}) |"
        )
        print(lines[-1], flush=True)
    (Path(HERE) / "AB.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
