"""Keeping secrets off the screen, out of files and logs.

Everything a backend says is shown through `Redactor.clean`: a hostile or buggy backend may echo
the Authorization header back, and that must not reach a panel, a snapshot or a recording.
Log lines get `Redactor.clean_log` on top: a log may print `JWT_SECRET_KEY=…`, a database URL with
its password, or pydantic's `input_value=` with every setting it was given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sutazai_tui.util.clean import clean as clean_text

MASK = "•••"
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]{4,}")
# A name that holds a secret by its name: SECRET_KEY, JWT_SECRET, DB_PASSWORD, API_TOKEN, ...
SECRET_NAME = re.compile(r"(?i)(secret|passw|pwd|token|api_?key|private|credential|key$)")
# NAME=value / NAME: value / "name": "value" for such a name; the value is masked, the name kept.
_ASSIGN = re.compile(
    r"""(?ix)
    (?<![A-Za-z0-9_])
    (?P<name>[A-Za-z0-9_]*(?:secret|passw(?:or)?d?|pwd|token|api_?key|private_?key|credential)[A-Za-z0-9_]*
      |[A-Za-z0-9_]*key)
    (?P<sep>["']?\s*[=:]\s*)
    (?P<value>"[^"]*"|'[^']*'|[^\s,;&)}\]]+)
    """
)
# scheme://user:password@host — the password goes.
_URL_CREDS = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)([^@\s]+)(@)")
# pydantic's ValidationError repeats the input it was given: settings and env values.
_INPUT_VALUE = re.compile(r"(input_value=)(\{.*?\}|\[.*?\]|'[^']*'|\"[^\"]*\"|[^,\]\s]+)")


_NOT_A_SECRET = frozenset({"null", "None", "true", "false", '""', "''"})


def _masked_assignment(m: re.Match[str]) -> str:
    """`name=•••`; a quoted value keeps its quotes (`"token": "•••"` stays valid JSON)."""
    value = m.group("value")
    if value in _NOT_A_SECRET:  # `"token": null`: nothing is set, nothing to hide
        return m.group(0)
    quote = value[0] if value[0] in "\"'" else ""
    return m.group("name") + m.group("sep") + quote + MASK + quote


def mask_url_credentials(text: str) -> str:
    """`scheme://user:password@host` with the password masked, wherever it stands in `text`."""
    return _URL_CREDS.sub(lambda m: m.group(1) + MASK + m.group(3), text)


def is_secret_name(name: str) -> bool:
    """Whether an env var's name says it holds a secret (SECRET_KEY, JWT_SECRET, REDIS_PASSWORD…)."""
    return bool(SECRET_NAME.search(name))


class Redactor:
    """Replaces known secret values, and anything that looks like a bearer credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def with_secrets(self, more: Iterable[str]) -> Redactor:
        """A redactor that also masks `more` (e.g. a container's secret env values, never stored)."""
        return Redactor([*self._secrets, *more])

    def clean(self, text: str, limit: int = 300, multiline: bool = False) -> str:
        """The text with secrets masked, control characters made visible (util/clean.py), outer blanks
        dropped, cut to `limit` characters. Line breaks stay only when `multiline`."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
        text = clean_text(text, multiline).strip()
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def clean_log(self, text: str, limit: int = 300) -> str:
        """`clean` for a log line: also masks secret-named assignments, URL passwords, pydantic input."""
        for secret in self._secrets:  # before the patterns, so a known value is masked whole
            text = text.replace(secret, MASK)
        text = _ASSIGN.sub(_masked_assignment, text)
        text = mask_url_credentials(text)
        text = _INPUT_VALUE.sub(lambda m: m.group(1) + MASK, text)
        return self.clean(text, limit)

    def clean_optional(self, text: str | None, limit: int = 300) -> str | None:
        """`clean` for values that may be absent."""
        return None if text is None else self.clean(text, limit)
