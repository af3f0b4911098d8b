"""State changes and operator actions, newest first, in local time."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

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


class EventLog(VerticalScroll):
    """A scrollable list of events; repaints only when an event was added."""

    def __init__(self) -> None:
        super().__init__(id="events")
        self.border_title = "events"
        self._seen: tuple[int, int | None] = (0, None)

    def compose(self) -> ComposeResult:
        """The body the lines are written into."""
        yield Static(Content.styled("no state changes yet", "$text-muted"), id="events-body")

    def show(self, events: Sequence[Event]) -> None:
        """Render the newest events first."""
        seen = (len(events), id(events[-1]) if events else None)
        if seen == self._seen:
            return
        self._seen = seen
        newest = [events[i] for i in range(len(events) - 1, max(-1, len(events) - 1 - SHOWN), -1)]
        body = Content("\n").join(event_line(e) for e in newest)
        self.query_one("#events-body", Static).update(body or Content("no state changes yet"))
