"""The finding screen (`enter` on a finding): title, severity, since when, the evidence, and the
fix with its commands as their own block — wrapped, never cut, copied with `c` (OSC 52).

The diagnosis writes the fix as prose with the commands in backticks; this screen lifts the
commands out so they can be read and copied whole.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content

from sutazai_tui.models import Finding
from sutazai_tui.tui.screens.reading import ReadingScreen, back_keys, edge_keys, scroll_keys
from sutazai_tui.tui.widgets.findings import severity_badge
from sutazai_tui.util import fmt

_TICKED = re.compile(r"`([^`]+)`")
# A command: a program name and at least two arguments. `C` (a key), `docker run` (a verb in the
# prose) and `-e NAME=…` (an option) are not commands to copy.
_COMMAND = re.compile(r"^[a-z][\w.-]*(/[\w.-]+)*( \S+){2,}")


def fix_commands(fix: str) -> list[str]:
    """The shell commands quoted in a fix, in order, each once."""
    found: list[str] = []
    for text in _TICKED.findall(fix):
        if _COMMAND.match(text) and text not in found:
            found.append(text)
    return found


def evidence_items(evidence: str) -> list[str]:
    """The evidence's parts (the diagnosis joins what it saw with "; ")."""
    return [part.strip() for part in evidence.split("; ") if part.strip()]


def finding_body(finding: Finding, since: datetime | None, now: datetime) -> Content:
    """Everything the screen shows, as one wrapped text (tests and snapshots read this)."""
    muted = "$text-muted"
    parts: list[Content] = [
        Content.assemble(
            severity_badge(finding),
            " ",
            (finding.title, "bold"),
        ),
        Content.assemble(("subject   ", muted), finding.subject, ("   id ", muted), finding.id),
    ]
    if since is not None:
        parts.append(
            Content.assemble(("since     ", muted), f"{fmt.local_time(since)} ({fmt.since(since, now)} ago)")
        )
    parts.append(Content.styled("\nevidence — what was seen, where, when", "bold underline"))
    parts.extend(Content(f"• {item}") for item in evidence_items(finding.evidence))
    parts.append(Content.styled("\nfix", "bold underline"))
    parts.append(Content(finding.fix))
    commands = fix_commands(finding.fix)
    if commands:
        parts.append(Content.styled("\ncommands (c copies them)", "bold underline"))
        parts.extend(Content.styled(f"$ {command}", "bold $accent") for command in commands)
    return Content("\n").join(parts)


class FindingScreen(ReadingScreen):
    """One finding in full; `escape` goes back, `c` copies the fix's commands."""

    DEFAULT_CSS = """
    FindingScreen #finding-box { height: 1fr; padding: 0 1; }
    FindingScreen #finding-body { width: 1fr; }
    FindingScreen #finding-more { height: 1; padding: 0 1; background: $panel; }
    """
    SCOPE = "finding"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy fix", id="finding.copy"),
        *scroll_keys("finding"),
        *edge_keys("finding"),
        *back_keys("finding"),
    ]

    def __init__(self, finding: Finding, since: datetime | None, now: datetime) -> None:
        super().__init__(id="finding")
        self.finding, self.since, self.now = finding, since, now
        self.commands = fix_commands(finding.fix)

    @property
    def body(self) -> Content:
        """What the screen shows."""
        return finding_body(self.finding, self.since, self.now)

    def compose(self) -> ComposeResult:
        """The finding, a "+N more" line, footer."""
        yield from self.compose_reading(f"finding: {self.finding.subject}", self.body)

    def on_mount(self) -> None:
        """Focus the text (so j/k scroll) and say what does not fit."""
        self.start_reading()
        self.call_after_refresh(self.show_more)

    def action_copy(self) -> None:
        """The commands (one a line) to the terminal's clipboard (OSC 52); the fix if it has none."""
        text = "\n".join(self.commands) or self.finding.fix
        self.app.copy_to_clipboard(text)
        count = len(self.commands)
        what = f"{count} command{'s' if count != 1 else ''}" if count else "the fix"
        self.notify(f"copied {what} to the clipboard (OSC 52: the terminal must allow it)", markup=False)
