"""The one clock: aware UTC now, and the audit log's timestamp form of it."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_stamp(moment: datetime | None = None) -> str:
    """`2026-08-22T17:48:47.123Z`, as the server writes dates."""
    moment = moment or utc_now()
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
