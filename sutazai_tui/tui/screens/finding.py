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
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from sutazai_tui.models import Finding
from sutazai_tui.tui.screens.reading import back_keys, edge_keys, scroll_keys
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


def more_below(box: VerticalScroll) -> str:
    """`+N more lines ↓` when the text runs past the bottom of `box`, else nothing."""
    hidden = int(box.max_scroll_y - box.scroll_y)
    return f"+{hidden} more line{'s' if hidden != 1 else ''} ↓ (j, pgdn)" if hidden > 0 else ""


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


class FindingScreen(Screen[None]):
    """One finding in full; `escape` goes back, `c` copies the fix's commands."""

    DEFAULT_CSS = """
    FindingScreen #finding-box { height: 1fr; padding: 0 1; }
    FindingScreen #finding-body { width: 1fr; }
    FindingScreen #finding-more { height: 1; padding: 0 1; background: $panel; }
    """
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
        with VerticalScroll(id="finding-box") as box:
            box.border_title = f"finding: {self.finding.subject}"
            yield Static(self.body, id="finding-body")
        yield Static(id="finding-more")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        """Focus the text (so j/k scroll) and say what does not fit."""
        box = self.query_one("#finding-box", VerticalScroll)
        box.focus()
        self.watch(box, "scroll_y", self._more, init=False)
        self.call_after_refresh(self._more)

    def _more(self) -> None:
        box = self.query_one("#finding-box", VerticalScroll)
        self.query_one("#finding-more", Static).update(more_below(box))

    def action_scroll(self, lines: int) -> None:
        """Scroll by lines."""
        box = self.query_one("#finding-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + lines, animate=False)

    def action_edge(self, end: int) -> None:
        """Top (0) or bottom (1)."""
        box = self.query_one("#finding-box", VerticalScroll)
        (box.scroll_end if end else box.scroll_home)(animate=False)

    def action_copy(self) -> None:
        """The commands (one a line) to the terminal's clipboard (OSC 52); the fix if it has none."""
        text = "\n".join(self.commands) or self.finding.fix
        self.app.copy_to_clipboard(text)
        count = len(self.commands)
        what = f"{count} command{'s' if count != 1 else ''}" if count else "the fix"
        self.notify(f"copied {what} to the clipboard (OSC 52: the terminal must allow it)")

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)

    def action_interrupt(self) -> None:
        """ctrl+c here closes this screen; it quits only from the main screen."""
        self.action_close()
