"""The one path by which any server string becomes display text.

Key names and descriptions are written by other people. Whatever they hold — markup, escape
sequences, control characters, bidi overrides — must show up as inert, literal text. Callers
render the result with `rich.text.Text` (never markup), so square brackets stay brackets.
"""

from __future__ import annotations

import unicodedata

DEFAULT_MAX_LENGTH = 120
ELLIPSIS = "…"

# Bidi embedding/override/isolate controls and marks: they reorder the text around them.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that can hide or join text; shown so a look-alike name is visible as such.
_INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_WHITESPACE = set("\t\n\r\v\f\u2028\u2029\x85")
REPLACEMENT = "\ufffd"


def _replace(char: str) -> str:
    if char in _WHITESPACE:
        return " "
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ESC shows as ␛, BEL as ␇
    if code == 0x7F:
        return "\u2421"  # ␡
    if char in _BIDI or char in _INVISIBLE:
        return REPLACEMENT
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Co", "Cn") or category == "Cf":
        return REPLACEMENT
    return char


def safe_text(value: object, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Return `value` as a single line of printable text, at most `max_length` characters.

    Control characters become visible symbols, bidi and invisible formatting characters become
    U+FFFD, line breaks become spaces, and anything longer is cut with an ellipsis.
    """
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable():
        cleaned = text
    else:
        cleaned = "".join(_replace(c) if not c.isprintable() or c in _BIDI else c for c in text)
    if len(cleaned) > max_length:
        return cleaned[: max(0, max_length - 1)] + ELLIPSIS
    return cleaned
