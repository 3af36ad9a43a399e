"""A server that lists "keys" whose ids are not ids: `.`, `..`, `../../teams`, `%2e%2e`, ...

It wraps the faithful fake and adds rows to its list answer, copies of a real key's row under
the odd ids; every other request goes to the fake as it is. The wire log of the `FakeServer`
around it shows where each DELETE really went.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from lwadmin_tui.fake.responses import FakeResponse, json_response
from lwadmin_tui.fake.rules import FakeLangWatch

ODD_IDS = (
    ".",
    "..",
    "../../teams",
    "%2e%2e",
    "a/b",
    "key?id=1",
    "key#frag",
    " ",
    "",
    "\uff4b\uff45\uff59",  # "key" in fullwidth letters
    "x" * 65,
    "latest",  # a version prefix of the newest server's routes
    "2026-08-07",
    "v1",
    "x" * 22,
)


class OddIdsLangWatch:
    """The fake, plus listed rows under `odd_ids` named `odd 0`, `odd 1`, ..."""

    def __init__(self, fake: FakeLangWatch, odd_ids: Sequence[str] = ODD_IDS) -> None:
        self.fake = fake
        self.odd_ids = tuple(odd_ids)

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> FakeResponse:
        answer = self.fake.handle(method, path, headers, body)
        if method != "GET" or path.split("?", 1)[0] != "/api/api-keys" or answer.status != 200:
            return answer
        listed = json.loads(answer.payload())
        template = listed["data"][-1]
        odd = [
            {**template, "id": key_id, "name": f"odd {n}"} for n, key_id in enumerate(self.odd_ids)
        ]
        return json_response(200, {"data": odd + listed["data"]})

    def __getattr__(self, name: str) -> object:
        return getattr(self.fake, name)
