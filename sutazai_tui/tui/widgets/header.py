"""The top line: badges, what is watched, the last cycle and the countdown to the next."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.strip import Strip
from textual.widget import Widget

from sutazai_tui.models import Snapshot
from sutazai_tui.util import fmt


@dataclass(frozen=True)
class TargetTab:
    """One `[[targets]]` entry in the header: its key, name, and whether it is shown or in trouble."""

    key: int
    name: str
    current: bool = False
    trouble: bool = False  # its latest verdict is not OK: marked even while another is shown


@dataclass(frozen=True)
class HeaderView:
    """Everything the header shows; equal views mean nothing to repaint."""

    target: str
    engine: str
    snapshot: Snapshot | None = None
    countdown: float | None = None
    polling: bool = False
    paused: bool = False
    read_only: bool = False
    replay: bool = False
    demo: bool = False
    demo_position: str | None = None  # the demo's scenario and where in it: `incident 2/4 emergency…`
    stale_reason: str | None = None
    replay_position: str | None = None  # recorded time, frame i/n, speed: what the replay shows
    recording: str | None = None  # after REC: the file's size, or why recording stopped
    recording_ok: bool = True
    tabs: tuple[TargetTab, ...] = ()  # empty without [[targets]]
    heal: tuple[str, str, str] = (
        "",
        "",
        "",
    )  # a heal process for this deployment: badge, last hour, breakers


# Above this many seconds the countdown moves in COARSE_STEP steps: each repaint costs ~2 ms of
# Textual's time, and a repaint every second alone was 0.2 % of a core (bench/tui.py).
FINE_BELOW_S = 10
COARSE_STEP_S = 5
DRAWN_KEPT = 32  # lines a header part keeps drawn: the countdown's texts, and the main line's last


def shown_countdown(seconds: float) -> int:
    """Whole seconds to show: exact in the last 10 s, else rounded up to 5 s (fewer repaints)."""
    whole = math.ceil(seconds)
    if whole <= FINE_BELOW_S:
        return whole
    return math.ceil(whole / COARSE_STEP_S) * COARSE_STEP_S


def short_engine(address: str) -> str:
    """A socket path cut to its file name: the header has 80 columns to share."""
    if address.startswith("unix://"):
        return "unix:" + address.rsplit("/", 1)[-1]
    return address


def _badge(word: str, variable: str) -> Content:
    # A coloured block; in monochrome the filled background still sets it apart from the text.
    return Content.styled(f" {word} ", f"bold $text on ${variable}")


class _Line(Widget):
    """One piece of the header; repaints only when its own text changed."""

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.content = Content("")
        # The countdown shows a handful of texts over and over: each drawn once (per width and style).
        self._drawn: dict[tuple[object, ...], Strip] = {}

    def set(self, content: Content) -> None:
        """New text; no repaint when equal."""
        if content != self.content:
            self.content = content
            self.refresh()

    def render(self) -> Content:
        """The current text."""
        return self.content

    def render_line(self, y: int) -> Strip:
        """The line as drawn before for the same text, spans, width and style, else drawn now."""
        if self.text_selection is not None:  # the mouse selects in it: drawn with the selection
            return super().render_line(y)
        content = self.content
        key = (y, content.plain, tuple(content.spans), self.size.width, self.visual_style)
        strip = self._drawn.get(key)
        if strip is None:
            if len(self._drawn) >= DRAWN_KEPT:
                self._drawn.clear()
            strip = self._drawn[key] = super().render_line(y)
        return strip

    def notify_style_update(self) -> None:
        """A theme or CSS change: drawn again."""
        super().notify_style_update()
        self._drawn = {}


def tabs_line(tabs: tuple[TargetTab, ...]) -> Content:
    """`[1 prod] 2 staging!`: the shown target in brackets, a `!` on any target that is not OK."""
    parts: list[Content] = []
    for tab in tabs:
        label = f"{tab.key} {tab.name}" + ("!" if tab.trouble else "")
        text = f"[{label}]" if tab.current else label
        style = "bold $error" if tab.trouble else ("bold $accent" if tab.current else "$text-muted")
        parts.append(Content.styled(text, style))
    return Content(" ").join(parts)


def heal_part(badge: str, summary: str, breakers: str) -> Content:
    """`HEAL 1 restart in 1h breaker open: x`: a heal process acts (or did) on this deployment."""
    colour = "error" if breakers else ("success" if badge == "HEAL" else "warning")
    parts = [_badge(badge, colour), Content.styled(summary, "$text-muted")]
    if breakers:
        parts.append(Content.styled(breakers, "bold $error"))
    return Content(" ").join(parts)


def main_line(view: HeaderView) -> Content:
    """Badges first, so they survive truncation on a narrow terminal, then the last cycle's time
    and why it is stale; the URL and the engine last."""
    parts: list[Content] = []
    if view.replay:
        parts.append(_badge("REPLAY", "accent"))
        if view.replay_position:
            parts.append(Content.styled(view.replay_position, "bold $accent"))
    if view.recording is not None:
        parts.append(_badge(f"REC {view.recording}", "success" if view.recording_ok else "error"))
    if view.demo:
        parts.append(_badge("DEMO", "accent"))
    if view.stale_reason is not None:
        parts.append(_badge("STALE", "warning"))
    if view.paused:
        parts.append(_badge("PAUSED", "primary"))
    if view.read_only:
        parts.append(_badge("READ-ONLY", "secondary"))
    if view.heal[0]:
        parts.append(heal_part(*view.heal))
    if view.tabs:
        parts.append(tabs_line(view.tabs))
    # Freshness before the URL: at 80 columns the URL is what an ellipsis may cut, never the time.
    snap = view.snapshot
    if snap is None:
        parts.append(Content.styled("waiting for the first poll", "$text-muted"))
    else:
        when = fmt.local_time(snap.taken_at)
        parts.append(Content(f"#{snap.cycle} {when} {fmt.millis(snap.duration_ms)}"))
    if view.stale_reason is not None:  # before the URL: at 80 columns the URL is what may be cut
        parts.append(Content.styled(f"stale: {view.stale_reason}", "$warning"))
    if view.demo and view.demo_position:  # after the badges and the time: they must survive 80 columns
        parts.append(Content.styled(view.demo_position, "bold $accent"))
    parts.append(Content.styled(view.target, "bold"))
    parts.append(Content.styled(f"engine {short_engine(view.engine)}", "$text-muted"))
    return Content("  ").join(parts)


def clock_line(view: HeaderView) -> Content:
    """The countdown to the next poll, or what stops it."""
    if view.polling:
        return Content.styled("polling…", "$accent")
    if view.countdown is not None:
        return Content(f"next {view.countdown:.0f}s")
    if view.paused:
        return Content.styled("paused", "$warning")
    return Content("")


class HeaderBar(Horizontal):
    """One line: where the data comes from and how fresh it is, and the countdown on the right.

    The countdown is its own small widget, so the once-a-second tick repaints a few cells only.
    """

    def __init__(self) -> None:
        super().__init__(id="header")
        self._view: HeaderView | None = None
        self._main = _Line("header-main")
        self._clock = _Line("header-clock")

    def compose(self) -> ComposeResult:
        """The main text, then the countdown."""
        yield self._main
        yield self._clock

    @property
    def view(self) -> HeaderView | None:
        """What the header shows now."""
        return self._view

    @property
    def plain(self) -> str:
        """The header as plain text (for tests and logs)."""
        return f"{self._main.content.plain}  {self._clock.content.plain}"

    def show(self, view: HeaderView) -> None:
        """Update each part only when what it shows changed."""
        if view == self._view:
            return
        old, self._view = self._view, view
        # The tick changes only the countdown: skip rebuilding the main line then.
        if old is None or replace(old, countdown=None, polling=False) != replace(
            view, countdown=None, polling=False
        ):
            self._main.set(main_line(view))
        self._clock.set(clock_line(view))
