"""The runbook commands' arguments: `keys list` and `revoke plan|apply|ids`, with the filter flags
that build the TUI's own filters (`runbook/selection.py` reads them).

Only argparse here: `--help` and the TUI's start never import what the commands run on.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from lwadmin_tui.keys.filters import ROLES, SCOPE_TYPES
from lwadmin_tui.keys.ownership import PERSONAL, SERVICE


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (a key matches when all of them match)")
    group.add_argument(
        "--text", metavar="T", help="name, description or id contain T (owner once known); !T: "
        "keys without T"
    )  # fmt: skip
    group.add_argument("--expired", action="store_true", help="expired keys")
    group.add_argument("--never-used", action="store_true", help="keys never used")
    group.add_argument(
        "--unused-days", metavar="N", help="last used (never used: created) more than N days ago"
    )
    group.add_argument("--created-before", metavar="YYYY-MM-DD", help="created before that day")
    group.add_argument("--role", choices=ROLES, help="a binding with this role")
    group.add_argument(
        "--scope-type", choices=[t.lower() for t in SCOPE_TYPES], help="a binding on this scope"
    )
    group.add_argument("--scope", metavar="NAME", help="a binding on a project or team so named")
    group.add_argument(
        "--type", dest="key_type", choices=(PERSONAL, SERVICE), help="key type (once known)"
    )
    group.add_argument(
        "--owner", metavar="USER", help="the keys of this user (id, name or email; once known)"
    )


def add_runbook_commands(
    commands: argparse._SubParsersAction,
    add_common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """`keys list` and `revoke plan|apply|ids`; `add_common` adds the shared setting flags."""
    keys = commands.add_parser("keys", help="list keys for scripts", allow_abbrev=False)
    key_actions = keys.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    listing = key_actions.add_parser("list", help="print the keys the filters select")
    add_filter_flags(listing)
    listing.add_argument("--format", choices=("table", "json", "csv"), default="table")
    revoke = commands.add_parser(
        "revoke", help="plan and revoke keys without the TUI", allow_abbrev=False
    )
    actions = revoke.add_subparsers(dest="revoke_action", metavar="ACTION", required=True)
    plan = actions.add_parser("plan", help="write the keys the filters select as a plan")
    add_filter_flags(plan)
    plan.add_argument("--output", type=Path, required=True, metavar="PLAN.json")
    apply = actions.add_parser("apply", help="revoke a plan's keys that did not change since")
    apply.add_argument("plan_file", type=Path, metavar="PLAN.json")
    apply.add_argument("--include-drifted", action="store_true", help="revoke changed keys too")
    ids = actions.add_parser("ids", help="revoke keys by id")
    ids.add_argument("key_ids", nargs="*", metavar="ID")
    ids.add_argument("--from-file", metavar="FILE", help="ids one per line (- for stdin)")
    ids.add_argument("--dry-run", action="store_true", help="say what would be sent, send none")
    for parser in (apply, ids):
        parser.add_argument("--yes", action="store_true", help="confirm without a terminal")
        parser.add_argument("--reason", default="", metavar="TEXT", help="for the audit log")
    for parser in (keys, listing, revoke, plan, apply, ids):
        add_common(parser)
