"""Decode a big `GET /api/api-keys` answer fast: msgspec, straight into `ApiKeyInfo` rows.

The server returns every key in one response (no pagination): 3.7 MB of JSON at 10,000 keys,
37 MB at 100,000. msgspec decodes and checks it against the contract's types in C, building the
rows as it goes: about 10 ms at 10,000 keys, where `json.loads` and then building the same rows in
Python took 50-80 ms, and pydantic longer still; 100,000 keys take about 0.1 s, in one block,
where the old chunked parse stalled the event loop for 0.33 s (benchmarks/RESULTS.md). The
collector is paused meanwhile and the rows frozen after (`gc_tuning`).

Anything msgspec does not accept (another shape, a missing field, a number where the contract has
a string, a date without a zone) returns None, and the caller parses the answer with the pydantic
models instead: same errors, same messages, and the same rows when pydantic accepts what was
unusual (a zone-less date is read as UTC there).
"""

from __future__ import annotations

import msgspec

from lwadmin_tui.api import gc_tuning
from lwadmin_tui.api.errors import NESTED_TOO_DEEPLY, BadResponse
from lwadmin_tui.api.models import ApiKeyInfo


class _KeyList(msgspec.Struct, gc=False):
    """`{"data": [...]}`; other top-level fields are ignored, as pydantic ignores them."""

    data: tuple[ApiKeyInfo, ...]


_decoder = msgspec.json.Decoder(_KeyList)


def parse_key_list(body: bytes, *, status: int = 200) -> tuple[ApiKeyInfo, ...] | None:
    """The keys of `{"data": [...]}`, or None when the body is anything else.

    BadResponse when the JSON is nested too deeply to decode: the models' parser would fail on
    it too, so there is nothing to hand on.
    """
    with gc_tuning.paused():
        try:
            return _decoder.decode(body).data
        except (msgspec.ValidationError, msgspec.DecodeError):  # shape, type, not JSON, cut short
            return None
        except RecursionError:  # e.g. an ignored field holding 100,000 nested arrays
            raise BadResponse(NESTED_TOO_DEEPLY, status=status) from None
