# ruff: noqa: RUF001, RUF002  (en dashes and multiplication signs, as the tables print them)
"""`python -m benchmarks.runbook`: `lwadmin-tui revoke apply` of 10,000 keys, and the TUI's batch.

Each run starts a fresh fake server (`large-10000`, in its own process: its CPU is not the
command's), writes a plan of every listed key with `revoke plan`, measures the round trip of one
DELETE against that server, then runs `lwadmin-tui revoke apply PLAN --yes --include-drifted` as
a fresh process with the state and cache in a throwaway directory. The credential is one of the
10,000 keys: it is named as the session's own key (`LWADMIN_OWN_KEY_ID`), so the engine sends it
last, alone, and `--include-drifted` keeps it (listing the keys uses it, which counts as drift).

The revocation phase runs from the audit log's `batch` record (written before the first DELETE)
to its `batch_end` record. Its CPU is the command's user+sys time (`/proc/PID/stat`, read by this
process) between the first outcome line on stdout and the summary line on stderr: start-up, the
list and the drift check come before the first outcome line (so do the first 8 requests' sends,
a few milliseconds). Peak RSS is the whole process's (`wait4`).

The TUI's batch reuses `benchmarks/run.py`'s probe: 1,000 keys in a live 10,000-key table.

`--tree PATH` imports `lwadmin_tui` from another source tree (e.g. `git archive` of an older
commit unpacked there) for the command and the TUI probe, so runs can alternate before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from benchmarks.probe import ABSENT_KEY_ID
from benchmarks.run import probe
from benchmarks.servers import Served, fake_server

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).parent
APPLY_KEYS = 10_000
TUI_TABLE, TUI_KEYS = 10_000, 1_000
LATENCY_MS = 20
CREDENTIAL_NAME = "lwadmin-tui incident response"
RTT_TIMES = 15
TICKS = os.sysconf("SC_CLK_TCK")


def _env(tree: Path | None, **extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed app: bytecode is cached
    for name in ("LWADMIN_CONCURRENCY", "LWADMIN_PROFILE", "LWADMIN_CONFIG"):
        env.pop(name, None)  # the defaults, whatever this shell has set
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), str(ROOT)])
    return env


def _cpu_seconds(pid: int) -> float:
    """User + system time of a running process so far (clock ticks, 10 ms here)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def _client_rtt(served: Served) -> float:
    """Median time of one DELETE the server answers 404, through the app's client (as probe.py)."""
    from lwadmin_tui.api.auth import ApiKey
    from lwadmin_tui.api.client import LangWatchClient
    from lwadmin_tui.api.errors import NotFound

    key = ApiKey(served.token_file.read_text().strip())
    spent = []
    async with LangWatchClient(served.url, key, max_connections=8) as client:
        for _ in range(RTT_TIMES):
            start = time.perf_counter()
            with contextlib.suppress(NotFound):
                await client.revoke_key(ABSENT_KEY_ID)
            spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def _bare_rtt(served: Served) -> float:
    """The same DELETE through `http.client` on one kept-alive connection: server and wire."""
    host, port = served.url.removeprefix("http://").split(":")
    token = served.token_file.read_text().strip()
    connection = http.client.HTTPConnection(host, int(port))
    spent = []
    try:
        for _ in range(RTT_TIMES):
            start = time.perf_counter()
            connection.request(
                "DELETE",
                f"/api/api-keys/{ABSENT_KEY_ID}",
                headers={"Authorization": f"Bearer {token}"},
            )
            connection.getresponse().read()
            spent.append(time.perf_counter() - start)
    finally:
        connection.close()
    return statistics.median(spent)


def _command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "lwadmin_tui", *args]


def _check_tree(env: dict[str, str], tree: Path | None, cwd: str) -> None:
    if tree is None:
        return
    found = subprocess.run(
        [sys.executable, "-c", "import lwadmin_tui; print(lwadmin_tui.__file__)"],
        env=env, cwd=cwd, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if Path(found).resolve().parent.parent != tree.resolve():
        raise RuntimeError(f"imported lwadmin_tui from {found}, not {tree}")


@contextlib.contextmanager
def _reader(stream: IO[str], on_line: Any) -> Iterator[None]:
    thread = threading.Thread(target=lambda: [on_line(line) for line in stream], daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join(timeout=30)


def apply_run(tree: Path | None, latency_ms: float = LATENCY_MS) -> dict[str, Any]:
    """One fresh server, one plan, one `revoke apply` in a fresh process."""
    load_before = os.getloadavg()[0]
    with (
        fake_server(APPLY_KEYS, latency_ms) as served,
        tempfile.TemporaryDirectory(prefix="runbook-bench-") as tmp,
    ):
        base = _env(
            tree,
            LWADMIN_ENDPOINT=served.url,
            LWADMIN_API_KEY=served.token_file.read_text().strip(),
            XDG_STATE_HOME=f"{tmp}/state",
            XDG_CACHE_HOME=f"{tmp}/cache",
            XDG_CONFIG_HOME=f"{tmp}/config",
        )
        _check_tree(base, tree, tmp)
        plan = Path(tmp) / "plan.json"
        subprocess.run(
            _command(["revoke", "plan", "--output", str(plan)]),
            env=base, cwd=tmp, capture_output=True, text=True, check=True,
        )  # fmt: skip
        planned = json.loads(plan.read_text())["keys"]
        own = next(k["id"] for k in planned if k["name"] == CREDENTIAL_NAME)
        rtt = asyncio.run(_client_rtt(served))
        bare = _bare_rtt(served)
        env = {**base, "LWADMIN_OWN_KEY_ID": own}
        command = ["revoke", "apply", str(plan), "--yes", "--include-drifted"]
        seen: dict[str, Any] = {"lines": 0, "outcomes": {}}
        spawn = time.time()
        process = subprocess.Popen(
            _command(command), env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1,
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        errors: list[str] = []

        def outcome(line: str) -> None:
            now = time.time()
            if seen["lines"] == 0:
                seen["first_cpu"], seen["first_line"] = _cpu_seconds(process.pid), now
            seen["lines"] += 1
            seen["last_line"] = now
            kind = json.loads(line)["outcome"]
            seen["outcomes"][kind] = seen["outcomes"].get(kind, 0) + 1

        def stderr(line: str) -> None:
            errors.append(line)
            if " keys: " in line and "summary_cpu" not in seen:  # "lwadmin-tui: N keys: ..."
                seen["summary_cpu"], seen["summary"] = _cpu_seconds(process.pid), time.time()

        with _reader(process.stdout, outcome), _reader(process.stderr, stderr):
            _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        end = time.time()
        if process.returncode != 0 or seen["lines"] != APPLY_KEYS:
            raise RuntimeError(f"revoke apply exited {process.returncode}:\n{''.join(errors)}")
        records = [
            json.loads(line) for line in (Path(tmp) / "state/lwadmin-tui/audit.jsonl").open()
        ]
    batch = next(r for r in records if r["event"] == "batch")
    batch_end = next(r for r in records if r["event"] == "batch_end")
    phase = _stamp(batch_end["time"]) - _stamp(batch["time"])
    batch_cpu = seen["summary_cpu"] - seen["first_cpu"]
    return {
        "keys": seen["lines"],
        "outcomes": seen["outcomes"],
        "rtt": rtt,
        "bare_rtt": bare,
        "spawn_to_batch": _stamp(batch["time"]) - spawn,
        "batch_wall": phase,
        "first_to_last_line": seen["last_line"] - seen["first_line"],
        "total_wall": end - spawn,
        "batch_cpu": batch_cpu,
        "cpu_ms_per_key": 1000 * batch_cpu / seen["lines"],
        "before_batch_cpu": seen["first_cpu"],
        "total_cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "audit_records": len(records),
        "load": [load_before, os.getloadavg()[0]],
    }


@contextlib.contextmanager
def _importing_from(tree: Path | None) -> Iterator[None]:
    """Probes spawned in the block import `lwadmin_tui` from `tree`: on PYTHONPATH, and run from
    elsewhere than this checkout (`python -m` puts the working directory first)."""
    if tree is None:
        yield
        return
    saved, here = os.environ.get("PYTHONPATH"), os.getcwd()
    os.environ["PYTHONPATH"] = os.pathsep.join([str(tree), str(ROOT)])
    with tempfile.TemporaryDirectory(prefix="runbook-bench-cwd-") as elsewhere:
        os.chdir(elsewhere)
        try:
            yield
        finally:
            os.chdir(here)
            os.environ.pop("PYTHONPATH")
            if saved is not None:
                os.environ["PYTHONPATH"] = saved


def tui_run(tree: Path | None, concurrency: int) -> dict[str, Any]:
    """`benchmarks/run.py`'s batch probe: the real app headless, 1,000 keys, 10,000-key table."""
    load_before = os.getloadavg()[0]
    with fake_server(TUI_TABLE, LATENCY_MS) as served:  # fresh: the batch revokes its keys
        args = ["batch", "--url", served.url, "--token-file", str(served.token_file)]
        args += ["--batch", str(TUI_KEYS), "--concurrency", str(concurrency)]
        with _importing_from(tree):
            found = probe(args)
    found["load"] = [load_before, os.getloadavg()[0]]
    return found


def _cell(values: list[float], scale: float, digits: int) -> str:
    values = [v * scale for v in values]
    mid = f"{statistics.median(values):.{digits}f}"
    if len(values) == 1:
        return mid
    return f"{mid} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def derive(results: dict[str, Any], concurrency: int) -> None:
    """The ratios to the physical limit N × RTT ÷ concurrency, added to each run."""
    nominal = LATENCY_MS / 1000
    for runs in results.values():
        for run in runs["apply"]:
            n = run["keys"]
            run["ratio_nominal"] = run["batch_wall"] / (n * nominal / concurrency)
            run["ratio_rtt"] = run["batch_wall"] / (n * run["rtt"] / concurrency)
            run["ratio_bare"] = run["batch_wall"] / (n * run["bare_rtt"] / concurrency)
            run["load_start"] = run["load"][0]
        for run in runs["tui"]:
            n = run["batch_keys"]
            if "batch_cpu" in run:
                run["cpu_ms_per_key"] = run["batch_cpu"] / n
            run["ratio_nominal"] = run["batch_wall"] / (n * nominal / concurrency)
            run["ratio_rtt"] = run["batch_wall"] / (n * run["rtt"] / concurrency)
            run["load_start"] = run["load"][0]


APPLY_ROWS = [
    ("client RTT of one DELETE (ms)", "rtt", 1000, 1),
    ("bare RTT, `http.client` (ms)", "bare_rtt", 1000, 1),
    ("spawn → batch record: start-up, list, drift check (s)", "spawn_to_batch", 1, 2),
    ("CPU before the first outcome (s)", "before_batch_cpu", 1, 2),
    ("revocation phase, wall (s)", "batch_wall", 1, 2),
    ("… × nominal limit (N × 20 ms ÷ 8)", "ratio_nominal", 1, 3),
    ("… × limit at the client RTT", "ratio_rtt", 1, 3),
    ("… × limit at the bare RTT", "ratio_bare", 1, 3),
    ("client CPU per key, revocation phase (ms)", "cpu_ms_per_key", 1, 3),
    ("peak RSS (MiB)", "rss_mib", 1, 0),
    ("load average (1 min) at the run's start", "load_start", 1, 1),
]
TUI_ROWS = [
    ("TUI: 1,000 keys in a 10,000-key table (s)", "batch_wall", 1, 2),
    ("TUI: client RTT (ms)", "rtt", 1000, 1),
    ("TUI: × limit at the client RTT", "ratio_rtt", 1, 3),
    ("TUI: × nominal limit (1,000 × 20 ms ÷ 8)", "ratio_nominal", 1, 3),
    ("TUI: CPU per key, the batch (ms)", "cpu_ms_per_key", 1000, 3),
    ("TUI: longest UI stall (ms)", "stall_batch", 1000, 0),
    ("TUI: load average (1 min) at the run's start", "load_start", 1, 1),
]


def report(results: dict[str, Any], concurrency: int) -> str:
    """Markdown table rows, one column per tree: median (min–max)."""
    derive(results, concurrency)
    trees = list(results)
    lines = ["| figure | " + " | ".join(trees) + " |", "|---" * (len(trees) + 1) + "|"]
    for part, rows in (("apply", APPLY_ROWS), ("tui", TUI_ROWS)):
        for name, field, scale, digits in rows:
            cells = []
            for tree in trees:
                values = [run[field] for run in results[tree][part] if field in run]
                cells.append(_cell(values, scale, digits) if values else "–")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.runbook", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--quick", action="store_true", help="1 run of each")
    parser.add_argument(
        "--tree", type=Path, action="append", default=[],
        help="import lwadmin_tui from this source tree (repeat: measured run by run, alternating)",
    )  # fmt: skip
    parser.add_argument("--no-tui", action="store_true", help="only `revoke apply`")
    parser.add_argument("--no-apply", action="store_true", help="only the TUI's batch")
    parser.add_argument("--out", type=Path, default=HERE / "runbook.json", help="raw results")
    parser.add_argument("--report-only", action="store_true", help="print the table from --out")
    args = parser.parse_args()
    from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY

    if args.report_only:
        print(report(json.loads(args.out.read_text()), DEFAULT_CONCURRENCY), end="")
        return
    runs = 1 if args.quick else args.runs
    trees: list[Path | None] = [tree.resolve() for tree in args.tree] or [None]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        str(tree or "this tree"): {"apply": [], "tui": []} for tree in trees
    }
    for _ in range(runs):
        for tree in trees:  # alternating: each tree sees the same drift of this machine
            name = str(tree or "this tree")
            if not args.no_apply:
                found = apply_run(tree)
                results[name]["apply"].append(found)
                print(
                    f"{name} apply: phase {found['batch_wall']:.2f} s, "
                    f"{found['cpu_ms_per_key']:.3f} ms CPU/key, RTT {found['rtt'] * 1000:.1f} ms, "
                    f"RSS {found['rss_mib']:.0f} MiB, load {found['load'][0]:.1f}",
                    flush=True,
                )
            if not args.no_tui:
                found = tui_run(tree, DEFAULT_CONCURRENCY)
                results[name]["tui"].append(found)
                wall, rtt = found["batch_wall"], found["rtt"] * 1000
                print(f"{name} tui: batch {wall:.2f} s, RTT {rtt:.1f} ms", flush=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(report(results, DEFAULT_CONCURRENCY), end="")


if __name__ == "__main__":
    main()
