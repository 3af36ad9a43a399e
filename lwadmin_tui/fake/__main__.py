"""`python -m lwadmin_tui.fake`: serve a demo scenario until Ctrl-C.

The credential goes to a 0600 file, never to the terminal, so the demo practises the same
habits the app enforces for real keys.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from lwadmin_tui.fake.scenarios import SCENARIOS
from lwadmin_tui.fake.server import FakeServer, FaultSwitches


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
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="admin")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each answer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--legacy", action="store_true", help="behave like a pre-3.13 server")
    parser.add_argument(
        "--token-file",
        type=Path,
        help="where to write the credential (mode 0600); default: a new temporary file",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Build the scenario, write its token file, print the URL, serve until interrupted."""
    args = _parser().parse_args(argv)
    scenario = SCENARIOS[args.scenario](datetime.now(UTC), args.seed, lambda: datetime.now(UTC))
    scenario.app.legacy = args.legacy
    token_file: Path = args.token_file
    if token_file is None:
        fd, name = tempfile.mkstemp(prefix="lwadmin-fake-token-")
        os.close(fd)
        token_file = Path(name)
    write_token(token_file, scenario.token)
    server = FakeServer(scenario.app, port=args.port, faults=FaultSwitches(args.latency_ms))
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
