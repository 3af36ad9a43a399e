"""`keys list`: the selected keys as JSON (the server's list rows, as LangWatch's CLI prints them
with `-o json`, so `jq` scripts carry over), CSV (a header row; no cell starts a formula) or a
table that fits the terminal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import key_name, relative, scope_summary, status_word
from lwadmin_tui.keys.owners import Named, owner_cell, type_cell
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.text import safe_text, spreadsheet_cell

CSV_FIELDS = (
    "id", "name", "description", "createdAt", "expiresAt", "lastUsedAt", "keyType", "owner",
    "roleBindings",
)  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def key_json(key: ApiKeyInfo, ownership: Ownership | None) -> dict[str, Any]:
    """The server's list row (camelCase, as sent), plus `owner` and `keyType` where known."""
    return {
        "id": key.id,
        "name": key.name,
        "description": key.description,
        "createdAt": _iso(key.created_at),
        "expiresAt": _iso(key.expires_at),
        "lastUsedAt": _iso(key.last_used_at),
        "revokedAt": _iso(key.revoked_at),
        "roleBindings": [
            {"id": b.id, "role": b.role, "scopeType": b.scope_type, "scopeId": b.scope_id}
            for b in key.role_bindings
        ],
        "owner": ownership.owner_id if ownership else None,
        "keyType": ownership.key_type if ownership else None,
    }


def as_json(keys: Sequence[ApiKeyInfo], owners: Mapping[str, Ownership]) -> str:
    return json.dumps([key_json(k, owners.get(k.id)) for k in keys], ensure_ascii=False) + "\n"


def as_csv(keys: Sequence[ApiKeyInfo], owners: Mapping[str, Ownership]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for key in keys:
        row = key_json(key, owners.get(key.id))
        row["roleBindings"] = " ".join(
            f"{b['role']}@{b['scopeType']}:{b['scopeId']}" for b in row["roleBindings"]
        )
        writer.writerow([spreadsheet_cell(safe_text(row[name] or "", 500)) for name in CSV_FIELDS])
    return out.getvalue()


def as_table(
    keys: Sequence[ApiKeyInfo],
    owners: Mapping[str, Ownership],
    people: Mapping[str, Named],
    scope_names: Mapping[str, str],
    *,
    now: datetime,
    width: int,
) -> str:
    """Name, id, status, last used, owner, type, scope; the name gives way to the width."""
    rows = [
        (
            key_name(key),
            safe_text(key.id, 30),
            status_word(key, now),
            relative(key.last_used_at, now),
            owner_cell(owners.get(key.id), people),
            type_cell(owners.get(key.id)),
            scope_summary(key.role_bindings, scope_names),
        )
        for key in keys
    ]
    header = ("NAME", "ID", "STATUS", "LAST USED", "OWNER", "TYPE", "SCOPE")
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(len(header))]
    widths[4], widths[6] = min(widths[4], 16), min(widths[6], 24)
    fixed = sum(widths[1:]) + 2 * (len(header) - 1)
    widths[0] = max(8, min(widths[0], width - fixed))
    lines = []
    for row in (header, *rows):
        cells = [_fit(text, w) for text, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _fit(text: str, width: int) -> str:
    return (text if len(text) <= width else text[: max(0, width - 1)] + "…").ljust(width)
