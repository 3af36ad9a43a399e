"""`GET /api/api-keys` answers built from the last one: only keys changed since are encoded again.

Filtering, sorting and encoding 100,000 keys took the fake about 0.8 s per list, so the benchmark
measured the fake, not the app. Every change to a key is counted (`org.Edits`): when none
touched whether or where a key is listed, the last answer's order is kept and only the keys
edited since are encoded again (a caller's new `lastUsedAt`, a renamed key); any other change
rebuilds the answer from scratch.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from lwadmin_tui.fake.org import Edits, FakeKey, key_info
from lwadmin_tui.fake.responses import compact_json


def encoded(key: FakeKey) -> bytes:
    """One row of the list as compact JSON, like the real server."""
    return compact_json(key_info(key))


@dataclass
class _Answer:
    seen: int  # `Edits.count` when this answer was last brought up to date
    total: int  # keys in the organization then (a key added or removed rebuilds it)
    keys: list[FakeKey]
    rows: list[bytes]
    body: bytes


class ListedRows:
    """The last list answer of each view (which keys a caller may see)."""

    def __init__(self) -> None:
        self._answers: dict[Hashable, _Answer] = {}

    def body(self, view: Hashable, listed: Callable[[], list[FakeKey]], total: int) -> bytes:
        """`{"data":[...]}` of `listed()` (filtered and in order), reusing what is unchanged."""
        answer = self._answers.get(view)
        if answer is None or answer.total != total or Edits.reordered > answer.seen:
            keys = listed()
            answer = _Answer(Edits.count, total, keys, [encoded(k) for k in keys], b"")
            answer.body = _joined(answer.rows)
            self._answers[view] = answer
        elif Edits.count > answer.seen:
            for index, key in enumerate(answer.keys):
                if key.edit > answer.seen:  # type: ignore[attr-defined]
                    answer.rows[index] = encoded(key)
            answer.body = _joined(answer.rows)
            answer.seen = Edits.count
        return answer.body


def _joined(rows: list[bytes]) -> bytes:
    return b'{"data":[' + b",".join(rows) + b"]}"
