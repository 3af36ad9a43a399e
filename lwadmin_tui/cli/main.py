"""Entry point: parse arguments, load settings, find the key, then run the app or a subcommand.

`lwadmin-tui` runs the TUI; `lwadmin-tui auth set|status|delete` manages the keyring entry;
`lwadmin-tui doctor` checks the setup end to end. Everything that can go wrong before the app
starts ends here in plain sentences on stderr and exit code 2: never a traceback, never the key.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from lwadmin_tui import __version__
from lwadmin_tui.process_hardening import disable_core_dumps
from lwadmin_tui.settings.config import (
    MAX_CONCURRENCY,
    SETTING_FLAGS,
    ConfigError,
    LoadedSettings,
    load_settings,
)
from lwadmin_tui.settings.credentials import KeyringStore, NoCredential
from lwadmin_tui.settings.debug_log import configure_logging, redact

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DEMO_SCENARIOS = ("admin", "manager", "starter")
NO_TERMINAL = "needs an interactive terminal (try ssh -t)."


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {redact(message)}\n")


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """The flags every command shares; SUPPRESS so a subcommand never hides a global flag."""
    path: dict[str, Any] = {"type": Path, "metavar": "PATH"}
    hide: dict[str, Any] = {"default": argparse.SUPPRESS}
    flags: list[tuple[str, dict[str, Any], str]] = [
        ("--config", path, "TOML config file (default: LWADMIN_CONFIG, else "
         "$XDG_CONFIG_HOME/lwadmin-tui/config.toml)"),
        ("--profile", {"metavar": "NAME"}, "use [profiles.NAME] of the config file and keyring "
         "entry NAME (LWADMIN_PROFILE)"),
        ("--endpoint", {"metavar": "URL"}, "LangWatch base URL (LWADMIN_ENDPOINT, "
         "LANGWATCH_ENDPOINT, config file; default https://app.langwatch.ai)"),
        ("--concurrency", {"type": int, "metavar": "N"},
         f"revocations in flight at once, 1-{MAX_CONCURRENCY} (default 8)"),
        ("--api-key-file", path, "read the API key from this 0600 file (LWADMIN_API_KEY_FILE)"),
        ("--no-keyring", {"dest": "keyring", "action": "store_false"},
         "do not look in the system keyring"),
        ("--ca-bundle", path, "trust these CAs (PEM) instead of the default ones; "
         "SSL_CERT_FILE works too"),
        ("--allow-insecure-http", {"action": "store_true"}, "allow plain http:// to a "
         "non-loopback host (the key crosses the network unencrypted)"),
        ("--debug-log", path, "append redacted debug logs, requests included, to this file "
         "(created 0600)"),
        ("--theme", {"metavar": "NAME"}, "colour theme: textual-dark (default), textual-light, "
         "ansi-dark or ansi-light (the terminal's own 16 colours), ..."),
        ("--mouse", {"action": argparse.BooleanOptionalAction}, "capture the mouse (off by "
         "default, so selecting text works over SSH)"),
        ("--no-owner-cache", {"dest": "owner_cache", "action": "store_false"}, "do not keep key "
         "types and owners (ids only) in $XDG_CACHE_HOME/lwadmin-tui between sessions"),
    ]  # fmt: skip
    for flag, options, text in flags:
        parser.add_argument(flag, help=text, **options, **hide)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lwadmin-tui",
        description="Find, mark and bulk-revoke LangWatch organization API keys.",
        epilog="The API key comes from LWADMIN_API_KEY, LANGWATCH_API_KEY, --api-key-file, the "
        "system keyring (lwadmin-tui auth set) or a hidden prompt; never from the command line.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"lwadmin-tui {__version__}")
    add_setting_flags(parser)
    parser.add_argument(
        "--demo",
        nargs="?",
        const="admin",
        choices=DEMO_SCENARIOS,
        metavar="SCENARIO",
        help="open a built-in demo organization served on 127.0.0.1: 'admin' (default, an "
        "organization admin's service key), 'manager' (a non-admin manager's personal key) or "
        "'starter' (the admin's organization on a plan without the organization's member list)",
    )
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="PLAN.json",
        help="open the table with a plan's keys marked for review (lwadmin-tui revoke plan, "
        "or P in the table); keys changed since are flagged, not marked",
    )
    parser.add_argument(
        "--demo-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="add this many milliseconds to every demo server answer",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    auth = commands.add_parser(
        "auth", help="store, show or delete the key in the system keyring", allow_abbrev=False
    )
    actions = auth.add_subparsers(dest="auth_action", metavar="ACTION", required=True)
    for name, text in (
        ("set", "ask for the key (hidden) and store it in the keyring for the profile"),
        ("status", "say which source would give the key (last 4 characters only)"),
        ("delete", "delete the profile's keyring entry"),
    ):
        add_setting_flags(actions.add_parser(name, help=text, allow_abbrev=False))
    doctor = commands.add_parser(
        "doctor", help="check settings, credential, keyring, TLS and the server", allow_abbrev=False
    )
    add_setting_flags(doctor)
    from lwadmin_tui.cli.runbook_parser import add_runbook_commands

    add_runbook_commands(commands, add_setting_flags)
    return parser


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    print(f"lwadmin-tui: {redact(message)}", file=sys.stderr)
    raise SystemExit(code)


def refuse_key_arguments(argv: Sequence[str]) -> None:
    for arg in argv:
        if arg.split("=", 1)[0] in ("--api-key", "--key", "--token"):
            fail(
                "the API key is never accepted on the command line (other users can read it "
                "in the process list); set LWADMIN_API_KEY, use --api-key-file, or run "
                "lwadmin-tui auth set."
            )


def settings_from(args: argparse.Namespace) -> LoadedSettings:
    # Each flag's argparse dest is its Settings field's name.
    flags: dict[str, Any] = {name: getattr(args, name, None) for name in SETTING_FLAGS}
    try:
        return load_settings(flags, config_path=getattr(args, "config", None))
    except ConfigError as error:
        fail(str(error))


def main(argv: Sequence[str] | None = None) -> None:
    disable_core_dumps()  # before any key is read: a crash must not write it to a core file
    argv = list(sys.argv[1:] if argv is None else argv)
    refuse_key_arguments(argv)
    args = build_parser().parse_args(argv)
    command = getattr(args, "command", None)
    if command is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(NO_TERMINAL)
    loaded = settings_from(args)
    try:
        configure_logging(loaded.settings.debug_log)
    except (ConfigError, OSError) as error:
        fail(str(error))
    store = KeyringStore(timeout=loaded.settings.keyring_timeout)
    try:
        if command == "auth":
            from lwadmin_tui.cli.auth import run_auth

            raise SystemExit(run_auth(args.auth_action, loaded, store))
        if command == "doctor":
            from lwadmin_tui.cli.doctor import run_doctor

            raise SystemExit(run_doctor(loaded, store))
        if command in ("keys", "revoke"):
            from lwadmin_tui.cli.runbook import run_runbook

            raise SystemExit(run_runbook(args, loaded, store))
        from lwadmin_tui.cli.launch import run_tui

        run_tui(args, loaded, store)
    except ConfigError as error:
        fail(str(error))
    except NoCredential as missing:
        fail(str(missing))
    except KeyboardInterrupt:
        fail("cancelled.", EXIT_INTERRUPTED)
