"""Markdown for the incident report (records/report.py): outside text escaped so it renders as
itself (no link, image, HTML or table cell of its own), redacted, and the report's lines collected.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sutazai_tui.util.clean import clean
from sutazai_tui.util.redact import Redactor

_NO_LIMIT = 1 << 30

# Markdown that outside text must not make: links and images (`[`, `]`, `!`), raw HTML and autolinks
# (`<`, `&` entities), code spans, emphasis, strikethrough, table cells. Each is backslash-escaped,
# which CommonMark shows as the character itself. A bare URL is defanged (`https\[:\]//…`), the
# convention for links in incident notes: GitHub would otherwise make a link of it.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>!|~&])")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(://)|\b(www)\.")


def markdown_text(text: str) -> str:
    """Outside text as Markdown that renders as the text itself, on one line: no link, image, HTML."""
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(1), text.replace("\n", " "))
    return _AUTOLINK.sub(lambda m: "\\[:\\]//" if m.group(1) else m.group(2) + "\\[.\\]", text)


def markdown_code(text: str, table: bool = False) -> str:
    """Outside text as a code span (never a link, whatever it holds), fenced past its own backticks."""
    text = text.replace("\n", " ")
    runs = [len(r) for r in re.findall("`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if table:  # a pipe would end the table cell, inside a code span too (GFM)
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


class Writer:
    """Markdown lines with every piece of outside text escaped and redacted."""

    def __init__(self, redactor: Redactor | None, multi_day: bool) -> None:
        self.lines: list[str] = []
        self.redactor = redactor
        self.fmt = "%Y-%m-%d %H:%M:%S" if multi_day else "%H:%M:%S"

    def _plain(self, value: Any) -> str:
        text = "—" if value is None or value == "" else str(value)
        if self.redactor is not None:
            text = self.redactor.clean(text, _NO_LIMIT)
        return clean(text)  # a report written without a redactor is still free of escapes

    def esc(self, value: Any) -> str:
        """Outside text for prose and table cells (markdown_text)."""
        return markdown_text(self._plain(value))

    def code(self, value: Any, table: bool = False) -> str:
        """Outside text as a code span (markdown_code)."""
        return markdown_code(self._plain(value), table)

    def t(self, when: datetime | None) -> str:
        return "—" if when is None else when.astimezone(UTC).strftime(self.fmt)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)
