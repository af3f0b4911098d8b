"""The one boundary for text from outside: control, escape and bidi characters made visible.

Everything the monitor shows or writes comes from somewhere else (the backend's JSON and headers,
the engine's names, labels and logs, Prometheus labels, recordings and budget files read back).
It is cleaned here, where it enters, so no later surface has to think about it (docs/security.md):

- C0 controls (but tab) and DEL become their Control Pictures stand-in: ESC is `␛`, BEL `␇`, so an
  escape sequence (`ESC]52;…` writing the clipboard, `ESC[2J` clearing the screen) is shown, inert;
- C1 controls (U+0080–U+009F: CSI, OSC, ST as single characters) and the bidi overrides, embeddings,
  isolates and marks (U+202E turns the rest of a line around) are shown as their escape, `\\u202e`;
- a lone surrogate (undecodable bytes carried through) becomes U+FFFD;
- a newline (or CR, or U+2028/U+2029) is kept only in a multi-line field (`multiline=True`, CR LF
  becomes LF); in a one-line field it is `␤`, so a backend's text cannot forge a line of `check`.

Printable text (letters, punctuation, emoji, other scripts, markup brackets) is never changed, and
cleaning twice changes nothing more than cleaning once. Markup is the UI's business: text is never
parsed as markup there (tui/literal.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NEWLINE = "␤"
# Bidi formatting characters: ALM, LRM, RLM, the embeddings/overrides LRE..RLO, the isolates LRI..PDI.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DANGER = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{BIDI}\u2028\u2029\ud800-\udfff]")
_ANY_BREAK = re.compile("\r\n|[\n\r\u2028\u2029\x85]")


def _stand_in(char: str) -> str:
    """The visible, inert form of one dangerous character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␀ … ␟ (ESC is ␛)
    if code == 0x7F:
        return "␡"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _replace(match: re.Match[str]) -> str:
    return _stand_in(match.group())


def clean(text: str, multiline: bool = False) -> str:
    """`text` with every control, escape and bidi character replaced by a visible stand-in.

    Tab stays. Line breaks stay (as `\\n`) only when `multiline`; otherwise each is `␤`.
    """
    if multiline:
        return "\n".join(_DANGER.sub(_replace, part) for part in _ANY_BREAK.split(text))
    return _DANGER.sub(_replace, _ANY_BREAK.sub(NEWLINE, text))


def clean_line(text: str, limit: int = 0) -> str:
    """One line of outside text (a log line, a label, a reason): `clean`, cut to `limit` when set."""
    text = clean(text)
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def is_clean(text: str, multiline: bool = False) -> bool:
    """Whether `text` holds nothing `clean` would replace (a test's and a reader's check)."""
    return clean(text, multiline) == text


def decode(raw: bytes, multiline: bool = False) -> str:
    """Bytes from outside as clean text: invalid UTF-8 becomes U+FFFD, then `clean`."""
    return clean(raw.decode("utf-8", errors="replace"), multiline)


def clean_tree(value: Any, multiline: bool = False) -> Any:
    """Every string in a JSON-like value cleaned (keys too); other values as they are."""
    if isinstance(value, str):
        return clean(value, multiline)
    if isinstance(value, Mapping):
        return {clean_tree(k, multiline): clean_tree(v, multiline) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v, multiline) for v in value]
    return value
