# ruff: noqa: RUF001, RUF002  (the report is typeset: en dashes for ranges, times signs)
"""Turn `results.json` into `RESULTS.md`: medians with min–max, the machine, the targets."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

Runs = list[dict[str, Any]]
PHASES = [
    ("startup", "GET sent (spawn → request on its way, on a thread, before Textual loads)"),
    ("imports", "interpreter and imports (spawn → app imported)"),
    ("screen", "first frame (spawn → screen drawn; with the rows if they came first)"),
    ("get_parse", "GET + parse (on its own thread, meanwhile)"),
    ("build_rows", "answer parsed → rows built (waits for the app, then state, filter, order)"),
    ("populate", "table population (`show`)"),
    ("first_frame", "`show` → settled frame"),
    ("interactive", "**spawn → interactive**"),
]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = f"{int(mem) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        ram = "RAM unknown"
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {ram}; "
        f"Python {sys.version.split()[0]}, textual {version('textual')}, "
        f"httpx {version('httpx')}, pydantic {version('pydantic')}"
    )


def values(runs: Runs, field: str) -> list[float]:
    return [float(r[field]) for r in runs if field in r]


def median(runs: Runs, field: str) -> float:
    found = values(runs, field)
    return statistics.median(found) if found else float("nan")


def spread(runs: Runs, field: str, unit: Callable[[float], str]) -> str:
    found = values(runs, field)
    if not found:
        return "–"
    if len(found) == 1:
        return unit(found[0])
    return f"{unit(statistics.median(found))} ({unit(min(found))}–{unit(max(found))})"


def ms(v: float) -> str:
    return "–" if v != v else f"{v * 1000:.0f} ms"  # v != v: NaN, not measured


def sec(v: float) -> str:
    return "–" if v != v else f"{v:.2f} s"


def mib(v: float) -> str:
    return "–" if v != v else f"{v:.0f} MiB"


def loading_table(load: dict[str, Runs]) -> list[str]:
    sizes = list(load)
    lines = ["| phase | " + " | ".join(f"{int(n):,} keys" for n in sizes) + " |"]
    lines.append("|---" * (len(sizes) + 1) + "|")
    for field, label in PHASES:
        lines.append(
            f"| {label} | " + " | ".join(spread(load[n], field, sec) for n in sizes) + " |"
        )
    lines.append(
        "| longest event-loop stall while loading | "
        + " | ".join(spread(load[n], "stall_loading", ms) for n in sizes)
        + " |"
    )
    lines.append(
        "| peak RSS | " + " | ".join(spread(load[n], "rss_mib", mib) for n in sizes) + " |"
    )
    return lines


def command_line(command: dict[str, Runs]) -> list[str]:
    return [
        "| **the `lwadmin-tui` command in a pseudo-terminal: spawn → settled screen** | "
        + " | ".join(spread(command[n], "command_interactive", sec) for n in command)
        + " |"
    ]


def distant_table(results: dict[str, Any]) -> list[str]:
    distant, delay = results.get("distant"), results.get("distant_ms")
    if not distant:
        return []
    return [
        f"10,000 keys from a server that takes {delay} ms to answer each request (headless "
        "probes, alternating): the command asks for the list on a thread before Textual is "
        "imported (`lwadmin_tui/early_list.py`), and the probe does the same, so the wait "
        "overlaps the start-up.",
        "",
        "| the first list | GET + parse | spawn → interactive |",
        "|---|---|---|",
        *(
            f"| {label} | {spread(distant[name], 'get_parse', sec)} "
            f"| {spread(distant[name], 'interactive', sec)} |"
            for name, label in (
                ("early", "sent on a thread before Textual is imported (as the command does)"),
                ("late", "sent by the app once it runs"),
            )
        ),
        "",
    ]


def interaction_table(load: dict[str, Runs]) -> list[str]:
    sizes = [n for n in load if values(load[n], "filter_key")]
    rows = [
        ("filter_key", "filter keystroke (`e`: all keys → matches)"),
        ("filter_key2", "second keystroke (`v`: narrows further)"),
        ("filter_back", "backspace (widens)"),
        ("filter_clear", "clearing the filter (back to every key)"),
        ("sort", "sort (`s`: by name)"),
        ("sort_reverse", "reverse sort (`S`)"),
    ]
    lines = ["| input → settled frame | " + " | ".join(f"{int(n):,} keys" for n in sizes) + " |"]
    lines.append("|---" * (len(sizes) + 1) + "|")
    for field, label in rows:
        lines.append(f"| {label} | " + " | ".join(spread(load[n], field, ms) for n in sizes) + " |")
    return lines


def batch_table(results: dict[str, Any]) -> list[str]:
    batch: dict[str, Runs] = results["batch"]
    conc, naive_n = results["concurrency"], results["naive_keys"]
    lines = [
        "| latency | live table | wall time | measured RTT "
        f"| physical limit (1,000 × RTT ÷ {conc}) | ratio | ratio to latency ÷ conc. "
        "| longest UI stall | naive one-at-a-time (scaled) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, runs in batch.items():
        if key.startswith("naive"):
            continue
        table, latency = (int(x) for x in key.split("@"))
        rtt = median(runs, "rtt")
        limit, nominal = 1000 * rtt / conc, 1000 * latency / 1000 / conc
        wall = median(runs, "batch_wall")
        naive = batch.get(f"naive@{latency}")
        naive_text = sec(median(naive, "batch_wall") * 1000 / naive_n) if naive else "–"
        lines.append(
            f"| {latency} ms | {table:,} keys | {spread(runs, 'batch_wall', sec)} | {ms(rtt)} "
            f"| {sec(limit)} | {wall / limit:.3f}× "
            f"| {f'{wall / nominal:.3f}×' if nominal else '–'} "
            f"| {spread(runs, 'stall_batch', ms)} | {naive_text} |"
        )
    return lines


TARGETS: list[tuple[str, str, str, str, float, Callable[[float], str]]] = [
    # label, section, key, field, limit, unit
    ("10,000 keys: spawn → interactive", "load", "10000", "interactive", 0.6, sec),
    ("… the same, the `lwadmin-tui` command in a terminal", "command", "10000",
     "command_interactive", 0.6, sec),
    ("100,000 keys: spawn → interactive", "load", "100000", "interactive", 2.0, sec),
    ("longest stall while loading 10,000 keys", "load", "10000", "stall_loading", 0.1, ms),
    ("1,000 revocations at 50 ms, live 10,000-key table (× limit)", "batch", "10000@50",
     "ratio", 1.15, lambda v: "–" if v != v else f"{v:.3f}×"),
    ("longest UI stall during that batch", "batch", "10000@50", "stall_batch", 0.05, ms),
    ("filter keystroke, 10,000 keys", "load", "10000", "filter_worst", 0.1, ms),
    ("filter keystroke, 100,000 keys", "load", "100000", "filter_worst", 0.25, ms),
    ("peak RSS at 10,000 keys", "load", "10000", "rss_mib", 100, mib),
]  # fmt: skip


def target_value(results: dict[str, Any], section: str, key: str, field: str) -> float:
    runs: Runs = results.get(section, {}).get(key, [])
    if field == "ratio":  # against the measured round trip at 50 ms latency
        return median(runs, "batch_wall") / (1000 * median(runs, "rtt") / results["concurrency"])
    if field == "filter_worst":  # the slowest of the keystrokes, clearing included
        fields = ("filter_key", "filter_key2", "filter_back", "filter_clear")
        return max((median(runs, f) for f in fields), default=float("nan"))
    return median(runs, field)


def targets_table(results: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    head = "| what | target | " + ("before (stock DataTable) | " if before else "") + "now | met |"
    lines = [head, "|---" * (5 if before else 4) + "|"]
    for label, section, key, field, limit, unit in TARGETS:
        now = target_value(results, section, key, field)
        cells = [label, f"≤ {unit(limit)}"]
        if before:
            cells.append(unit(target_value(before, section, key, field)))
        cells += [unit(now), "yes" if now <= limit else "**no**"]  # NaN (not measured): no
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def limits(results: dict[str, Any]) -> list[str]:
    """Where the time goes, in sentences built from the data."""
    load, batch = results["load"], results["batch"]
    out = []
    floor = results.get("floor", [])
    if floor:
        out.append(
            f"- The floor: a Textual app showing one line, with httpx and pydantic imported, "
            f"is interactive {sec(median(floor, 'floor_interactive'))} after spawn here "
            f"({sec(median(floor, 'floor_imports'))} of it interpreter and imports)."
        )
    if "10000" in load:
        runs = load["10000"]
        decoded = statistics.median(r["startup"] + r["get_parse"] for r in runs)
        out.append(
            f"- 10,000 keys, headless: the probe asks for the list on a thread as the command "
            f"does, {sec(median(runs, 'startup'))} after spawn (the command first loads its "
            f"settings and the key: later), and has it decoded at {sec(decoded)}. The "
            f"interpreter and the imports (Textual, httpx, pydantic) are done at "
            f"{sec(median(runs, 'imports'))}; the first frame, at {sec(median(runs, 'screen'))}, "
            f"already holds the rows when the answer came first, and the screen has settled at "
            f"{sec(median(runs, 'interactive'))}. Nearly all of it is CPU, and the two threads "
            "share one interpreter lock: the imports are the largest part."
        )
    if "100000" in load:
        runs = load["100000"]
        out.append(
            f"- 100,000 keys: GET + parse is {sec(median(runs, 'get_parse'))} (37 MB of JSON, "
            "decoded by msgspec straight into the rows, about 0.1 s of it); "
            "rows, table and first frame add "
            f"{sec(sum(median(runs, f) for f in ('build_rows', 'populate', 'first_frame')))}."
        )
    unloaded = batch.get("10000@0")
    if unloaded:
        per_key = median(unloaded, "batch_wall")
        conc = results["concurrency"]
        ratios = ", ".join(
            f"{median(runs, 'batch_wall') / (1000 * median(runs, 'rtt') / conc):.2f}× at "
            f"{key.split('@')[1]} ms"
            for key, runs in batch.items()
            if key.startswith("10000@") and not key.endswith("@0")
        )
        out.append(
            f"- Batches: at 0 ms latency 1,000 revocations take {sec(per_key)}, "
            f"{per_key:.1f} ms per key with no network wait: the app's CPU per key (the "
            "request through httpx, its two audit records, the engine, the UI). Where the "
            "physical limit is below that, a batch is CPU-bound; the ratio to the limit is "
            f"{ratios}."
        )
    return out


def write_report(results: dict[str, Any], path: Path, before: dict[str, Any] | None) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks.run` on {when}.",
        f"Machine: {machine()}.",
        "",
        "Every figure is the median (min–max) over fresh processes: the real app, headless "
        "(`App.run_test`, 120x40), against the fake server in its own process on 127.0.0.1. "
        "A frame is a finished screen update (`App._display`); *settled* is the last frame "
        "before 300 ms without one. A stall is how late a 5 ms asyncio sleeper wakes up. "
        "This shared 2-core machine's speed drifts: the same build measured up to 40 % apart "
        "in runs an hour apart, so compare figures within one run; its floor line (below) is "
        "that run's baseline.",
        "",
        "## Targets",
        "",
        *targets_table(results, before),
        "",
        "## Where the time goes",
        "",
        *limits(results),
        "",
        "## Spawn → interactive",
        "",
        *loading_table(results["load"]),
        *command_line(results.get("command", {})),
        "",
        "The command row runs `python -m lwadmin_tui --endpoint URL --no-keyring` with the key "
        "in `LWADMIN_API_KEY`, in a 120x40 pseudo-terminal, and times spawn → the last byte it "
        "writes before 300 ms of quiet, once the screen says the list was loaded: settings, "
        "credential, TLS and the terminal driver included.",
        "",
        "## Start-up against a distant server",
        "",
        *distant_table(results),
        "## Filter and sort",
        "",
        *interaction_table(results["load"]),
        "",
        f"## A 1,000-key batch (concurrency {results['concurrency']})",
        "",
        *batch_table(results),
        "",
        "RTT is measured in the same process just before the batch: the median of 15 DELETEs "
        "the server answers 404 (same route, same latency, nothing revoked), client time "
        "included. The last ratio column uses the bare latency instead, as if the server and "
        "both HTTP stacks took no time.",
        "",
        f"The naive baseline revokes {results['naive_keys']} keys one request at a time "
        "(concurrency 1) and is scaled to 1,000 (its time is linear in N).",
        "",
    ]
    path.write_text("\n".join(text))
