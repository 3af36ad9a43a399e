"""`python -m benchmarks.run`: every performance figure, medians over fresh processes.

Each measurement spawns a new interpreter (`benchmarks/probe.py`) that runs the real app
headless against a fake server running in its own process on 127.0.0.1. Results go to
`benchmarks/results.json` and `benchmarks/RESULTS.md` (with the machine description).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.report import write_report
from benchmarks.servers import fake_server
from benchmarks.terminal_probe import command_start

HERE = Path(__file__).parent
LOAD_SIZES = (1_000, 10_000, 100_000)
LATENCIES = (0, 20, 50, 100)
BATCH_TABLES = (1_000, 10_000)
NAIVE_KEYS = 200  # one-at-a-time baseline: 200 keys, scaled to 1,000 (it is linear in N)
DISTANT_MS = 200  # a server that takes this long to answer, for the start-up with the early list


def probe(args: list[str], timeout: float = 300) -> dict[str, Any]:
    """One fresh process; its audit log goes to a throwaway XDG_STATE_HOME."""
    with tempfile.TemporaryDirectory(prefix="h6-state-") as state:
        env = {**os.environ, "XDG_STATE_HOME": state, "H6_SPAWN": repr(time.time())}
        # As an installed app: bytecode is cached (pip compiles it), not compiled at each start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.probe", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"probe {args[0]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor_runs(runs: int) -> list[dict[str, Any]]:
    """A Textual app with one line of text and the same libraries: what no change here can beat."""
    found = [probe(["floor"]) for _ in range(runs)]
    print(f"floor: {[round(r['floor_interactive'], 2) for r in found]}")
    return found


def load_runs(runs: int, sizes: tuple[int, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Headless probes (phases) and the real command in a pseudo-terminal, per list size."""
    headless: dict[str, list[dict[str, Any]]] = {}
    command: dict[str, list[dict[str, Any]]] = {}
    for n in sizes:
        with fake_server(n) as served:
            base = ["load", "--url", served.url, "--token-file", str(served.token_file)]
            extra = ["--interactions"] if n >= 10_000 else []
            headless[str(n)], command[str(n)] = [], []
            for _ in range(runs):  # interleaved: both see the same drift of this machine
                headless[str(n)].append(probe(base + extra))
                command[str(n)].append(command_start(served.url, served.token_file, n))
            print(f"load {n}: {[round(r['interactive'], 2) for r in headless[str(n)]]}")
            print(f"command {n}: {[round(r['command_interactive'], 2) for r in command[str(n)]]}")
    return headless, command


def distant_runs(runs: int) -> dict[str, list[dict[str, Any]]]:
    """10,000 keys from a server that answers after `DISTANT_MS`: the list sent early or not."""
    results: dict[str, list[dict[str, Any]]] = {"early": [], "late": []}
    with fake_server(10_000, DISTANT_MS) as served:
        base = ["load", "--url", served.url, "--token-file", str(served.token_file)]
        for _ in range(runs):
            results["early"].append(probe(base))
            results["late"].append(probe([*base, "--no-early-list"]))
    for name, found in results.items():
        print(f"distant {name}: {[round(r['interactive'], 2) for r in found]}")
    return results


def batch_run(table: int, latency: float, keys: int, concurrency: int) -> dict[str, Any]:
    with fake_server(table, latency) as served:  # fresh: the batch revokes its keys
        args = ["batch", "--url", served.url, "--token-file", str(served.token_file)]
        args += ["--batch", str(keys), "--concurrency", str(concurrency)]
        return probe(args)


def batch_runs(
    runs: int, latencies: tuple[int, ...], concurrency: int, naive: bool
) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {}
    for latency in latencies:
        for table in BATCH_TABLES:
            key = f"{table}@{latency}"
            results[key] = [batch_run(table, latency, 1000, concurrency) for _ in range(runs)]
            print(f"batch {key}: {[round(r['batch_wall'], 2) for r in results[key]]}")
        if naive:
            key = f"naive@{latency}"
            results[key] = [batch_run(1_000, latency, NAIVE_KEYS, 1) for _ in range(runs)]
            print(f"naive {key}: {[round(r['batch_wall'], 2) for r in results[key]]}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--concurrency", type=int, default=None, help="default: the app's")
    parser.add_argument("--quick", action="store_true", help="1 run, no 100k, no naive baseline")
    parser.add_argument("--out", type=Path, default=HERE, help="where results go")
    parser.add_argument("--compare", type=Path, help="an earlier results.json: a 'before' column")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite RESULTS.md from results.json"
    )
    args = parser.parse_args()
    before = json.loads(args.compare.read_text()) if args.compare else None
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text())
        write_report(results, args.out / "RESULTS.md", before)
        return
    from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY

    concurrency = args.concurrency or DEFAULT_CONCURRENCY
    runs = 1 if args.quick else args.runs
    sizes = LOAD_SIZES[:2] if args.quick else LOAD_SIZES
    floor = floor_runs(runs)
    load, command = load_runs(runs, sizes)
    results = {
        "concurrency": concurrency,
        "naive_keys": NAIVE_KEYS,
        "distant_ms": DISTANT_MS,
        "floor": floor,
        "load": load,
        "command": command,
        "distant": distant_runs(runs),
        "batch": batch_runs(runs, LATENCIES, concurrency, naive=not args.quick),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    write_report(results, args.out / "RESULTS.md", before)
    print(f"wrote {args.out / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
