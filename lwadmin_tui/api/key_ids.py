"""Which key ids may be put into a request's path.

The server issues ids of 21 characters from `[A-Za-z0-9_-]` (nanoid). A listed "id" such as
`..` or `../../teams` would, put into `/api/api-keys/{id}`, address another resource: `quote()`
keeps dots, URL normalisation resolves dot segments (even `%2e%2e`), so encoding cannot make such
an id safe. Only ids made of the server's own characters are sent, each then exactly one path
segment that no normalisation changes; anything else is refused before a request is built.
"""

from __future__ import annotations

import re

# Exactly what the server issues: 21 characters of its alphabet. Not merely "one inert path
# segment": the newest server also routes `/api/api-keys/latest/...` and `/api/api-keys/
# 2026-08-07/...` (version prefixes), which such a segment could name.
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{21}")


def is_key_id(value: object) -> bool:
    """True when `value` can be sent as a key id: one path segment, nothing to normalise."""
    return isinstance(value, str) and _KEY_ID.fullmatch(value) is not None
