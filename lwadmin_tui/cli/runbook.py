"""The runbook commands: `keys list`, `revoke plan`, `revoke apply`, `revoke ids`.

They share the TUI's settings, credential sources, filters, engine and audit log
(`lwadmin_tui/runbook/`). Without a terminal nothing is asked: `--yes` confirms, and without it
nothing is sent (exit 2). Exit status: 0 every key revoked or already revoked, 1 any refused,
failed or unknown, 2 usage, configuration or credential errors, 3 drifted keys were skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

import httpx

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import LangWatchError, Unauthorized
from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.api.people import PeopleDirectory
from lwadmin_tui.api.scopes import ScopeDirectory
from lwadmin_tui.bulk.control import Target
from lwadmin_tui.bulk.own_key import configured_own_key
from lwadmin_tui.keys.owner_cache import load_owner_cache
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.runbook.apply import (
    EXIT_DRIFTED,
    EXIT_OK,
    EXIT_USAGE,
    Progress,
    audit_for,
    exit_status,
    key_line,
    run_batch,
    summary_line,
)
from lwadmin_tui.runbook.listing import as_csv, as_json, as_table
from lwadmin_tui.runbook.plan import Drift, PlanError, drift_of, make_plan, read_plan, write_plan
from lwadmin_tui.runbook.selection import Selected, SelectionError, select, selection_from
from lwadmin_tui.settings.config import LoadedSettings, validate_endpoint
from lwadmin_tui.settings.credentials import KeyringStore, resolve_for_settings
from lwadmin_tui.settings.files import os_reason
from lwadmin_tui.settings.paths import DEFAULT_PROFILE
from lwadmin_tui.settings.tls import tls_settings
from lwadmin_tui.text import plural, register_secret, safe_text

TYPED_COUNT_FROM = 10
MAX_IDS = 1_000_000


class Usage(Exception):
    """A sentence for stderr and exit status 2."""


def run_runbook(args: argparse.Namespace, loaded: LoadedSettings, store: KeyringStore) -> int:
    try:
        return asyncio.run(_run(args, loaded, store))
    except (Usage, SelectionError, PlanError) as problem:
        print(f"lwadmin-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


@dataclass(frozen=True)
class Connection:
    client: LangWatchClient
    api_key: ApiKey


def _connect(loaded: LoadedSettings, store: KeyringStore) -> Connection:
    settings = loaded.settings
    endpoint = validate_endpoint(
        settings.endpoint, allow_insecure_http=settings.allow_insecure_http
    )
    verify = tls_settings(settings.ca_bundle).context
    credential = resolve_for_settings(
        settings,
        store,
        prompt=(lambda text: getpass.getpass(text, stream=sys.stderr)) if _interactive() else None,
        on_notice=lambda sentence: print(f"lwadmin-tui: {sentence}", file=sys.stderr),
    )
    register_secret(credential.key.reveal())
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.connect_timeout,
        pool=settings.read_timeout,
    )
    client = LangWatchClient(
        endpoint,
        credential.key,
        timeout=timeout,
        total_timeout=settings.request_timeout,
        max_connections=settings.concurrency,
        verify=verify,
    )
    return Connection(client, credential.key)


async def _run(args: argparse.Namespace, loaded: LoadedSettings, store: KeyringStore) -> int:
    connection = _connect(loaded, store)
    client = connection.client
    async with client:
        try:
            if args.command == "keys":
                return await _list(args, loaded, client)
            if args.revoke_action == "plan":
                return await _plan(args, loaded, client)
            if args.revoke_action == "apply":
                return await _apply(args, loaded, connection)
            return await _ids(args, loaded, connection)
        except Unauthorized as error:
            raise Usage(f"the server rejected the API key (401: {error.message}).") from None
        except LangWatchError as error:
            raise Usage(f"could not talk to {client.host}: {error.message}.") from None


@dataclass(frozen=True)
class Chosen:
    selected: Selected
    owners: dict[str, Ownership]
    people: PeopleDirectory
    scopes: ScopeDirectory


async def _selected(
    args: argparse.Namespace, loaded: LoadedSettings, client: LangWatchClient
) -> Chosen:
    selection = selection_from(args)
    keys = await client.list_keys()
    owners = load_owner_cache(client.host).owners if loaded.settings.owner_cache else {}
    scopes, people = ScopeDirectory(), PeopleDirectory()
    if selection.quick.scope or args.command == "keys":
        await scopes.load(client)
    if selection.owner or selection.text.strip() or args.command == "keys":
        if not scopes.loaded:
            await scopes.load(client)
        await people.load(client, scopes.team_ids)
    chosen = select(
        keys,
        selection,
        now=datetime.now(UTC),
        owners=owners,
        people=people.people,
        scope_names=scopes.names,
    )
    if chosen.coverage:
        print(f"lwadmin-tui: {chosen.coverage}.", file=sys.stderr)
    return Chosen(chosen, owners, people, scopes)


async def _list(args: argparse.Namespace, loaded: LoadedSettings, client: LangWatchClient) -> int:
    chosen = await _selected(args, loaded, client)
    keys, owners = chosen.selected.keys, chosen.owners
    if args.format == "json":
        sys.stdout.write(as_json(keys, owners))
    elif args.format == "csv":
        sys.stdout.write(as_csv(keys, owners))
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        people, names = chosen.people.people, chosen.scopes.names
        sys.stdout.write(as_table(keys, owners, people, names, now=datetime.now(UTC), width=width))
    return EXIT_OK


def _profile(loaded: LoadedSettings) -> str:
    return loaded.settings.profile or DEFAULT_PROFILE


async def _plan(args: argparse.Namespace, loaded: LoadedSettings, client: LangWatchClient) -> int:
    chosen = (await _selected(args, loaded, client)).selected
    words = " + ".join(chosen.rules) or "no filter: every listed key"
    plan = make_plan(
        chosen.keys,
        host=client.host,
        profile=_profile(loaded),
        now=datetime.now(UTC),
        filters=words,
    )
    try:
        write_plan(plan, args.output)
    except OSError as error:
        raise Usage(f"could not write the plan {args.output}: {os_reason(error)}.") from None
    print(
        f"lwadmin-tui: wrote a plan of {plural(len(plan.keys))} on {client.host} "
        f"({words}) to {args.output}; nothing was sent.",
        file=sys.stderr,
    )
    return EXIT_OK


def _confirm(count: int, host: str, yes: bool) -> None:
    """Ask as the TUI does on a terminal; without one, only `--yes` confirms."""
    if yes:
        return
    if not _interactive():
        raise Usage(
            f"{plural(count)} would be revoked on {host}, but there is no terminal to confirm "
            "on: add --yes. Nothing was sent."
        )
    if count >= TYPED_COUNT_FROM:
        answer = input(f"Revoke {count} API keys on {host}? Type {count} to confirm: ")
        confirmed = answer.strip() == str(count)
    else:
        answer = input(f"Revoke {plural(count, 'API key')} on {host}? [y/N] ")
        confirmed = answer.strip().lower() in ("y", "yes")
    if not confirmed:
        raise Usage("not confirmed: nothing was sent.")


async def _revoke(
    targets: list[Target],
    args: argparse.Namespace,
    loaded: LoadedSettings,
    connection: Connection,
    *,
    drifted: int = 0,
) -> int:
    client = connection.client
    if not targets:
        print("lwadmin-tui: no key to revoke; nothing was sent.", file=sys.stderr)
        return EXIT_DRIFTED if drifted else EXIT_OK
    _confirm(len(targets), client.host, args.yes)
    audit = audit_for(connection.api_key, client.host, _profile(loaded), args.reason)
    run = await run_batch(
        client,
        targets,
        audit,
        concurrency=loaded.settings.concurrency,
        own_key_id=configured_own_key(loaded.settings.own_key_id),
        out=sys.stdout,
        progress=Progress(len(targets)),
    )
    print(summary_line(run), file=sys.stderr)
    return exit_status(run, drifted=drifted)


def _line(target_id: str, name: str, outcome: str, message: str) -> None:
    """A key that is not sent, as the outcome lines of a batch say it."""
    sys.stdout.write(key_line(target_id, name, outcome, message) + "\n")


async def _apply(args: argparse.Namespace, loaded: LoadedSettings, connection: Connection) -> int:
    client = connection.client
    plan = read_plan(args.plan_file)
    if plan.host.lower() != client.host.lower():
        raise Usage(
            f"the plan was made for {safe_text(plan.host, 80)}, not {client.host}: refused. "
            "Nothing was sent."
        )
    listed = {key.id: key for key in await client.list_keys()}
    targets: list[Target] = []
    drifted = 0
    for planned in plan.keys:
        drift = drift_of(planned, listed.get(planned.id))
        if drift is Drift.AS_PLANNED or (args.include_drifted and drift is not Drift.GONE):
            targets.append(Target(planned.id, planned.name))
            continue
        if drift is not Drift.GONE:
            drifted += 1
        outcome = "gone since the plan" if drift is Drift.GONE else "skipped: drifted"
        _line(planned.id, planned.name, outcome, drift.value)
    sys.stdout.flush()
    if drifted:
        print(
            f"lwadmin-tui: {plural(drifted)} changed since the plan: skipped "
            "(--include-drifted revokes them too).",
            file=sys.stderr,
        )
    return await _revoke(targets, args, loaded, connection, drifted=drifted)


MAX_IDS_BYTES = 64 << 20


def _bounded_lines(stream: TextIO) -> list[str]:
    """The lines of an ids file, refused past 64 MiB (`/dev/zero` would never end)."""
    text = stream.read(MAX_IDS_BYTES + 1)
    if len(text) > MAX_IDS_BYTES:
        raise Usage("the ids file is larger than 64 MiB: nothing was sent.")
    return text.splitlines()


def _read_ids(args: argparse.Namespace) -> list[str]:
    lines: list[str] = list(args.key_ids)
    if args.from_file:
        try:
            if args.from_file == "-":
                lines += _bounded_lines(sys.stdin)
            else:
                with open(args.from_file, encoding="utf-8") as stream:
                    lines += _bounded_lines(stream)
        except OSError as error:
            raise Usage(f"could not read {args.from_file}: {os_reason(error)}.") from None
        except UnicodeDecodeError:
            raise Usage(f"{args.from_file} is not UTF-8 text.") from None
    ids = []
    for raw in lines[:MAX_IDS]:
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        if not is_key_id(text):
            raise Usage(f"{safe_text(text, 40)!r} is not a LangWatch key id: nothing was sent.")
        ids.append(text)
    if not ids:
        raise Usage("no key id given (arguments, or --from-file FILE or -).")
    return list(dict.fromkeys(ids))


async def _ids(args: argparse.Namespace, loaded: LoadedSettings, connection: Connection) -> int:
    client = connection.client
    ids = _read_ids(args)
    listed: dict[str, ApiKeyInfo] = {key.id: key for key in await client.list_keys()}
    targets = [Target(key_id, listed[key_id].name if key_id in listed else "") for key_id in ids]
    missing = sum(1 for key_id in ids if key_id not in listed)
    if missing:
        print(
            f"lwadmin-tui: {plural(missing, 'id')} not in the list this credential sees; sent all "
            "the same, the server decides.",
            file=sys.stderr,
        )
    if args.dry_run:
        for target in targets:
            path = f"DELETE /api/api-keys/{target.key_id}"
            _line(target.key_id, target.name, "would be revoked", path)
        print(f"lwadmin-tui: dry run: {plural(len(targets))}; nothing was sent.", file=sys.stderr)
        return EXIT_OK
    return await _revoke(targets, args, loaded, connection)
