"""Keeping secrets off the screen, out of files and logs.

Everything a backend says is shown through `Redactor.clean`: a hostile or buggy backend may echo
the Authorization header back, and that must not reach a panel, a snapshot or a recording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "•••"
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]{4,}")
_PRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class Redactor:
    """Replaces known secret values, and anything that looks like a bearer credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def clean(self, text: str, limit: int = 300) -> str:
        """The text with secrets masked, control characters dropped, cut to `limit` characters."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
        text = _PRINTABLE.sub(" ", text).strip()
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def clean_optional(self, text: str | None, limit: int = 300) -> str | None:
        """`clean` for values that may be absent."""
        return None if text is None else self.clean(text, limit)
