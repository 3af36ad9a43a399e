"""Parse a big `GET /api/api-keys` answer without freezing the caller's event loop.

The server returns every key in one response (no pagination): 3.7 MB of JSON at 10,000 keys,
37 MB at 100,000. `json.loads` plus pydantic hold the GIL for the whole body (0.2 s at 10,000
keys on a 2-core machine), which is a frozen UI. Here the `data` array is decoded one element
at a time (`JSONDecoder.raw_decode`, C speed) and validated in chunks, with `await sleep(0)`
between chunks so keystrokes and repaints get through. An answer of any other shape returns
None and the caller parses it the ordinary way (same errors, same messages).
"""

from __future__ import annotations

import asyncio
import json
import re

from pydantic import TypeAdapter

from lwadmin_tui.api.models import ApiKeyInfo

CHUNK = 1000  # keys per slice: ~10 ms of work between two yields to the event loop
_HEAD = re.compile(r'\s*\{\s*"data"\s*:\s*\[\s*')
_SPACE = re.compile(r"\s*")
_ROWS: TypeAdapter[list[ApiKeyInfo]] = TypeAdapter(list[ApiKeyInfo])


async def parse_key_list(body: bytes, chunk: int = CHUNK) -> tuple[ApiKeyInfo, ...] | None:
    """The keys of `{"data": [...]}`, or None when the body has another shape or fails.

    None also for an element that is not a key (pydantic's ValidationError is a ValueError):
    the caller's full parse then words the error exactly as for any other answer.
    """
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return None
    head = _HEAD.match(text)
    if head is None:
        return None
    decoder = json.JSONDecoder()
    keys: list[ApiKeyInfo] = []
    pending: list[object] = []
    at = head.end()
    try:
        while text[at] != "]":
            element, at = decoder.raw_decode(text, at)
            pending.append(element)
            at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
            if text[at] == ",":
                at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
            elif text[at] != "]":
                return None
            if len(pending) >= chunk:
                keys += _ROWS.validate_python(pending)
                pending.clear()
                await asyncio.sleep(0)
        if text[at + 1 :].strip() != "}":
            return None  # more top-level fields than `data`: let the full parser decide
        keys += _ROWS.validate_python(pending)
    except (IndexError, ValueError):  # cut short, not JSON, or not shaped like keys
        return None
    return tuple(keys)
