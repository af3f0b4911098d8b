"""The finding screen (`enter` on a finding): title, severity, since when, the evidence, and the
fix with its commands as their own block — one a line, never wrapped (a wrapped command copied
by mouse runs half of itself), scrolled sideways; `c` copies them (OSC 52) and writes them to a
file it names.

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
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from sutazai_tui.diagnosis.lifetimes import Lifetime, lasted
from sutazai_tui.models import Finding
from sutazai_tui.tui.literal import content
from sutazai_tui.tui.screens.reading import ReadingScreen, back_keys, edge_keys, scroll_keys, side_keys
from sutazai_tui.tui.widgets.findings import severity_badge
from sutazai_tui.tui.widgets.notice_bar import NoticeBar
from sutazai_tui.util import fmt
from sutazai_tui.util.safefile import ensure_dir, write_private

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


# Longer than this, a command quoted in the prose could wrap at 80 columns: the prose points at its
# line in the commands block instead, so no screen line holds part of a command.
INLINE_MAX = 40


def fix_prose(fix: str) -> str:
    """The fix as the screens show it: each long quoted command replaced by `(command N below)`,
    its place in the commands block (where it is one line, never wrapped)."""
    commands = fix_commands(fix)

    def point(match: re.Match[str]) -> str:
        text = match.group(1)
        if text in commands and len(text) > INLINE_MAX:
            return f"(command {commands.index(text) + 1} below)"
        return match.group(0)

    return _TICKED.sub(point, fix)


def evidence_items(evidence: str) -> list[str]:
    """The evidence's parts (the diagnosis joins what it saw with "; ")."""
    return [part.strip() for part in evidence.split("; ") if part.strip()]


def story_line(life: Lifetime, now: datetime) -> Content:
    """Since when it holds, or when it cleared and after how long; whether it came back."""
    muted = "$text-muted"
    if not life.active:
        assert life.cleared_at is not None
        return Content.assemble(
            ("now       ", muted),
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


def finding_text(finding: Finding, life: Lifetime | None, now: datetime) -> Content:
    """The wrapped part: headline, story, evidence and the fix's prose.

    `life` is the finding's story (None: never seen in a cycle, e.g. a test's): a finding that
    cleared keeps its evidence and fix, the fix greyed.
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
    parts.append(Content.styled(fix_prose(finding.fix), fix_style))
    return Content("\n").join(parts)


def commands_block(finding: Finding, active: bool = True) -> Content:
    """The fix's commands, one a line, never wrapped (the screen scrolls sideways: ← →)."""
    commands = fix_commands(finding.fix)
    if not commands:
        return Content("")
    style = "bold $accent" if active else "$text-muted"
    lines = [Content.styled("\ncommands, in order, one a line (c copies them; ← → scroll)", "bold underline")]
    lines += [Content.styled(f"$ {command}", style) for command in commands]
    return Content("\n").join(lines)


def finding_body(finding: Finding, life: Lifetime | None, now: datetime) -> Content:
    """Everything the screen shows, as one text (tests read this)."""
    active = life is None or life.active
    return Content("\n").join([finding_text(finding, life, now), commands_block(finding, active)]).rstrip()


def fix_file_text(finding: Finding, commands: list[str]) -> str:
    """What `c` writes beside copying: the commands as a shell script to read, then run by hand."""
    head = [
        "#!/bin/sh",
        f"# sutazai-tui: the fix of finding {finding.id} about {finding.subject}",
        f"# {finding.title}",
        "# Read before running; each line is one command.",
    ]
    return "\n".join([*head, *commands]) + "\n"


class FixWritten(Message):
    """The fix's commands were written to `path` (or could not be: `error`)."""

    def __init__(self, what: str, path: Path | None, error: str | None = None) -> None:
        super().__init__()
        self.what, self.path, self.error = what, path, error


class FindingScreen(ReadingScreen):
    """One finding in full; `escape` goes back, `c` copies the fix's commands and writes them to a file."""

    DEFAULT_CSS = """
    FindingScreen #finding-box { height: 1fr; padding: 0 1; overflow-x: auto; }
    FindingScreen #finding-body { width: 1fr; }
    FindingScreen #finding-commands { width: auto; text-wrap: nowrap; }
    FindingScreen #finding-more { height: 1; padding: 0 1; background: $panel; }
    """
    SCOPE = "finding"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "copy",
            "Copy fix",
            tooltip="Copy the fix's commands (OSC 52) and write them to a file",
            id="finding.copy",
        ),
        *scroll_keys("finding"),
        *side_keys("finding"),
        *edge_keys("finding"),
        *back_keys("finding"),
    ]

    def __init__(
        self,
        finding: Finding,
        read: Callable[[], Lifetime | None] | None = None,
        clock: Callable[[], datetime] | None = None,
        fix_dir: Path | None = None,
    ) -> None:
        super().__init__(id="finding")
        self.finding = finding
        self._read = read or (lambda: None)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.fix_dir = fix_dir  # where `c` writes the commands; None: nowhere
        self.life = self._read()
        self._shown: tuple[Content, Content] | None = None

    @property
    def commands(self) -> list[str]:
        """The fix's commands, as the latest version of the finding has them."""
        return fix_commands(self.finding.fix)

    @property
    def active(self) -> bool:
        """Whether the finding still holds."""
        return self.life is None or self.life.active

    @property
    def body(self) -> Content:
        """What the screen shows now."""
        return finding_body(self.finding, self.life, self._clock())

    def _parts(self) -> tuple[Content, Content]:
        return finding_text(self.finding, self.life, self._clock()), commands_block(self.finding, self.active)

    def compose(self) -> ComposeResult:
        """The finding's text (wrapped), its commands (never wrapped), a "+N more" line, footer."""
        text, commands = self._parts()
        with VerticalScroll(id="finding-box") as box:
            box.border_title = content(f"finding: {self.finding.subject}")
            yield Static(text, id="finding-body")
            yield Static(commands, id="finding-commands")
        yield Static(id="finding-more")
        yield NoticeBar()
        yield Footer(show_command_palette=False)

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
        text = next(self.query("#finding-body").results(Static), None)
        commands = next(self.query("#finding-commands").results(Static), None)
        if text is None or commands is None:  # the app is closing under us
            return
        parts = self._parts()
        if parts != self._shown:
            self._shown = parts
            text.update(parts[0])
            commands.update(parts[1])
            self.repainted()

    def action_copy(self) -> None:
        """The commands (one a line) to the terminal's clipboard (OSC 52) and to a file; the fix's
        prose if it has no command. Says what was done, not more: OSC 52 is sent, whether the
        terminal takes it is not known here."""
        commands = self.commands
        text = "\n".join(commands) or self.finding.fix
        self.app.copy_to_clipboard(text)
        count = len(commands)
        what = f"{count} command{'s' if count != 1 else ''}" if count else "the fix"
        if self.fix_dir is None:
            self.post_message(FixWritten(what, None))
            return
        self._write_fix(what, commands or [f"# {self.finding.fix}"])

    @work(thread=True, exit_on_error=False, group="fix-file")
    def _write_fix(self, what: str, commands: list[str]) -> None:
        assert self.fix_dir is not None
        name = re.sub(r"[^\w.-]+", "_", f"{self.finding.id}-{self.finding.subject}") + ".sh"
        try:
            ensure_dir(self.fix_dir)
            path = write_private(self.fix_dir / name, fix_file_text(self.finding, commands))
        except OSError as exc:
            self.post_message(FixWritten(what, None, exc.strerror or str(exc)))
            return
        self.post_message(FixWritten(what, path))

    @on(FixWritten)
    def _fix_written(self, message: FixWritten) -> None:
        sent = f"sent {message.what} to the terminal's clipboard (OSC 52; tmux needs `set-clipboard on`)"
        if message.path is not None:
            self.notify(f"{sent}; also written to\n{message.path}", timeout=15, markup=False)
        elif message.error is not None:
            self.notify(
                f"{sent}; could not write them to a file: {message.error}", severity="warning", markup=False
            )
        else:
            self.notify(sent, markup=False)
