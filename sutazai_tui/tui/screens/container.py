"""The container screen (`enter` on a row): its state block, the last health-probe output, its
findings in full, and keys to its logs, inspect and actions; `escape` goes back.

It follows the Dashboard: each second it re-reads the container from the snapshot on screen and
its findings' stories (since when; resolved when, greyed), so an action taken from here shows its
effect here. The actions themselves are the Dashboard's (the
table's cursor stays on this container), so they keep their confirmations and audit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from sutazai_tui.diagnosis.lifetimes import Lifetime, key_of
from sutazai_tui.models import ContainerStats, Finding, container_reason, container_state
from sutazai_tui.tui.literal import content
from sutazai_tui.tui.screens.finding import (
    evidence_items,
    fix_commands,
    fix_prose,
    resolved_badge,
    story_line,
)
from sutazai_tui.tui.screens.reading import ReadingScreen, back_keys, edge_keys, scroll_keys, side_keys
from sutazai_tui.tui.widgets.findings import severity_badge, worst_first
from sutazai_tui.tui.widgets.notice_bar import NoticeBar
from sutazai_tui.tui.widgets.state_style import state_word
from sutazai_tui.util import fmt

if TYPE_CHECKING:
    from sutazai_tui.sources.engine.details import ContainerDetails

MUTED = "$text-muted"


def state_rows(c: ContainerStats, now: datetime) -> list[tuple[str, str]]:
    """The state block (also the inspect screen's first section): label, value."""
    exit_code = fmt.DASH if c.exit_code is None else str(c.exit_code)
    up = c.started_at
    started = f"{fmt.local_time(up)} ({fmt.since(up, now)} ago)" if up else fmt.DASH
    rows = [
        ("docker", c.state + (f", health {c.health}" if c.health else "")),
        ("exit code", exit_code),
        ("started", started),
        ("finished", fmt.local_time(c.finished_at) if c.finished_at else fmt.DASH),
        ("restarts", f"{c.restart_count} restart{'s' if c.restart_count != 1 else ''}"),
        ("OOM-killed", "YES: out of memory" if c.oom_killed else "no"),
        ("image", c.image or fmt.DASH),
    ]
    return rows


# A piece of the screen and whether it wraps: prose does, a fix's commands never do (one a line,
# the screen scrolls sideways), so a command copied off the screen is the whole command.
Part = tuple[Content, bool]


def finding_parts(f: Finding, life: Lifetime | None = None, now: datetime | None = None) -> list[Part]:
    """One finding in full: headline, since when (or resolved when), evidence, fix (wrapped), then
    its commands (never wrapped).

    A finding that cleared keeps its evidence and fix, greyed: what it was is still readable.
    """
    active = life is None or life.active
    badge = severity_badge(f) if active else Content.assemble(resolved_badge(), " ", severity_badge(f))
    fix_style, command_style = ("", "bold $accent") if active else (MUTED, MUTED)
    lines = [Content.assemble(badge, " ", (f.title, "bold"))]
    if life is not None and now is not None:
        lines.append(Content.assemble("  ", story_line(life, now)))
    lines += [
        *(Content.assemble(("  seen ", MUTED), item) for item in evidence_items(f.evidence)),
        Content.assemble(("  fix  ", MUTED), (fix_prose(f.fix), fix_style)),
    ]
    parts: list[Part] = [(Content("\n").join(lines), True)]
    commands = [Content.styled(f"  $ {cmd}", command_style) for cmd in fix_commands(f.fix)]
    if commands:
        parts.append((Content("\n").join(commands), False))
    return parts


def container_parts(
    c: ContainerStats,
    findings: Sequence[Finding | Lifetime],
    probe: str,
    now: datetime,
) -> list[Part]:
    """Everything the screen shows, in pieces: the holding findings first, worst first, then the
    ones that cleared, latest first."""
    lives = [f if isinstance(f, Lifetime) else None for f in findings]
    holding = worst_first(
        [f for f in findings if isinstance(f, Finding)] + [x.finding for x in lives if x and x.active]
    )
    cleared = sorted(
        (x for x in lives if x and not x.active), key=lambda x: x.cleared_at or now, reverse=True
    )
    by_key = {key_of(x.finding): x for x in lives if x is not None}
    state = container_state(c)
    head = Content.assemble((c.name, "bold"), "  ", state_word(state), "  ", container_reason(c))
    rows = [Content.assemble((f"{k:<11}", MUTED), v) for k, v in state_rows(c, now)]
    rows.append(Content.assemble((f"{'last probe':<11}", MUTED), probe))
    title = f"\nfindings ({len(holding)})" + (f", {len(cleared)} resolved" if cleared else "")
    top = [head, *rows, Content.styled(title, "bold underline")]
    if not holding and not cleared:
        top.append(Content("none"))
    parts: list[Part] = [(Content("\n").join(top), True)]
    for f in holding:
        parts += finding_parts(f, by_key.get(key_of(f)), now)
    for x in cleared:
        parts += finding_parts(x.finding, x, now)
    return parts


class ProbeRead(Message):
    """The health-check lines of the container's inspect (or why they could not be read)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ContainerScreen(ReadingScreen):
    """One container; `act(action)` runs a Dashboard action on it (logs, inspect, stop, …)."""

    DEFAULT_CSS = """
    ContainerScreen #container-box { height: 1fr; padding: 0 1; overflow-x: auto; }
    ContainerScreen #container-box .part { width: 1fr; }
    ContainerScreen #container-box .part.-commands { width: auto; text-wrap: nowrap; }
    ContainerScreen #container-more { height: 1; padding: 0 1; background: $panel; }
    """
    SCOPE = "container"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "act('logs')", "Logs", id="container.logs"),
        Binding("i", "act('inspect')", "Inspect", id="container.inspect"),
        Binding("x", "act('stop_container')", "Stop", id="container.stop"),
        Binding("R", "act('restart_container')", "Restart", id="container.restart"),
        Binding("C", "act('recreate_container')", "Recreate", show=False, id="container.recreate"),
        *scroll_keys("container"),
        *side_keys("container"),
        *edge_keys("container"),
        *back_keys("container"),
    ]

    def __init__(
        self,
        name: str,
        read: Callable[[], tuple[ContainerStats | None, Sequence[Finding | Lifetime]]],
        clock: Callable[[], datetime],
        act: Callable[[str], None],
        can: Callable[[str], bool],
        details: ContainerDetails | None = None,
    ) -> None:
        super().__init__(id="container")
        self.container_name, self._read, self._clock, self._act, self._can = name, read, clock, act, can
        self.details = details
        self.probe = "(reading)" if details is not None else "not available here"
        self._shown: list[Part] | None = None

    def compose(self) -> ComposeResult:
        """The container (its pieces are mounted by `refresh_body`), "+N more", footer."""
        with VerticalScroll(id="container-box") as box:
            box.border_title = content(f"container {self.container_name}")
        yield Static(id="container-more")
        yield NoticeBar()
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        """Paint, follow the Dashboard each second, read the health probe in a thread."""
        self.start_reading()
        self.refresh_body()
        self.set_interval(1.0, self.refresh_body)
        if self.details is not None:
            self._probe()

    @property
    def parts(self) -> list[Part]:
        """What the screen shows now, in pieces (prose wraps, commands never)."""
        c, findings = self._read()
        if c is None:
            return [(Content(f"{self.container_name} is no longer listed by the engine"), True)]
        return container_parts(c, findings, self.probe, self._clock())

    @property
    def body(self) -> Content:
        """What the screen shows now, as one text."""
        return Content("\n").join(text for text, _ in self.parts)

    def refresh_body(self) -> None:
        """Repaint if what it shows changed: one Static a piece, reused, more mounted as needed."""
        if not self.is_attached:
            return
        box = next(self.query("#container-box").results(VerticalScroll), None)
        if box is None:  # the app is closing under us: the widgets are gone
            return
        parts = self.parts
        if parts == self._shown:
            return
        self._shown = parts
        pieces = list(box.query_children(Static))
        if len(pieces) < len(parts):
            more = [Static(classes="part") for _ in range(len(parts) - len(pieces))]
            box.mount_all(more)
            pieces += more
        for piece, (text, wraps) in zip(pieces, parts, strict=False):
            piece.update(text)
            piece.set_class(not wraps, "-commands")
            piece.display = True
        for piece in pieces[len(parts) :]:
            piece.display = False
        self.repainted()

    @work(thread=True, exit_on_error=False, group="probe")
    def _probe(self) -> None:
        assert self.details is not None
        try:
            view = self.details.inspect(self.container_name)
        except Exception as exc:  # one line on the screen, never a crash
            self.post_message(ProbeRead(f"could not read: {exc}"))
            return
        lines = dict(view.sections).get("health check", ("none",))
        probe = [ln.removeprefix("last probe: ") for ln in lines if ln.startswith("last probe")]
        checks = "; ".join(ln for ln in lines if not ln.startswith("status"))
        self.post_message(ProbeRead(probe[-1] if probe else f"no probe output recorded ({checks})"))

    @on(ProbeRead)
    def _probe_read(self, message: ProbeRead) -> None:
        self.probe = message.text
        self.refresh_body()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions the Dashboard has (a replay has no logs or stop): shown and working; others hidden."""
        if action == "act":
            return self._can(str(parameters[0]))
        return True

    def action_act(self, action: str) -> None:
        """Run the Dashboard's action on this container."""
        self._act(action)
