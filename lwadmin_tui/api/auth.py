"""The API key as a value that cannot leak by accident, and the httpx auth that sends it."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class ApiKey:
    """Holds the secret; its repr and str show only the last 4 characters."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def last4(self) -> str:
        return self._value[-4:]

    def reveal(self) -> str:
        """The full secret: only for the Authorization header."""
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey('…{self.last4}')"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an ApiKey is never pickled")


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <key>` on every request; the repr never shows the key."""

    def __init__(self, key: ApiKey) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self._key!r})"
