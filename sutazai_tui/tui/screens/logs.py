"""The `l` screen: the selected container's last lines, follow mode (`f`) and search (`/`, n, N:
from the newest match back), `t` the engine's timestamps (UTC) before each line, g/G top and bottom.

Reading happens in a thread worker that posts `LogsFetched`; the screen keeps at most `bound`
lines (a deque), so a chatty container cannot grow it. Follow polls `logs(since=last line)` every
`poll_s` seconds, never with two reads in flight.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from sutazai_tui.sources.engine.details import LOG_TAIL, ContainerDetails, DetailsError, LogLine
from sutazai_tui.sources.engine.log_evidence import shown_lines
from sutazai_tui.tui.literal import content
from sutazai_tui.tui.screens.reading import back_keys, edge_keys, open_help, scroll_keys
from sutazai_tui.util.clean import clean
from sutazai_tui.util.redact import Redactor

POLL_S = 2.0


class LogsFetched(Message):
    """One read's lines (oldest first), or the one-line reason it failed."""

    def __init__(self, lines: list[LogLine], error: str | None) -> None:
        super().__init__()
        self.lines, self.error = lines, error


class LogsScreen(Screen[None]):
    """Logs of one container; polling of the monitor goes on underneath."""

    DEFAULT_CSS = """
    LogsScreen #logs-status { height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; }
    LogsScreen #logs-box { height: 1fr; overflow: auto auto; }
    LogsScreen #logs-text { width: auto; text-wrap: nowrap; padding: 0 1; }
    LogsScreen #logs-search { height: 1; border: none; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_follow", "Follow", id="logs.follow"),
        Binding("slash", "search", "Search", key_display="/", id="logs.search"),
        # The search starts at the tail (the newest lines matter most): n goes back in time, N forward.
        Binding("n", "next_match(-1)", "Older", id="logs.next"),
        Binding("N", "next_match(1)", "Newer", show=False, id="logs.prev"),
        Binding("t", "toggle_times", "Times", id="logs.times"),
        *edge_keys("logs"),
        *scroll_keys("logs"),
        *back_keys("logs"),
    ]

    def __init__(
        self,
        container: str,
        details: ContainerDetails,
        bound: int = LOG_TAIL,
        redactor: Redactor | None = None,
    ) -> None:
        super().__init__(id="logs")
        self.container, self.details, self.bound = container, details, bound
        self.redactor = redactor
        self.lines: deque[LogLine] = deque(maxlen=bound)
        self.follow = False
        self.times = False  # the engine's timestamp before each line (`t`)
        self.error: str | None = None
        self.search_text = ""
        self.matches: list[int] = []
        self.match_at = -1
        self.fetches = 0
        self._fetching = False
        self._timer: Timer | None = None

    def action_help(self) -> None:
        """This screen's keys (follow, search, times, scroll)."""
        open_help(self)

    def compose(self) -> ComposeResult:
        """Status line, the lines, the search input (hidden until `/`), footer."""
        yield Static(id="logs-status")
        with ScrollableContainer(id="logs-box"):
            yield Static(id="logs-text")
        search = Input(placeholder="search (enter jumps, escape closes)", id="logs-search")
        search.display = False
        yield search
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        """First read: the last `bound` lines."""
        self._timer = self.set_interval(POLL_S, self._poll, pause=True)
        self._status()
        self._fetch(0)

    @property
    def text(self) -> str:
        """The lines shown, as plain text (what a test or a screenshot sees)."""
        return "\n".join(self._shown(line) for line in self.lines) if self.lines else self.error or ""

    def _shown(self, line: LogLine) -> str:
        if not self.times:
            return line.text
        if not line.ts_ns:
            return f"{'--:--:--.---':<12}  {line.text}"
        at = datetime.fromtimestamp(line.ts_ns / 1e9, UTC)
        return f"{at:%H:%M:%S}.{at.microsecond // 1000:03d}  {line.text}"

    def _poll(self) -> None:
        if not self._fetching:
            self._fetch(self.lines[-1].ts_ns if self.lines else 0)

    def _fetch(self, since_ns: int) -> None:
        self._fetching = True
        self._read(since_ns)

    @work(thread=True, exit_on_error=False, group="logs")
    def _read(self, since_ns: int) -> None:
        try:
            lines = shown_lines(self.details, self.container, self.bound, since_ns, self.redactor)
        except DetailsError as exc:
            self.post_message(LogsFetched([], str(exc)))
        except Exception as exc:  # anything else is still one line in the view, not a crash
            self.post_message(LogsFetched([], f"logs of {self.container}: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(LogsFetched(lines, None))

    @on(LogsFetched)
    def _fetched(self, message: LogsFetched) -> None:
        self._fetching = False
        self.fetches += 1
        self.error = message.error
        newest = self.lines[-1].ts_ns if self.lines else 0
        self.lines.extend(line for line in message.lines if not (newest and line.ts_ns <= newest))
        self._find()
        self._render_lines()
        if self.follow or self.fetches == 1:
            self.query_one("#logs-box", ScrollableContainer).scroll_end(animate=False)

    def _find(self) -> None:
        needle = self.search_text.lower()
        self.matches = [i for i, ln in enumerate(self.lines) if needle and needle in ln.text.lower()]
        if self.match_at >= len(self.matches):
            self.match_at = len(self.matches) - 1

    def _render_lines(self) -> None:
        text = Text(clean(self.text, multiline=True) if self.lines else clean(self.error or "(no lines)"))
        if self.search_text:
            text.highlight_regex(re.compile(re.escape(self.search_text), re.IGNORECASE), "reverse")
        if 0 <= self.match_at < len(self.matches):
            row = self.matches[self.match_at]
            start = sum(len(self._shown(ln)) + 1 for ln in list(self.lines)[:row])
            text.stylize("bold underline", start, start + len(self._shown(self.lines[row])))
        self.query_one("#logs-text", Static).update(text)
        self._status()

    def _status(self) -> None:
        parts = [f"logs of {self.container}", f"{len(self.lines)} lines (last {self.bound})"]
        parts.append("follow ON" if self.follow else "follow off (f)")
        if self.times:
            parts.append("times UTC")
        if self.search_text:
            at = f"match {self.match_at + 1}/{len(self.matches)}" if self.matches else "no match"
            parts.append(f"search {self.search_text!r}: {at}")
        if self.error:
            parts.append(self.error)
        self.query_one("#logs-status", Static).update(content(" — ".join(parts), multiline=False))

    def action_toggle_follow(self) -> None:
        """Poll for new lines every few seconds, or stop."""
        self.follow = not self.follow
        if self._timer is not None:
            (self._timer.resume if self.follow else self._timer.pause)()
        if self.follow:
            self._poll()
        self._status()

    def action_toggle_times(self) -> None:
        """Show or hide the engine's timestamp (UTC, to the millisecond) before each line."""
        self.times = not self.times
        self._render_lines()

    def action_search(self) -> None:
        """Open the search input."""
        search = self.query_one("#logs-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#logs-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.match_at = -1
        self._find()
        self._render_lines()

    @on(Input.Submitted, "#logs-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.query_one("#logs-box").focus()
        self.match_at = len(self.matches)  # the first jump lands on the newest match
        self.action_next_match(-1)

    def action_next_match(self, step: int = 1) -> None:
        """Jump to the next (or previous) line that matches the search."""
        if not self.matches:
            self._status()
            return
        self.match_at = (self.match_at + step) % len(self.matches)
        self._render_lines()
        box = self.query_one("#logs-box", ScrollableContainer)
        box.scroll_to(y=max(0, self.matches[self.match_at] - box.size.height // 2), animate=False)

    def action_edge(self, end: int) -> None:
        """The first (0) or last (1) line."""
        box = self.query_one("#logs-box", ScrollableContainer)
        (box.scroll_end if end else box.scroll_home)(animate=False)

    def action_scroll(self, lines: int) -> None:
        """Scroll by lines."""
        box = self.query_one("#logs-box", ScrollableContainer)
        box.scroll_to(y=box.scroll_y + lines, animate=False)

    def action_close(self) -> None:
        """Back to the monitor (closes the search first if it is open)."""
        search = self.query_one("#logs-search", Input)
        if search.display:
            search.display = False
            self.query_one("#logs-box").focus()
            return
        self.dismiss(None)

    def action_interrupt(self) -> None:
        """ctrl+c: stop following first (like `tail -f`), then close; it never quits the monitor."""
        if self.follow:
            self.action_toggle_follow()
            return
        self.dismiss(None)
