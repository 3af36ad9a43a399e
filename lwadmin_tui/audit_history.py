"""Reading the audit log back: batches, their per-key results, interrupted ones, exports.

Kept apart from the writer so the hot path (one fsynced line per request) stays tiny.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lwadmin_tui.text import safe_text

CSV_FIELDS = ("key_id", "key_name", "outcome", "label", "status", "code", "attempts", "time")
# A spreadsheet runs a cell starting with one of these as a formula: key names are hostile.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class KeyHistory:
    key_id: str
    key_name: str
    intents: int = 0
    outcome: dict[str, Any] | None = None

    @property
    def unresolved(self) -> bool:
        """A request was about to be sent, and no outcome was ever written."""
        return self.intents > 0 and self.outcome is None


@dataclass
class BatchHistory:
    batch_id: str
    started: str
    host: str
    profile: str
    keys: dict[str, KeyHistory] = field(default_factory=dict)
    ended: bool = False
    summary: str = ""

    @property
    def unresolved(self) -> list[KeyHistory]:
        return [k for k in self.keys.values() if k.unresolved]

    def started_local(self, fmt: str = "%H:%M") -> str:
        try:
            moment = datetime.fromisoformat(self.started.replace("Z", "+00:00"))
        except ValueError:
            return "?"
        return moment.astimezone().strftime(fmt)


def batches(records: Iterable[dict[str, Any]]) -> list[BatchHistory]:
    """Every batch in the log, newest first; later outcome records (verification) win."""
    found: dict[str, BatchHistory] = {}
    for record in records:
        batch_id = str(record.get("batch", ""))
        if not batch_id:
            continue
        batch = found.get(batch_id)
        if batch is None:
            batch = found[batch_id] = BatchHistory(
                batch_id,
                str(record.get("time", "")),
                str(record.get("host", "")),
                str(record.get("profile", "")),
            )
        event = record.get("event")
        if event == "batch_end":
            batch.ended = True
            batch.summary = safe_text(record.get("summary", ""), 200)
            continue
        key_id = record.get("key_id")
        if not isinstance(key_id, str):
            continue
        key = batch.keys.setdefault(key_id, KeyHistory(key_id, str(record.get("key_name", ""))))
        if event == "intent":
            key.intents += 1
        elif event == "outcome":
            key.outcome = record
    return sorted(found.values(), key=lambda b: b.started, reverse=True)


def interrupted(history: list[BatchHistory], host: str, profile: str) -> list[BatchHistory]:
    """Batches against this host and profile with requests whose outcome was never written."""
    return [b for b in history if b.host == host and b.profile == profile and b.unresolved]


def rows(batch: BatchHistory) -> list[dict[str, Any]]:
    """One flat row per key, for the view and the exports."""
    result = []
    for key in batch.keys.values():
        outcome = key.outcome or {}
        result.append(
            {
                "key_id": key.key_id,
                "key_name": key.key_name,
                "outcome": outcome.get("outcome", "unknown (no outcome recorded)"),
                "label": outcome.get("label", "unknown: the app stopped before an answer"),
                "status": outcome.get("status"),
                "code": outcome.get("code"),
                "attempts": outcome.get("attempts", key.intents),
                "time": outcome.get("time", ""),
            }
        )
    return result


def to_json(batch: BatchHistory) -> str:
    document = {
        "batch": batch.batch_id,
        "started": batch.started,
        "host": batch.host,
        "profile": batch.profile,
        "finished": batch.ended,
        "summary": batch.summary,
        "keys": rows(batch),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(batch: BatchHistory) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows(batch):
        writer.writerow([_cell(row[name]) for name in CSV_FIELDS])
    return out.getvalue()


def export(batch: BatchHistory, directory: Path) -> tuple[Path, Path]:
    """Write `batch-<id>.csv` and `.json` (0600) into `directory`; return both paths."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = []
    for suffix, text in (("csv", to_csv(batch)), ("json", to_json(batch))):
        path = directory / f"batch-{batch.batch_id}.{suffix}"
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]
