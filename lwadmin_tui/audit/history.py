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

from lwadmin_tui.settings.files import private_dir, write_private_files
from lwadmin_tui.text import plural, safe_text, spreadsheet_cell

CSV_FIELDS = (
    "key_id", "key_name", "outcome", "label", "status", "code", "attempts", "time", "reason",
)  # fmt: skip


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
    credential: str | None = None
    """The keyed fingerprint of the credential that ran it (None in records before it)."""
    key_last4: str = ""
    reason: str = ""
    """The admin's reason, given in the confirmation (empty if none)."""
    running: bool = False
    """Still being written by the process holding the batch lock (set by whoever knows)."""

    @property
    def unresolved(self) -> list[KeyHistory]:
        """Requests that may have reached the server, with no outcome recorded."""
        return [k for k in self.keys.values() if k.unresolved]

    @property
    def never_sent(self) -> list[KeyHistory]:
        """Confirmed keys of a batch that stopped before their first request: no intent, so no
        request left (an intent is on disk before each one), and no outcome."""
        if self.ended:
            return []
        return [k for k in self.keys.values() if k.intents == 0 and k.outcome is None]

    @property
    def needs_settling(self) -> bool:
        return bool(self.unresolved or self.never_sent)

    def made_with(self, credential: str | None) -> bool:
        return credential is not None and self.credential == credential

    def started_local(self, fmt: str = "%H:%M") -> str:
        try:
            moment = datetime.fromisoformat(self.started.replace("Z", "+00:00"))
            return moment.astimezone().strftime(fmt)
        except (ValueError, OverflowError):  # any text can stand in a log line
            return "?"


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
        if event == "batch":
            _read_batch_record(batch, record)
            continue
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


def _read_batch_record(batch: BatchHistory, record: dict[str, Any]) -> None:
    credential = record.get("credential")
    batch.credential = credential if isinstance(credential, str) else None
    batch.key_last4 = safe_text(record.get("key_last4") or "", 4)
    batch.reason = safe_text(record.get("reason") or "", 200)
    confirmed = record.get("confirmed")
    if not isinstance(confirmed, list):
        return  # a record from before the confirmed list was written
    for entry in confirmed:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str):
            batch.keys.setdefault(entry[0], KeyHistory(entry[0], str(entry[1])))


def interrupted(history: list[BatchHistory], host: str, profile: str) -> list[BatchHistory]:
    """Batches against this host (any case) and profile that a stop left open: requests whose
    outcome was never written, or confirmed keys never sent. Newest first."""
    host = host.casefold()
    return [
        b
        for b in history
        if b.host.casefold() == host and b.profile == profile and b.needs_settling
    ]


def interrupted_sentence(batch: BatchHistory) -> str:
    """`3 revocations from the interrupted batch at 14:02 have an unknown outcome; 6 confirmed
    keys were never sent.`"""
    when = batch.started_local("%H:%M")
    if batch.started_local("%Y-%m-%d") != datetime.now().astimezone().strftime("%Y-%m-%d"):
        when = batch.started_local("%Y-%m-%d %H:%M")
    unknown, never = len(batch.unresolved), len(batch.never_sent)
    parts = []
    if unknown:
        noun, verb = ("revocation", "has") if unknown == 1 else ("revocations", "have")
        parts.append(
            f"{unknown} {noun} from the interrupted batch at {when} {verb} an unknown outcome"
        )
    if never:
        noun, verb = ("key", "was") if never == 1 else ("keys", "were")
        where = "" if unknown else f" in the interrupted batch at {when}"
        parts.append(f"{never} confirmed {noun}{where} {verb} never sent")
    return "; ".join(parts) + "."


def other_credential_sentence(others: list[BatchHistory]) -> str:
    """Batches a stop left open that this credential must not verify (it may not see them)."""
    named = [b for b in others if b.credential is not None]
    parts = []
    if named:
        keys = sorted({f"…{b.key_last4}" for b in named if b.key_last4})
        whose = f" (key {', '.join(keys)})" if keys else ""
        parts.append(
            f"{plural(len(named), 'interrupted batch')} of another credential{whose}: start with "
            "that key to verify them; read with this one, keys it may not see would look gone."
        )
    if len(named) < len(others):
        parts.append(
            f"{plural(len(others) - len(named), 'interrupted batch')} with no credential on "
            "record: no key can be matched to it; b shows its keys to check by hand."
        )
    return " ".join(parts)


def rows(batch: BatchHistory) -> list[dict[str, Any]]:
    """One flat row per key, for the view and the exports."""
    result = []
    for key in batch.keys.values():
        outcome = key.outcome or {}
        missing, missing_label = _missing(key, batch)
        result.append(
            {
                "key_id": key.key_id,
                "key_name": key.key_name,
                "outcome": outcome.get("outcome", missing),
                "label": outcome.get("label", missing_label),
                "status": outcome.get("status"),
                "code": outcome.get("code"),
                "attempts": outcome.get("attempts", key.intents),
                "time": outcome.get("time", ""),
                "tips": outcome.get("tips", []),
                "reason": batch.reason,
            }
        )
    return result


def _missing(key: KeyHistory, batch: BatchHistory) -> tuple[str, str]:
    """The outcome word and the label of a key with no outcome record yet."""
    if batch.running:
        if key.intents:
            return "in progress", "in progress: sent, no answer yet"
        return "not sent yet", "not sent yet"
    if key.intents == 0 and not batch.ended:
        return "confirmed, never sent", "confirmed, never sent: the app stopped first"
    return "unknown (no outcome recorded)", "unknown: the app stopped before an answer"


def to_json(batch: BatchHistory) -> str:
    document = {
        "batch": batch.batch_id,
        "started": batch.started,
        "host": batch.host,
        "profile": batch.profile,
        "finished": batch.ended,
        "summary": batch.summary,
        "reason": batch.reason,
        "keys": rows(batch),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_csv(batch: BatchHistory) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows(batch):
        writer.writerow([spreadsheet_cell(row[name]) for name in CSV_FIELDS])
    return out.getvalue()


def export(batch: BatchHistory, directory: Path) -> tuple[Path, Path]:
    """Write `batch-<id>.csv` and `.json` into `directory`; return both paths.

    Each is a file of ours, 0600 even when it existed before, never written through a link.
    """
    private_dir(directory.parent)  # the state dir too: never through a link, never another's
    stem = f"batch-{_file_part(batch.batch_id)}"
    files = [
        (directory / f"{stem}.csv", to_csv(batch).encode("utf-8")),
        (directory / f"{stem}.json", to_json(batch).encode("utf-8")),
    ]
    write_private_files(files, "export file")
    return files[0][0], files[1][0]


def _file_part(batch_id: str) -> str:
    """A batch id read back from the log, made safe as part of a file name."""
    cleaned = "".join(c for c in batch_id if c.isascii() and (c.isalnum() or c in "-_"))
    return cleaned[:40] or "unnamed"
