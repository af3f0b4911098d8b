"""State changes and operator actions, newest first, in local time.

The lines are drawn one by one, and only those on screen: a Static drew all SHOWN lines again for
each new event (~20 ms at 200 lines, then a layout of the whole screen, ~15 ms more), and a
refused or flapping backend logs events every cycle.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

from sutazai_tui.models import Event
from sutazai_tui.tui.widgets.state_style import state_word
from sutazai_tui.util import fmt

SHOWN = 200  # the log keeps more; a screenful of scrollback is what an operator reads


def event_line(event: Event) -> Content:
    """`HH:MM:SS subject OLD → NEW reason`, or the action/note text."""
    subject = event.subject.removeprefix("container:")
    parts: list[Content | str] = [Content.styled(fmt.local_time(event.at), "$text-muted"), f" {subject} "]
    if event.kind == "state":
        if event.old is not None:
            parts += [Content.styled(event.old.value, "$text-muted"), " → "]
        parts.append(state_word(event.new) if event.new is not None else Content.styled("gone", "$warning"))
    else:
        parts.append(Content.styled(event.kind.upper(), "bold $accent"))
    if event.reason:
        parts.append(f" {event.reason}")
    return Content.assemble(*parts)


EMPTY = Content.styled("no state changes yet", "$text-muted")


class EventLines(Widget):
    """The log's lines, one an event: each drawn once, and only when on screen (Line API); a layout
    only when their number changes. `render` is the whole text (selection, tests)."""

    DEFAULT_CSS = "EventLines { height: auto; }"

    def __init__(self) -> None:
        super().__init__(id="events-body")
        self._lines: tuple[Content, ...] = (EMPTY,)
        self._drawn: dict[int, tuple[Content, int, Style, Strip]] = {}  # id(line) -> its strip

    def set_lines(self, lines: Sequence[Content]) -> None:
        """Show `lines` (none: the "no state changes yet" line)."""
        new = tuple(lines) or (EMPTY,)
        resized = len(new) != len(self._lines)
        self._lines = new
        kept = {id(line) for line in new}
        self._drawn = {key: held for key, held in self._drawn.items() if key in kept}
        self.refresh(layout=resized)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line an event (they never wrap: `text-wrap: nowrap` in app.tcss)."""
        return len(self._lines)

    def render(self) -> Content:
        """All the lines as one text."""
        return Content("\n").join(self._lines)

    def render_line(self, y: int) -> Strip:
        """Line `y`, drawn as the whole text would draw it; kept while the line, width and style
        stay (a new event moves the others down a line without drawing them again)."""
        if self.text_selection is not None:  # the mouse selects in it: the whole text, as a Static
            return super().render_line(y)
        width, style = self.size.width, self.visual_style
        if not 0 <= y < len(self._lines):
            return Strip.blank(width, style.rich_style)
        line = self._lines[y]
        held = self._drawn.get(id(line))
        if held is not None and held[0] is line and held[1] == width and held[2] == style:
            return held[3]
        strips = Visual.to_strips(self, line, width, 1, style)
        strip = strips[0] if strips else Strip.blank(width, style.rich_style)
        self._drawn[id(line)] = (line, width, style, strip)
        return strip

    def notify_style_update(self) -> None:
        """A theme or CSS change: every line is drawn again."""
        super().notify_style_update()
        self._drawn = {}


class EventLog(VerticalScroll):
    """A scrollable list of events; repaints only when an event was added."""

    def __init__(self) -> None:
        super().__init__(id="events")
        self.border_title = "events"
        self._seen: tuple[int, int | None] = (0, None)
        self._made: dict[int, tuple[Event, Content]] = {}  # id(event) -> its line, made once

    def compose(self) -> ComposeResult:
        """The body the lines are written into."""
        yield EventLines()

    def show(self, events: Sequence[Event]) -> None:
        """Render the newest events first."""
        seen = (len(events), id(events[-1]) if events else None)
        if seen == self._seen:
            return
        self._seen = seen
        newest = [events[i] for i in range(len(events) - 1, max(-1, len(events) - 1 - SHOWN), -1)]
        made = {id(e): self._line(e) for e in newest}
        self._made = made
        self.query_one(EventLines).set_lines([made[id(e)][1] for e in newest])

    def _line(self, event: Event) -> tuple[Event, Content]:
        held = self._made.get(id(event))
        return held if held is not None and held[0] is event else (event, event_line(event))
