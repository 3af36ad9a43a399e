"""Entry point: parse arguments, resolve endpoint and key, then run the app.

Everything that can go wrong before the app starts ends here in one plain sentence on stderr and
exit code 2: never a traceback, never the key.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from typing import NoReturn

from pydantic import ValidationError

from lwadmin_tui import __version__
from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.config import MAX_CONCURRENCY, ConfigError, Settings, validate_endpoint

EXIT_USAGE = 2
TOKEN_PATTERN = re.compile(r"(sk|ik|pat)-lw-[A-Za-z0-9_\-]+")
PROJECT_KEY_PATTERN = re.compile(r"sk-lw-[A-Za-z0-9]{48}")
DEMO_SCENARIOS = ("admin", "manager")
NO_TERMINAL = "lwadmin-tui needs an interactive terminal (try ssh -t)."
NO_KEY = (
    "No API key: set LWADMIN_API_KEY (or LANGWATCH_API_KEY) to an organization API key "
    "(sk-lw-…_…), or try the demo with: lwadmin-tui --demo"
)
PROJECT_KEY = (
    "That is a legacy project API key; these routes need an organization API key "
    "(sk-lw-{id}_{secret}). Create one in LangWatch under Settings > API Keys."
)


def redact(text: str) -> str:
    """Hide anything shaped like a LangWatch token, e.g. in argparse's own error messages."""
    return TOKEN_PATTERN.sub("[redacted]", text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {redact(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lwadmin-tui",
        description="Find, mark and bulk-revoke LangWatch organization API keys.",
        epilog="The API key comes from LWADMIN_API_KEY or LANGWATCH_API_KEY, never from the "
        "command line.",
    )
    parser.add_argument("--version", action="version", version=f"lwadmin-tui {__version__}")
    parser.add_argument(
        "--endpoint",
        help="LangWatch base URL (default: LWADMIN_ENDPOINT, LANGWATCH_ENDPOINT, "
        "else https://app.langwatch.ai)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help=f"revocations in flight at once, 1-{MAX_CONCURRENCY} (default 8)",
    )
    parser.add_argument(
        "--demo",
        nargs="?",
        const="admin",
        choices=DEMO_SCENARIOS,
        metavar="SCENARIO",
        help="open a built-in demo organization served on 127.0.0.1: 'admin' (default, an "
        "organization admin's service key) or 'manager' (a non-admin manager's personal key)",
    )
    parser.add_argument(
        "--demo-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="add this many milliseconds to every demo server answer",
    )
    return parser


def fail(message: str) -> NoReturn:
    print(f"lwadmin-tui: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def refuse_key_arguments(argv: Sequence[str]) -> None:
    for arg in argv:
        if arg.split("=", 1)[0] in ("--api-key", "--key", "--token"):
            fail(
                "the API key is never accepted on the command line (other users can read it "
                "in the process list); set LWADMIN_API_KEY instead."
            )


def load_settings(endpoint_flag: str | None, concurrency_flag: int | None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors())
        fail(f"invalid setting in the environment ({fields}): check LWADMIN_* variables.")
    if endpoint_flag is not None:
        settings.endpoint = endpoint_flag
    if concurrency_flag is not None:
        if not 1 <= concurrency_flag <= MAX_CONCURRENCY:
            fail(f"--concurrency must be between 1 and {MAX_CONCURRENCY}.")
        settings.concurrency = concurrency_flag
    return settings


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    refuse_key_arguments(argv)
    args = build_parser().parse_args(argv)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(NO_TERMINAL)
    settings = load_settings(args.endpoint, args.concurrency)

    with ExitStack() as stack:
        if args.demo:
            from lwadmin_tui.demo import start_demo

            demo = stack.enter_context(start_demo(args.demo, latency_ms=args.demo_latency))
            endpoint, api_key, label = demo.endpoint, demo.api_key, f"demo: {args.demo}"
        else:
            try:
                endpoint = validate_endpoint(settings.endpoint)
            except ConfigError as error:
                fail(str(error))
            if settings.api_key is None or not settings.api_key.get_secret_value().strip():
                fail(NO_KEY)
            secret = settings.api_key.get_secret_value().strip()
            if PROJECT_KEY_PATTERN.fullmatch(secret):
                fail(PROJECT_KEY)
            api_key, label = ApiKey(secret), ""

        from lwadmin_tui.app import LwAdminApp

        app = LwAdminApp(endpoint, api_key, concurrency=settings.concurrency, label=label)
        app.run()
    raise SystemExit(app.return_code or 0)
