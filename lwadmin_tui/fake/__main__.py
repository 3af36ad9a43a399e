"""`python -m lwadmin_tui.fake`: serve a demo scenario until Ctrl-C.

The credential goes to a 0600 file, never to the terminal, so the demo practises the same
habits the app enforces for real keys.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from lwadmin_tui.fake.large import SIZES, large_factory
from lwadmin_tui.fake.scenarios import SCENARIOS
from lwadmin_tui.fake.server import FakeServer, FaultSwitches
from lwadmin_tui.process_hardening import disable_core_dumps

# The demo worlds plus the benchmark sizes (large-1000, large-10000, large-100000).
ALL_SCENARIOS = {**SCENARIOS, **{f"large-{n}": large_factory(n) for n in SIZES}}


def write_token(path: Path, token: str) -> None:
    """Write the token readable by the owner only, even if the file already existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    """Make `kill` as clean as Ctrl-C."""
    raise KeyboardInterrupt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lwadmin_tui.fake",
        description="Serve a fake LangWatch API-key server on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument("--scenario", choices=sorted(ALL_SCENARIOS), default="admin")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each answer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--legacy", action="store_true", help="behave like a pre-3.13 server")
    parser.add_argument(
        "--last-used-every-request",
        action="store_true",
        help="write a key's lastUsedAt after every 2xx (servers up to 3.16), not once a minute",
    )
    faults = parser.add_argument_group("faults (see lwadmin_tui/fake/faults.py)")
    faults.add_argument("--jitter-ms", type=float, default=0.0, help="plus 0..N ms per answer")
    faults.add_argument("--list-latency-ms", type=float, default=0.0, help="a slow key list")
    faults.add_argument(
        "--rate-limit",
        type=int,
        default=0,
        metavar="N",
        help="the first N DELETEs of each key answer 429",
    )
    faults.add_argument("--retry-after", default="1", help="the 429's Retry-After header")
    faults.add_argument(
        "--fail-once",
        type=int,
        metavar="STATUS",
        help="the first DELETE of each key answers this 5xx",
    )
    faults.add_argument(
        "--fail-applied", action="store_true", help="...after applying the revocation"
    )
    faults.add_argument("--html-errors", action="store_true", help="5xx bodies as HTML pages")
    faults.add_argument(
        "--drop-after-apply",
        action="store_true",
        help="apply the first DELETE of each key, then drop the connection",
    )
    faults.add_argument(
        "--truncate-after-apply",
        action="store_true",
        help="apply the first DELETE of each key, answer with cut-short JSON",
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        help="where to write the credential (mode 0600); default: a new temporary file",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Build the scenario, write its token file, print the URL, serve until interrupted."""
    disable_core_dumps()  # it holds the scenario's token like the app holds a key
    args = _parser().parse_args(argv)
    scenario = ALL_SCENARIOS[args.scenario](datetime.now(UTC), args.seed, lambda: datetime.now(UTC))
    scenario.app.legacy = args.legacy
    scenario.app.last_used_every_request = args.last_used_every_request
    gc.freeze()  # the world lives as long as the server: collections need not walk it
    token_file: Path = args.token_file
    if token_file is None:
        fd, name = tempfile.mkstemp(prefix="lwadmin-fake-token-")
        os.close(fd)
        token_file = Path(name)
    write_token(token_file, scenario.token)
    switches = FaultSwitches(
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        list_latency_ms=args.list_latency_ms,
        rate_limit_times=args.rate_limit,
        retry_after=args.retry_after,
        fail_once_status=args.fail_once,
        fail_applied=args.fail_applied,
        html_errors=args.html_errors,
        drop_after_apply=args.drop_after_apply,
        truncate_after_apply=args.truncate_after_apply,
    )
    server = FakeServer(scenario.app, port=args.port, faults=switches)
    server.start()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"fake LangWatch ({scenario.name}) at {server.url}", flush=True)
    print(f"credential written to {token_file} (mode 0600)", flush=True)
    print(scenario.description, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
