# ruff: noqa: RUF001, RUF002  (the report is typeset: en dashes for ranges, times signs)
"""`python -m benchmarks.owners`: reading every key's owner (`o`) and starting with the owner cache.

1. Every listed key's details (`GET /api/api-keys/{id}` each) for 10,000 keys at 50 ms server
   latency, the app's concurrency: `y` → `DetailsReadEnded` handled, against N × RTT ÷ concurrency;
   the longest event-loop stall meanwhile, and keys pressed during the reads, timed.
2. Start-up with 10,000 owners in the cache against the same start without one, alternating, in
   fresh processes: spawn → interactive and spawn → the cached owners handled and drawn.

Each measurement is a fresh process (`benchmarks/owners_probe.py`) running the real app headless
against the fake server in its own process (`benchmarks/servers.py`). Writes
`benchmarks/owners.json` and `benchmarks/OWNERS.md`. `--only reads|start` measures one and keeps
the other's last results; `--ab-patch FILE` alternates the keyed read runs with runs of the app
changed by FILE in the measuring process only (`benchmarks/owners_what_if.py`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.report import machine, ms, sec, spread
from benchmarks.servers import fake_server

HERE = Path(__file__).parent
KEYS = 10_000
LATENCY_MS = 50
QUICK_READ_KEYS = 1_000
TARGET_RATIO = 1.15
TARGET_STALL = 0.05
TARGET_CACHE_DELAY = 0.05

Runs = list[dict[str, Any]]
DEFAULT_FILES = ("owners.json", "OWNERS.md")
PATCH: Path | None = None
"""A Python file each child runs once the app's modules are imported (`--patch`)."""


def load_now() -> dict[str, Any]:
    """The machine's load: the load averages and the busiest processes, as `ps` shows them."""
    top = subprocess.run(
        ["ps", "-eo", "pcpu,etime,args", "--sort=-pcpu"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()[:6]
    return {
        "at": datetime.now(UTC).strftime("%H:%M:%S UTC"),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "top": [line[:110] for line in top],
    }


def code_fingerprint() -> str:
    """12 hex digits of the app's source as it is now (others may change it between runs)."""
    digest = hashlib.sha256()
    for path in sorted((HERE.parent / "lwadmin_tui").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def spawn_probe(
    args: list[str], cache_home: Path, patch: Path | None = None, timeout: float = 900
) -> dict[str, Any]:
    """One fresh `owners_probe` process with its own XDG_STATE_HOME and this XDG_CACHE_HOME."""
    code = code_fingerprint()
    with tempfile.TemporaryDirectory(prefix="h6-state-") as state:
        env = {
            **os.environ,
            "XDG_STATE_HOME": state,
            "XDG_CACHE_HOME": str(cache_home),
            "H6_SPAWN": repr(time.time()),
        }
        patch = patch or PATCH
        if patch is not None:
            env["H6_OWNERS_PATCH"] = str(patch)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode is cached
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.owners_probe", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"owners_probe {args[0]} failed:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "code": code}


def server_pid() -> int | None:
    """The fake server this process started (`python -m lwadmin_tui.fake`)."""
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"lwadmin_tui.fake" in args:
                return int(pid)
    return None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process so far (0 when it is not known)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scenario_owners(n_keys: int) -> dict[str, Any]:
    """Every key's type, owner and creator as a detail read gives them, from the same scenario
    the fake server builds (same seed and size: same ids)."""
    from lwadmin_tui.fake.large import large_scenario
    from lwadmin_tui.keys.ownership import PERSONAL, SERVICE, Ownership

    now = datetime.now(UTC)
    org = large_scenario(n_keys, now).app.org
    return {
        key.id: Ownership(
            key_type=SERVICE if key.is_service else PERSONAL,
            owner_id=key.owner_user_id,
            creator_id=key.created_by_user_id,
            permission_mode=key.permission_mode,
            read_at=now,
        )
        for key in org.keys.values()
    }


def start_runs(
    runs: int, n_keys: int, found: dict[str, Runs], saved: Callable[[], None]
) -> dict[str, Runs]:
    """Alternating, cache / no cache, each in a fresh process with a fresh XDG_CACHE_HOME."""
    from lwadmin_tui.keys.owner_cache import owner_cache_path, save_owner_cache
    from lwadmin_tui.settings.paths import cache_dir

    owners = scenario_owners(n_keys)
    with fake_server(n_keys) as served:
        host = urlsplit(served.url).netloc
        base = ["start", "--url", served.url, "--token-file", str(served.token_file)]
        with tempfile.TemporaryDirectory(prefix="h6-cache-") as home:
            spawn_probe(base, Path(home))  # warm-up, not kept: the server's first answers
        for i in range(2 * runs):
            arm = "cache" if i % 2 == 0 else "none"
            with tempfile.TemporaryDirectory(prefix="h6-cache-") as home:
                directory = cache_dir({"XDG_CACHE_HOME": home})
                if arm == "cache":
                    save_owner_cache(host, owners, directory)
                    size = owner_cache_path(host, directory).stat().st_size
                load_before = os.getloadavg()[0]
                result = spawn_probe(base, Path(home))
                result["loadavg"] = [load_before, os.getloadavg()[0]]
                if arm == "cache":
                    result["cache_bytes"] = size
                found[arm].append(result)
                saved()
            print(
                f"start {arm}: interactive {result['interactive']:.3f} s, cached owners "
                f"handled {result['cached_handled']:.3f} s, drawn {result['owners_drawn']:.3f} s, "
                f"owners known {result['owners_known']}",
                flush=True,
            )
    return found


def read_run(
    n_keys: int,
    latency: float,
    concurrency: int,
    keys: bool,
    profile: Path | None = None,
    patch: Path | None = None,
) -> dict[str, Any]:
    """One run of `o`, `y` in a fresh process against a fresh fake server."""
    with fake_server(n_keys, latency) as served:
        pid = server_pid()
        args = ["reads", "--url", served.url, "--token-file", str(served.token_file)]
        args += ["--concurrency", str(concurrency), "--latency-ms", str(latency)]
        if not keys:
            args.append("--no-keys")
        if profile is not None:
            args += ["--profile", str(profile)]
        server_cpu = cpu_seconds(pid)
        load_before = os.getloadavg()[0]
        with tempfile.TemporaryDirectory(prefix="h6-cache-") as home:
            result = spawn_probe(args, Path(home), patch)
        result["server_cpu"] = cpu_seconds(pid) - server_cpu
        result["loadavg"] = [load_before, os.getloadavg()[0]]
        result["profiled"] = profile is not None
        result["patched"] = str(patch or PATCH or "")
    print(
        f"reads {n_keys} @ {latency:g} ms{' (patched)' if patch else ''}: "
        f"{result['reads_wall']:.2f} s, RTT {result['rtt_get'] * 1000:.1f} ms, longest stall "
        f"{result['stall_reads'] * 1000:.0f} ms, known {result['read_known']}",
        flush=True,
    )
    return result


# --- the report ---------------------------------------------------------------------------------


def med(runs: Runs, value: Callable[[dict[str, Any]], float | None]) -> float:
    found = [v for r in runs if (v := value(r)) is not None]
    return statistics.median(found) if found else float("nan")


def ratio(v: float) -> str:
    return "–" if v != v else f"{v:.3f}×"


def _derived(runs: Runs) -> Runs:
    """Each run with the figures the tables show, computed from what it measured."""
    out = []
    for r in runs:
        limit_rtt = r["asked"] * r["rtt_get"] / r["concurrency"]
        nominal = r["asked"] * r["latency_ms"] / 1000 / r["concurrency"]
        elapsed = r["reads_wall"]
        out.append(
            {
                **r,
                "limit_rtt": limit_rtt,
                "limit_nominal": nominal,
                "ratio_rtt": elapsed / limit_rtt,
                "ratio_nominal": elapsed / nominal if nominal else float("nan"),
                "server_cpu_fraction": r["server_cpu"] / elapsed,
                "per_second": r["asked"] / elapsed,
                "after_last_read": elapsed - r["last_read"],
                "updates": r["frames"] / elapsed,
                "cpu_per_read": r["cpu_fraction"] * elapsed / r["asked"],
            }
        )
    return out


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _ratio_spread(runs: Runs, field: str) -> str:
    found = [r[field] for r in runs]
    if len(found) == 1:
        return ratio(found[0])
    return f"{ratio(statistics.median(found))} ({ratio(min(found))}–{ratio(max(found))})"


def _pct(runs: Runs, field: str) -> str:
    found = [100 * r[field] for r in runs]
    if len(found) == 1:
        return f"{found[0]:.0f} %"
    return f"{statistics.median(found):.0f} % ({min(found):.0f}–{max(found):.0f} %)"


def _one(runs: Runs, field: str) -> str:
    if not runs or runs[0].get(field) is None:
        return "–"
    return f"{med(runs, lambda r: r[field]):,.0f}"


def _handler(runs: Runs, field: str, detail: str) -> str:
    """The median of the runs' median CPU time of one call, and the largest of any run."""
    found = [r[field][detail] for r in runs if detail in r.get(field, {})]
    if not found:
        return "–"
    middle = statistics.median(f["median"] for f in found)
    calls = statistics.median(f["calls"] for f in found)
    return f"{ms(middle)} / {ms(max(f['max'] for f in found))} ({calls:.0f} calls)"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


READ_ROWS: list[tuple[str, Callable[[Runs], str], str, Callable[[Runs], bool] | None]] = [
    # label, the value of a set of runs, target, met
    ("`y` → `DetailsReadEnded` handled (all read)", lambda rs: spread(rs, "reads_wall", sec),
     "target_wall", lambda rs: med(rs, lambda r: r["reads_wall"] / r["limit_nominal"])
     <= TARGET_RATIO),
    ("… ÷ N × latency ÷ concurrency", lambda rs: _ratio_spread(rs, "ratio_nominal"),
     f"≤ {TARGET_RATIO:.2f}×", lambda rs: med(rs, lambda r: r["ratio_nominal"]) <= TARGET_RATIO),
    ("measured RTT: one GET by id against that server (median of 15)",
     lambda rs: spread(rs, "rtt_get", lambda v: f"{v * 1000:.1f} ms"), "", None),
    ("physical limit N × RTT ÷ concurrency", lambda rs: spread(rs, "limit_rtt", sec), "", None),
    ("… wall time ÷ that limit", lambda rs: _ratio_spread(rs, "ratio_rtt"),
     f"≤ {TARGET_RATIO:.2f}×", lambda rs: med(rs, lambda r: r["ratio_rtt"]) <= TARGET_RATIO),
    ("keys whose owner is then known", lambda rs: _one(rs, "read_known"), "all",
     lambda rs: all(r["read_known"] >= r["asked"] for r in rs)),
    ("`concurrency` GETs by id sent at once: all answered after (median of 5)",
     lambda rs: spread(rs, "parallel_get", ms), "≈ one RTT: they overlap",
     lambda rs: med(rs, lambda r: r["parallel_get"]) < 2 * med(rs, lambda r: r["rtt_get"])),
    ("reads per second", lambda rs: spread(rs, "per_second", lambda v: f"{v:.0f}"), "", None),
    ("`y` → first request", lambda rs: spread(rs, "to_first_request", ms), "", None),
    ("last read → `DetailsReadEnded` handled", lambda rs: spread(rs, "after_last_read", ms),
     "", None),
    ("longest event-loop stall during the reads", lambda rs: spread(rs, "stall_reads", ms),
     f"≤ {ms(TARGET_STALL)}", lambda rs: med(rs, lambda r: r["stall_reads"]) <= TARGET_STALL),
    ("… counting only the app's own CPU time in it (the rest: waiting for a core)",
     lambda rs: spread(rs, "stall_reads_busy", ms), f"≤ {ms(TARGET_STALL)}",
     lambda rs: med(rs, lambda r: r["stall_reads_busy"]) <= TARGET_STALL),
    ("… away from the pressed keys", lambda rs: spread(rs, "stall_reads_quiet", ms), "", None),
    ("… away from the pressed keys, no filter on",
     lambda rs: spread(rs, "stall_no_filter", ms), f"≤ {ms(TARGET_STALL)}",
     lambda rs: med(rs, lambda r: r["stall_no_filter"]) <= TARGET_STALL),
    ("… while the `e` filter was on", lambda rs: spread(rs, "stall_filter_on", ms), "", None),
    ("flush of the reads into the table (every 50 ms), no filter on: CPU median / largest",
     lambda rs: _handler(rs, "flush_cpu", "no filter"), "", None),
    ("… with the `e` filter on (every 0.5 s it filters the table again)",
     lambda rs: _handler(rs, "flush_cpu", "filter on"), "", None),
    ("the table filtered again with `e` on (`rebuild_table`): CPU median / largest",
     lambda rs: _handler(rs, "rebuild_cpu", "'e'"), "", None),
    ("stalls over 20 ms, whole run", lambda rs: _one(rs, "stalls_over_20ms"), "", None),
    ("stalls over 50 ms, whole run", lambda rs: _one(rs, "stalls_over_50ms"), "", None),
    ("screen updates a second", lambda rs: spread(rs, "updates", lambda v: f"{v:.1f}"), "", None),
    ("the app's CPU (one core = 100 %)", lambda rs: _pct(rs, "cpu_fraction"), "", None),
    ("… per read", lambda rs: spread(rs, "cpu_per_read", lambda v: f"{v * 1000:.2f} ms"),
     "", None),
    ("the fake server's CPU", lambda rs: _pct(rs, "server_cpu_fraction"), "", None),
]  # fmt: skip


def reads_section(results: dict[str, Any]) -> list[str]:
    sets = [
        (name, label, _derived(results.get(name, [])))
        for name, label in (
            ("reads", "keys pressed meanwhile"),
            ("reads_what_if", f"the same, with {Path(results.get('ab_patch') or '').name}"),
            ("reads_plain", "no key pressed"),
        )
    ]
    sets = [(name, label, runs) for name, label, runs in sets if runs]
    if not sets:
        return []
    first = sets[0][2][0]
    n, conc, latency = first["asked"], first["concurrency"], first["latency_ms"]
    nominal = n * latency / 1000 / conc
    head = " | ".join(f"{label} ({plural(len(runs), 'run')})" for _, label, runs in sets)
    lines = [
        f"## Reading the details of {n:,} keys (`o`, `y`) at {latency:g} ms, concurrency {conc}",
        "",
        f"Physical limit N × latency ÷ concurrency = {n:,} × {latency / 1000:g} s ÷ {conc} = "
        f"{sec(nominal)}; target ≤ {TARGET_RATIO:.2f} × that = {sec(TARGET_RATIO * nominal)}. "
        "Each run is a fresh process against a fresh fake server; median (min–max).",
        "",
        f"| what | {head} | target | met |",
        "|---" * (len(sets) + 3) + "|",
    ]
    for label, value, target, met in READ_ROWS:
        if target == "target_wall":
            target = f"≤ {sec(TARGET_RATIO * nominal)}"
        cells = [value(runs) for _, _, runs in sets]
        verdict = " / ".join(_met(met(runs)) for _, _, runs in sets) if met else ""
        lines.append(f"| {label} | {' | '.join(cells)} | {target} | {verdict} |")
    lines.append("")
    for name, _label, runs in sets:
        if name == "reads":
            lines += inputs_table(runs)
        elif name == "reads_what_if":
            lines += inputs_table(runs, f", with {Path(results['ab_patch']).name}")
    lines += floor_lines(results)
    return lines


def floor_lines(results: dict[str, Any]) -> list[str]:
    runs = _derived(results.get("reads_floor", []))
    if not runs:
        return []
    n = runs[0]["asked"]
    return [
        f"- With no latency (the same {n:,} reads, the server at 0 ms, no key pressed: what the "
        f"app's own work costs), the reads take {spread(runs, 'reads_wall', sec)}, "
        f"{spread(runs, 'cpu_per_read', lambda v: f'{v * 1000:.2f} ms')} of the app's CPU per "
        f"read, the app at {_pct(runs, 'cpu_fraction')} of one core and the fake server at "
        f"{_pct(runs, 'server_cpu_fraction')}; RTT of one GET "
        f"{spread(runs, 'rtt_get', lambda v: f'{v * 1000:.1f} ms')}.",
        "",
    ]


INPUT_LABELS = {
    "down": "cursor down (`down`)",
    "slash": "`/` (the filter box takes the focus)",
    "e": "`e` typed in the filter (every key filtered, table rebuilt)",
    "backspace": "backspace (filter cleared, every key back)",
    "escape": "escape (back to the table)",
}


def inputs_table(runs: Runs, what: str = "") -> list[str]:
    by_key: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        for pressed in r["inputs"]:
            by_key.setdefault(pressed["key"], []).append(pressed)
    if not by_key:
        return []
    lines = [
        f"Keys pressed while the reads run{what} (at 20–75 % of the expected time), sent as "
        "the terminal driver sends them; every press of every run:",
        "",
        "| key | presses | sent → handled (handler returned) | of which waiting for the loop "
        "| sent → next screen update | longest stall, sent → 0.1 s after that update "
        "| … counting only the app's CPU in it |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, presses in by_key.items():
        lines.append(
            f"| {INPUT_LABELS.get(key, key)} | {len(presses)} "
            f"| {spread(presses, 'handled', ms)} | {spread(presses, 'waited', ms)} "
            f"| {spread(presses, 'drawn', ms)} | {spread(presses, 'stall', ms)} "
            f"| {spread(presses, 'stall_busy', ms)} |"
        )
    lines.append("")
    return lines


def start_section(results: dict[str, Any]) -> list[str]:
    start = results["start"]
    cache, none = start["cache"], start["none"]
    if not cache or not none:
        return []
    n = cache[0]["keys"]
    rows = [
        ("interactive", "**spawn → interactive** (settled frame after the rows)"),
        ("shown", "spawn → rows in the table (`show` returned)"),
        ("cache_read", "cache file read and decoded (`load_owner_cache`)"),
        ("cache_read_end", "spawn → cache decoded"),
        ("cached_spent", "`OwnerFlow.cached` (owners into the state, rows repainted)"),
        ("cached_handled", "**spawn → `OwnersCached` handled** (`OwnerFlow.cached` returned)"),
        ("owners_drawn", "**spawn → first screen update with the cached owners**"),
        ("cpu_rows", "the process's CPU time, spawn → rows in the table"),
        ("cpu_interactive", "the process's CPU time, spawn → interactive"),
        ("stall_loading", "longest event-loop stall while loading"),
        ("stall_loading_busy", "… counting only the app's own CPU time in it"),
        ("people_spent", "owner names arrived (`PeopleLoaded`): handler"),
        ("rss_mib", "peak RSS"),
    ]
    units: dict[str, Callable[[float], str]] = {
        "stall_loading": ms,
        "stall_loading_busy": ms,
        "cached_spent": ms,
        "people_spent": ms,
    }
    for r in cache + none:
        if r.get("people_loaded"):
            r["people_spent"] = r["people_loaded"][0][1]
    lines = [
        f"## Start-up with {n:,} owners in the cache",
        "",
        f"{n:,} keys, the server at 0 ms latency; {plural(len(cache), 'run')} with a cache of "
        f"all {n:,} "
        f"owners ({cache[0].get('cache_bytes', 0) / 1024:.0f} KiB, written with "
        f"`save_owner_cache` into the child's fresh XDG_CACHE_HOME just before it starts) and "
        f"{plural(len(none), 'run')} without (an empty XDG_CACHE_HOME), alternating, fresh "
        "processes, one warm-up run first and not kept; median (min–max).",
        "",
        "| phase | with the cache | without |",
        "|---|---|---|",
    ]
    for field, label in rows:
        unit = units.get(field, sec)
        if field == "rss_mib":
            unit = lambda v: f"{v:.0f} MiB"  # noqa: E731
        empty = field in ("cached_spent", "owners_drawn") or field.startswith("cache_read")
        other = "–" if empty else spread(none, field, unit)
        lines.append(f"| {label} | {spread(cache, field, unit)} | {other} |")
    pairs = list(zip(cache, none, strict=False))  # run i with the cache, then run i without

    def paired(field: str, other: str = "interactive") -> tuple[str, float]:
        found = sorted(c[field] - n[other] for c, n in pairs)
        mid = statistics.median(found)
        text = f"{mid * 1000:+.0f} ms ({found[0] * 1000:+.0f} to {found[-1] * 1000:+.0f} ms)"
        return text, mid

    def against(field: str, other: str = "interactive") -> str:
        return f"{(med(cache, lambda r: r[field]) - med(none, lambda r: r[other])) * 1000:+.0f} ms"

    target = f"≤ +{TARGET_CACHE_DELAY * 1000:.0f} ms"
    rows_paired = [
        ("spawn → first screen update with the cached owners", "spawn → interactive",
         "owners_drawn", "interactive", True),
        ("spawn → `OwnersCached` handled", "spawn → interactive", "cached_handled",
         "interactive", False),
        ("spawn → interactive", "spawn → interactive", "interactive", "interactive", True),
        ("spawn → rows in the table", "spawn → rows in the table", "shown", "shown", False),
        ("CPU time, spawn → rows", "the same", "cpu_rows", "cpu_rows", False),
        ("CPU time, spawn → interactive", "the same", "cpu_interactive", "cpu_interactive",
         False),
    ]  # fmt: skip
    lines += [
        "",
        "With the cache against the run without it that followed (the runs alternate, so each "
        "pair saw the same drift): the median (min to max) of the pairs' differences, and the "
        "difference of the two medians:",
        "",
        "| with the cache | minus, without | paired difference | difference of medians "
        "| target | met |",
        "|---|---|---|---|---|---|",
    ]
    for label, other_label, field, other, judged in rows_paired:
        text, mid = paired(field, other)
        verdict = ("yes" if mid <= TARGET_CACHE_DELAY else "**no**") if judged else ""
        lines.append(
            f"| {label} | {other_label} | {text} | {against(field, other)} "
            f"| {target if judged else ''} | {verdict} |"
        )
    known = sorted({r["owners_known"] for r in cache})
    before = sum(1 for r in cache if r["cached_before_rows"])
    lines += [
        "",
        f"- Owners known once started with the cache: {', '.join(f'{k:,}' for k in known)} "
        f"of {n:,}; the cache was handled before the rows were built in {before} of "
        f"{len(cache)} runs.",
        "",
    ]
    return lines


def _step(name: str, found: dict[str, Any]) -> str:
    """One load line: the load averages, and the busiest other processes then (`ps`: CPU % over
    each one's lifetime, its elapsed time, its command)."""
    busy = [
        line.strip()
        for line in found.get("top", [])[1:]
        if " ps -eo " not in line
        and "benchmarks.owners" not in line  # this benchmark itself
        and float(line.split()[0]) >= 10
    ][:3]
    others = f"; busiest: {'; '.join(f'`{b[:70]}`' for b in busy)}" if busy else ""
    return f"- {name} at {found['at']}: {' / '.join(map(str, found['loadavg']))}{others}"


def load_lines(results: dict[str, Any]) -> list[str]:
    lines = ["Machine load at each step (`os.getloadavg()`; 1, 5, 15 minutes):", ""]
    earlier = results.get("earlier")
    if earlier:
        lines = [
            f"The {'reads' if results.get('only') == 'start' else 'start-ups'} are "
            f"kept from an earlier run, `{earlier['command']}` on {earlier['when']}; its "
            "load:",
            "",
            *(_step(name, found) for name, found in earlier["load"]),
            "",
            "This run's load:",
            "",
        ]
    lines += [_step(name, found) for name, found in results["load"]]
    return [*lines, ""]


def code_lines(results: dict[str, Any]) -> list[str]:
    runs = [*results.get("reads", []), *results.get("reads_plain", [])]
    runs += results.get("reads_what_if", [])
    runs += [*results.get("reads_floor", []), *results["start"]["cache"], *results["start"]["none"]]
    versions = sorted({r["code"] for r in runs if "code" in r})
    same = (
        "the same in every run"
        if len(versions) <= 1
        else f"changed while it ran ({len(versions)} versions: {', '.join(versions)})"
    )
    return [
        f"The app's code: commit {results.get('commit', '?')}, with the working tree's "
        f"uncommitted changes; its source (sha256 of lwadmin_tui/**/*.py) was {same}.",
        "",
        *(
            [f"**Patched**: every child ran `{results['patch']}` before the app started.", ""]
            if results.get("patch")
            else []
        ),
        *(
            [
                f"The runs *with {Path(results['ab_patch']).name}* ran `benchmarks/"
                f"{Path(results['ab_patch']).name}` before the app started: changes to the app "
                "applied in the measuring process only (that file says which). They alternate "
                "with the runs without it, run by run, so both see the same drift.",
                "",
            ]
            if results.get("ab_patch")
            else []
        ),
    ]


def write_report(results: dict[str, Any], path: Path) -> None:
    text = [
        "# Owners: reading every key's details, and the owner cache at start",
        "",
        f"Written by `{results['command']}` on {results['when']}.",
        f"Machine: {machine()}.",
        "",
        "The real app, headless (`App.run_test`, 120x40), one fresh process per figure "
        "(`benchmarks/owners_probe.py`), against the fake server in its own process on "
        "127.0.0.1 (`python -m lwadmin_tui.fake --scenario large-N`). A stall is how late a "
        "5 ms asyncio sleeper wakes up; a screen update is `App._display` (as in RESULTS.md).",
        "",
        *code_lines(results),
        *load_lines(results),
        *reads_section(results),
        *start_section(results),
    ]
    path.write_text("\n".join(text))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.owners", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="start-ups per arm (default 5)")
    parser.add_argument(
        "--read-runs", type=int, default=3, help="detail-read runs with keys pressed (default 3)"
    )
    parser.add_argument(
        "--plain-runs", type=int, default=2, help="detail-read runs, no key pressed (default 2)"
    )
    parser.add_argument(
        "--floor-runs", type=int, default=1, help="detail-read runs at 0 ms latency (default 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"2 start-ups per arm, one read run of {QUICK_READ_KEYS:,} keys (keys pressed)",
    )
    parser.add_argument(
        "--read-keys", type=int, choices=(1_000, 10_000, 100_000), default=KEYS, help="keys read"
    )
    parser.add_argument("--concurrency", type=int, default=None, help="default: the app's")
    parser.add_argument("--only", choices=["reads", "start"], help="one of the two measurements")
    parser.add_argument("--profile", type=Path, help="cProfile stats of the first read run here")
    parser.add_argument(
        "--ab-patch",
        type=Path,
        help="after each read run with keys pressed, the same run with this --patch file: "
        "an A/B of a change in alternating runs",
    )
    parser.add_argument(
        "--patch",
        type=Path,
        help="a Python file each child runs before the app starts: to measure a change to the "
        "app without making it (e.g. benchmarks/owners_what_if.py)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where owners.json and OWNERS.md go (with --patch: owners-what-if.json and "
        "OWNERS-WHAT-IF.md); default benchmarks/, with --quick a temporary folder, so a quick "
        "look never replaces the figures",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite OWNERS.md from owners.json"
    )
    args = parser.parse_args()
    if args.out is None:
        args.out = Path(tempfile.gettempdir()) / "owners-quick" if args.quick else HERE
    if args.report_only:
        data_file, report_file = DEFAULT_FILES
        write_report(json.loads((args.out / data_file).read_text()), args.out / report_file)
        return
    from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY

    concurrency = args.concurrency or DEFAULT_CONCURRENCY
    global PATCH
    PATCH = args.patch.resolve() if args.patch else None
    if args.ab_patch:
        args.ab_patch = args.ab_patch.resolve()
    if args.quick:
        args.runs, args.read_runs, args.plain_runs, args.floor_runs = 2, 1, 0, 0
    read_keys = QUICK_READ_KEYS if args.quick else args.read_keys
    results: dict[str, Any] = {
        "command": "python -m benchmarks.owners " + " ".join(sys.argv[1:]),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "patch": str(args.patch) if args.patch else None,
        "ab_patch": str(args.ab_patch) if args.ab_patch else None,
        "only": args.only,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "load": [("before", load_now())],
        "start": {"cache": [], "none": []},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    data, report = ("owners-what-if.json", "OWNERS-WHAT-IF.md") if PATCH else DEFAULT_FILES

    if args.only and (args.out / data).exists():  # the other measurement's last results stay
        kept = json.loads((args.out / data).read_text())
        for part in ("reads", "reads_what_if", "reads_plain", "reads_floor", "ab_patch"):
            if args.only == "start" and part in kept:
                results[part] = kept[part]
        if args.only == "reads":
            results["start"] = kept.get("start", results["start"])
        results["earlier"] = {k: kept.get(k) for k in ("command", "when", "load")}

    def saved() -> None:  # after every run: a run that fails later loses nothing
        (args.out / data).write_text(json.dumps(results, indent=1) + "\n")

    if args.only != "start":
        plan = [
            ("reads", args.read_runs, LATENCY_MS, True),
            ("reads_plain", args.plain_runs, LATENCY_MS, False),
            ("reads_floor", args.floor_runs, 0, False),
        ]
        for name, runs, latency, keys in plan:
            results[name] = []
            if name == "reads" and args.ab_patch:
                results["reads_what_if"] = []
            for i in range(runs):
                profile = args.profile if name == "reads" and i == 0 else None
                results[name].append(read_run(read_keys, latency, concurrency, keys, profile))
                saved()
                if name == "reads" and args.ab_patch:  # alternating: the same drift for both
                    patched = read_run(read_keys, latency, concurrency, keys, None, args.ab_patch)
                    results["reads_what_if"].append(patched)
                    saved()
            if runs:
                results["load"].append((f"after {name}", load_now()))
    if args.only != "reads":
        start_runs(args.runs, KEYS, results["start"], saved)
        results["load"].append(("after the start-ups", load_now()))
    saved()
    write_report(results, args.out / report)
    print(f"wrote {args.out / report}")


if __name__ == "__main__":
    main()
