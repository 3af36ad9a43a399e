"""The one path by which any server string becomes display text.

Key names and descriptions are written by other people. Whatever they hold — markup, escape
sequences, control characters, bidi overrides — must show up as inert, literal text. Callers
render the result with `rich.text.Text` (never markup), so square brackets stay brackets.

A server or proxy may also echo the request's `Authorization` header into an error message:
credentials are masked here as well (`redact_secrets`, also used by the debug log), before the
text is shown or stored. No imports beyond the standard library's `re` and `unicodedata`: the
API client, the log and every screen sit above this module.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_MAX_LENGTH = 120
ELLIPSIS = "…"

# Bidi embedding/override/isolate controls and marks: they reorder the text around them.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that can hide or join text; shown so a look-alike name is visible as such.
_INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_WHITESPACE = set("\t\n\r\v\f\u2028\u2029\x85")
_HIDDEN = frozenset(_BIDI | _INVISIBLE)
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


# --- credentials ------------------------------------------------------------------------------

REDACTED = "[redacted]"
# LangWatch tokens: organization keys sk-lw-, ingestion keys ik-lw-, personal access tokens pat-lw-.
# Any case: an echo upper-cased by a proxy still shows nearly all of the token.
# Glued to a word ("token=xsk-lw-…") only in a token's own shape: "risk-lw-model-evaluation"
# stays a name.
_TOKEN = re.compile(
    r"(?i)(?:(?<![A-Za-z0-9])(?:sk|ik|pat)-lw-[A-Za-z0-9_\-]+"
    r"|(?:sk|ik|pat)-lw-(?:[A-Za-z0-9]{16}_[A-Za-z0-9]{16,}|[A-Za-z0-9]{32,}))"
)
# The credential after an HTTP auth scheme (an RFC 6750 b64token), as an echoed header shows it.
_SCHEME_VALUE = re.compile(
    r"\b(?P<scheme>(?i:bearer|basic))(?P<gap>\s+)(?P<value>[A-Za-z0-9\-._~+/]+=*)"
)
# ...unless it is a plain word: a key named "Basic monitoring" keeps its name.
# Each part is one of three shapes no two of which match the same part: no backtracking blow-up
# on a hostile "Basic A-A-A-…-A1".
_WORD = re.compile(r"(?:[A-Z]+|[a-z]+|[A-Z][a-z]+)(?:-(?:[A-Z]+|[a-z]+|[A-Z][a-z]+))*")

PIECE = 16
"""A piece of the credential this long is masked wherever it shows up."""
PRE_CUT = 65_536  # characters read past what is shown, for the masking to see whole
MIN_SECRET_LENGTH = 8
"""A shorter value is not registered: it could not be told apart from ordinary words."""

# All lower case: a credential is masked in any case (an echo upper-cased by a proxy too).
_pieces: set[str] = set()  # every PIECE-long piece of a registered credential
_whole: list[str] = []  # registered credentials shorter than PIECE: masked whole
# Any piece holds one of these whole, so a text holding none of them holds no piece.
_probes: tuple[str, ...] = ()


def register_secret(value: str) -> None:
    """From now on, `value` (the credential in use) and any PIECE-long piece of it show as
    `[redacted]` in every text `safe_text` returns and every debug log line."""
    global _probes
    if len(value) < MIN_SECRET_LENGTH:
        return
    value = value.lower()
    if len(value) < PIECE:
        pieces = [value]
        probes = [value]
        _whole.append(value)
    else:
        pieces = [value[i : i + PIECE] for i in range(len(value) - PIECE + 1)]
        _pieces.update(pieces)
        # A piece starting at s holds the half-piece chunk at the first multiple of PIECE / 2
        # from s on: these chunks are a complete, short list of probes.
        half = PIECE // 2
        probes = [value[i : i + half] for i in range(0, len(value) - half, half)]
    _probes = tuple(dict.fromkeys((*_probes, *probes)))


def forget_secrets() -> None:
    """Forget every registered credential (tests run many apps, each with its own key)."""
    global _probes
    _pieces.clear()
    _whole.clear()
    _probes = ()


def _probed(lowered: str) -> bool:
    for probe in _probes:  # noqa: SIM110 (a plain loop: any() over a generator is slower)
        if probe in lowered:
            return True
    return False


def redact_secrets(text: str) -> str:
    """`text` with LangWatch tokens, the value after `Bearer`/`Basic` and every registered
    credential (or a PIECE-long piece of one) replaced by `[redacted]`. Invisible characters
    (a zero-width space) inside a secret do not hide it: the secret is looked for with them
    left out, and when one is found they go with it."""
    masked = _redact(text)
    if _HIDDEN.isdisjoint(masked):
        return masked
    # What the text shows masked stays masked; then what the hidden characters split.
    seen = "".join(c for c in masked if c not in _HIDDEN)
    seen_masked = _redact(seen)
    return masked if seen_masked == seen else seen_masked


def _redact(text: str) -> str:
    text = _TOKEN.sub(REDACTED, text)
    if _probed(text.lower()):
        text = _mask_registered(text)
    return _SCHEME_VALUE.sub(_mask_scheme_value, text)


def _mask_registered(text: str) -> str:
    for whole in _whole:
        text = re.sub(re.escape(whole), REDACTED, text, flags=re.IGNORECASE)
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters: keep every one in its place
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    spans: list[list[int]] = []  # [start, end) runs covered by pieces, overlaps merged
    for start in range(len(text) - PIECE + 1):
        if lowered[start : start + PIECE] in _pieces:
            if spans and start <= spans[-1][1]:
                spans[-1][1] = start + PIECE
            else:
                spans.append([start, start + PIECE])
    # One pass: rebuilding the text per span costs a copy of it each time, and a server that
    # echoes the credential thousands of times would freeze the screen (minutes at 10 MB).
    parts: list[str] = []
    kept = 0
    for start, end in spans:
        parts += (text[kept:start], REDACTED)
        kept = end
    parts.append(text[kept:])
    return "".join(parts)


def _mask_scheme_value(match: re.Match[str]) -> str:
    if _WORD.fullmatch(match["value"]):
        return match[0]
    return f"{match['scheme']}{match['gap']}{REDACTED}"


def safe_text(value: object, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Return `value` as a single line of printable text, at most `max_length` characters.

    Credentials become `[redacted]`, control characters become visible symbols, bidi and
    invisible formatting characters become U+FFFD, line breaks become spaces, and anything longer
    is cut with an ellipsis.
    """
    text = "" if value is None else str(value)
    # Far more than is shown is never read: a 10 MB answer is cut before it is cleaned. What
    # masking can pull into view from past this cut is at most a fragment shorter than PIECE,
    # which is not a secret anywhere else in a text either.
    text = text[: max_length * 4 + PRE_CUT]
    # Substring checks only (this runs for every name of a 100,000-key table when it is sorted);
    # redaction comes before the cut, which could leave a piece too short to be recognised.
    lowered = text.lower()
    if (
        "-lw-" in lowered
        or "bearer" in lowered
        or "basic" in lowered
        or (_probes and _probed(lowered))
        or (not text.isascii() and not _HIDDEN.isdisjoint(text))  # a secret they may split
    ):
        text = redact_secrets(text)
    if text.isascii() and text.isprintable():
        cleaned = text
    else:
        cleaned = "".join(_replace(c) if not c.isprintable() or c in _BIDI else c for c in text)
    if len(cleaned) > max_length:
        return cleaned[: max(0, max_length - 1)] + ELLIPSIS
    return cleaned


def plural(count: int, noun: str = "key") -> str:
    """`1 key`, `3 keys`, `2 batches`: the one place a count gets its noun."""
    if count == 1:
        return f"{count} {noun}"
    ending = "es" if noun.endswith(("ch", "sh", "s", "x")) else "s"
    return f"{count} {noun}{ending}"


# A spreadsheet runs a cell starting with one of these as a formula: key names are hostile.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (`'` before it)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
