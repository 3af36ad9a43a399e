# ruff: noqa: RUF001  (en dashes for ranges in the written table)
"""`python -m benchmarks.compare BEFORE AFTER`: two source trees, interleaved, same fake server.

This machine's speed drifts by up to 40 % within an hour, so two runs of `benchmarks.run` made
at different times do not compare. This alternates the two trees' probes against one fake
server, run after run: the headless start (`probe.py load`) and the real command in a
pseudo-terminal (`terminal_probe.py`). A tree is a checkout, e.g.
`git worktree add /tmp/before 2566073`. Writes `benchmarks/COMPARE.md`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
from pathlib import Path

from benchmarks.run import HERE, probe
from benchmarks.servers import fake_server
from benchmarks.terminal_probe import command_start

FIELDS = [
    ("interactive", "headless: spawn → interactive"),
    ("get_parse", "headless: GET + parse"),
    ("rss_mib", "headless: peak RSS (MiB)"),
    ("command_interactive", "the command in a terminal: spawn → settled screen"),
]


def measure(tree: Path, url: str, token_file: Path, n_keys: int) -> dict[str, float]:
    """One headless probe and one command start, both importing the app from `tree`."""
    here = Path.cwd()
    os.chdir(tree)  # `python -m` finds `lwadmin_tui` and `benchmarks` in the working directory
    try:
        found = probe(["load", "--url", url, "--token-file", str(token_file)])
        found.update(command_start(url, token_file, n_keys))
    finally:
        os.chdir(here)
    return found


def label(tree: Path) -> str:
    """The commit the tree is checked out at, else its path."""
    found = subprocess.run(
        ["git", "-C", str(tree), "describe", "--always"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or str(tree)


def cell(runs: list[dict[str, float]], field: str) -> str:
    found = [r[field] for r in runs if field in r]
    if not found:
        return "–"
    scale, unit = (1, "") if field == "rss_mib" else (1000, " ms")
    low, mid, high = (v * scale for v in (min(found), statistics.median(found), max(found)))
    return f"{mid:.0f}{unit} ({low:.0f}–{high:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    trees = [args.before.resolve(), args.after.resolve()]
    results: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    with fake_server(args.keys) as served:
        for run in range(args.runs):
            for tree in trees if run % 2 == 0 else trees[::-1]:  # neither always goes first
                results[tree].append(measure(tree, served.url, served.token_file, args.keys))
    before, after = label(trees[0]), label(trees[1])
    lines = [
        f"# Before and after: {args.keys:,} keys",
        "",
        f"`python -m benchmarks.compare BEFORE AFTER --runs {args.runs}` with checkouts of "
        f"{before} and {after}: medians (min–max) of runs alternating between the two trees "
        "against one fake server.",
        "",
        f"| | {before} | {after} |",
        "|---|---|---|",
        *(f"| {label} | {cell(results[trees[0]], field)} | {cell(results[trees[1]], field)} |"
          for field, label in FIELDS),
        "",
    ]  # fmt: skip
    (Path(HERE) / "COMPARE.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
