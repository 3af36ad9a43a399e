"""The keys the filters show, written as CSV and JSON: to attach to a ticket before revoking.

Written as the batches view writes a batch (files of ours, 0600, never through a link), on a
thread by the caller: a list may hold 100,000 keys. Server strings are made safe text, and a
CSV cell never starts a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import binding_line, status_word
from lwadmin_tui.settings.files import private_dir, write_private_files
from lwadmin_tui.text import safe_text, spreadsheet_cell

FIELDS = (
    "id", "name", "description", "status", "created_at", "last_used_at", "expires_at",
    "role_bindings",
)  # fmt: skip
TEXT_MAX_LENGTH = 500


def _moment(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def key_row(key: ApiKeyInfo, now: datetime, scope_names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": safe_text(key.id, 60),
        "name": safe_text(key.name, TEXT_MAX_LENGTH),
        "description": safe_text(key.description or "", TEXT_MAX_LENGTH),
        "status": status_word(key, now),
        "created_at": _moment(key.created_at),
        "last_used_at": _moment(key.last_used_at),
        "expires_at": _moment(key.expires_at),
        "role_bindings": "; ".join(
            binding_line(b, scope_names.get(b.scope_id)) for b in key.role_bindings
        ),
    }


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([spreadsheet_cell(row[name]) for name in FIELDS])
    return out.getvalue()


def to_json(rows: Sequence[dict[str, Any]], *, host: str, shown: str, listed: int) -> str:
    document = {"host": host, "shown": shown, "listed": listed, "keys": list(rows)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def free_stem(directory: Path, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`…: an export of the same second keeps the one before."""
    candidate, number = stem, 1
    while any(os.path.lexists(directory / f"{candidate}.{s}") for s in ("csv", "json")):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def export_keys(
    keys: Sequence[ApiKeyInfo],
    directory: Path,
    *,
    now: datetime,
    scope_names: Mapping[str, str],
    host: str,
    shown: str,
    listed: int,
) -> tuple[Path, Path]:
    """Write `keys-<time>.csv` and `.json` into `directory`; return both paths. `shown` says in
    words which keys these are (the filter line), `listed` how many the list held."""
    private_dir(directory.parent)  # the state dir too: never through a link, never another's
    rows = [key_row(key, now, scope_names) for key in keys]
    stem = free_stem(directory, f"keys-{now.strftime('%Y%m%dT%H%M%SZ')}")
    texts = (("csv", to_csv(rows)), ("json", to_json(rows, host=host, shown=shown, listed=listed)))
    files = [(directory / f"{stem}.{suffix}", text.encode("utf-8")) for suffix, text in texts]
    write_private_files(files, "export file")
    return files[0][0], files[1][0]
