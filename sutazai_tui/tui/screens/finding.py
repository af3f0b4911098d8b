"""The finding screen (`enter` on a finding): title, severity, since when, the evidence, and the
fix with its commands as their own block — wrapped, never cut, copied with `c` (OSC 52).

It follows the live session: each second it re-reads the finding's story, so severity, evidence
and times stay true while it is read; a finding that clears says when and after how long (its fix
greyed, still readable), one that comes back says so.

The diagnosis writes the fix as prose with the commands in backticks; this screen lifts the
commands out so they can be read and copied whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static

from sutazai_tui.diagnosis.lifetimes import Lifetime, lasted
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


def story_line(life: Lifetime, now: datetime) -> Content:
    """Since when it holds, or when it cleared and after how long; whether it came back."""
    muted = "$text-muted"
    if not life.active:
        assert life.cleared_at is not None
        return Content.assemble(
            ("resolved  ", muted),
            (
                f"resolved at {fmt.local_time(life.cleared_at)} after {lasted(life.lasted_s())}",
                "bold $success",
            ),
            (
                f" ({fmt.since(life.cleared_at, now)} ago; first seen {fmt.local_time(life.first_seen)})",
                muted,
            ),
        )
    line = Content.assemble(
        ("since     ", muted), f"{fmt.local_time(life.since)} ({fmt.since(life.since, now)} ago)"
    )
    if life.returns and life.cleared_before is not None:
        times = "" if life.returns == 1 else f" ({life.returns} times)"
        back = (
            f"\n{'':10}returned{times}: it had cleared at {fmt.local_time(life.cleared_before)}; "
            f"first seen {fmt.local_time(life.first_seen)}"
        )
        line = Content.assemble(line, (back, "bold $warning"))
    return line


def resolved_badge() -> Content:
    """` RESOLVED `: a finding that no longer holds."""
    return Content.styled(" RESOLVED ", "bold $success")


def finding_body(finding: Finding, life: Lifetime | None, now: datetime) -> Content:
    """Everything the screen shows, as one wrapped text (tests and snapshots read this).

    `life` is the finding's story (None: never seen in a cycle, e.g. a test's): a finding that
    cleared keeps its evidence and fix, the fix greyed and its commands marked as not needed now.
    """
    muted = "$text-muted"
    active = life is None or life.active
    badge = (
        severity_badge(finding)
        if active
        else Content.assemble(resolved_badge(), " ", severity_badge(finding))
    )
    parts: list[Content] = [
        Content.assemble(badge, " ", (finding.title, "bold")),
        Content.assemble(("subject   ", muted), finding.subject, ("   id ", muted), finding.id),
    ]
    if life is not None:
        parts.append(story_line(life, now))
    seen = "" if active or life is None else f" (as last seen at {fmt.local_time(life.last_seen)})"
    parts.append(Content.styled(f"\nevidence — what was seen, where, when{seen}", "bold underline"))
    parts.extend(Content(f"• {item}") for item in evidence_items(finding.evidence))
    fix_style = "" if active else muted
    parts.append(
        Content.styled("\nfix" + ("" if active else " (not needed now: it cleared)"), "bold underline")
    )
    parts.append(Content.styled(finding.fix, fix_style))
    commands = fix_commands(finding.fix)
    if commands:
        parts.append(Content.styled("\ncommands (c copies them)", "bold underline"))
        command_style = "bold $accent" if active else muted
        parts.extend(Content.styled(f"$ {command}", command_style) for command in commands)
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

    def __init__(
        self,
        finding: Finding,
        read: Callable[[], Lifetime | None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(id="finding")
        self.finding = finding
        self._read = read or (lambda: None)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.life = self._read()
        self._shown: Content | None = None

    @property
    def commands(self) -> list[str]:
        """The fix's commands, as the latest version of the finding has them."""
        return fix_commands(self.finding.fix)

    @property
    def body(self) -> Content:
        """What the screen shows now."""
        return finding_body(self.finding, self.life, self._clock())

    def compose(self) -> ComposeResult:
        """The finding, a "+N more" line, footer."""
        yield from self.compose_reading(f"finding: {self.finding.subject}", self.body)

    def on_mount(self) -> None:
        """Focus the text (so j/k scroll), say what does not fit, follow the session each second."""
        self.start_reading()
        self.call_after_refresh(self.show_more)
        self.set_interval(1.0, self.refresh_body)

    def refresh_body(self) -> None:
        """Re-read the finding's story (severity, evidence, times) and repaint if it changed."""
        if not self.is_attached:
            return
        life = self._read()
        if life is not None:
            self.life, self.finding = life, life.finding
        target = next(self.query("#finding-body").results(Static), None)
        if target is None:  # the app is closing under us
            return
        body = self.body
        if body != self._shown:
            self._shown = body
            target.update(body)
            self.call_after_refresh(self.show_more)

    def action_copy(self) -> None:
        """The commands (one a line) to the terminal's clipboard (OSC 52); the fix if it has none."""
        text = "\n".join(self.commands) or self.finding.fix
        self.app.copy_to_clipboard(text)
        count = len(self.commands)
        what = f"{count} command{'s' if count != 1 else ''}" if count else "the fix"
        self.notify(f"copied {what} to the clipboard (OSC 52: the terminal must allow it)", markup=False)
