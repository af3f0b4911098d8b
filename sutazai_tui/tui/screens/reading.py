"""The keys every screen you read shares: j/k scroll, g/G top and bottom, ← → sideways, escape/q
back; and `ReadingScreen`, the actions behind them over a scroll box with a "+N more lines" line,
which the finding and container screens are built on.

One definition, so the finding, logs and container screens move and close alike; each screen
puts them in its BINDINGS in the order its help lists them. Ids are `<scope>.<what>`, the names
the `[keymap]` setting remaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.notifications import Notification
from textual.screen import Screen
from textual.widgets import Static

from sutazai_tui.tui.widgets.notice_bar import NoticeBar


def scroll_keys(scope: str) -> list[Binding]:
    """j/k: down and up a line (the screen's `action_scroll`)."""
    return [
        Binding("j", "scroll(1)", "Down", show=False, id=f"{scope}.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id=f"{scope}.up"),
    ]


def edge_keys(scope: str) -> list[Binding]:
    """g/G: the top and the bottom (the screen's `action_edge`)."""
    return [
        Binding("g", "edge(0)", "Top", show=False, id=f"{scope}.top"),
        Binding("G", "edge(1)", "Bottom", show=False, id=f"{scope}.bottom"),
    ]


SIDE_STEP = 8  # columns a ← → moves: a long command is read in a few presses, not one column each


def side_keys(scope: str) -> list[Binding]:
    """← →: sideways, a few columns a press (the screen's `action_side`), where commands are one
    line wider than the screen. Priority: the focused scroll box would move one column."""
    tip = "scroll sideways: a command is one line, never wrapped"
    return [
        Binding(
            "left", f"side({-SIDE_STEP})", "Left", show=False, priority=True, tooltip=tip, id=f"{scope}.left"
        ),
        Binding(
            "right",
            f"side({SIDE_STEP})",
            "Right",
            show=False,
            priority=True,
            tooltip=tip,
            id=f"{scope}.right",
        ),
    ]


def back_keys(scope: str) -> list[Binding]:
    """escape (in the footer) and q: back (the screen's `action_close`); ? this screen's keys."""
    return [
        Binding("escape", "close", "Back", id=f"{scope}.close"),
        Binding("q", "close", "Back", show=False, id=f"{scope}.close_q"),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            show=False,
            tooltip="This help",
            id=f"{scope}.help",
        ),
    ]


def open_help(screen: Screen[None]) -> None:
    """The help over a reading screen: its own keys, by group."""
    from sutazai_tui.tui.screens.help import READING_MOVES, HelpScreen, grouped_keys

    screen.app.push_screen(HelpScreen(grouped_keys(screen, READING_MOVES)))


def more_below(box: VerticalScroll) -> str:
    """`+N more lines ↓` when the text runs past the bottom of `box`, else nothing."""
    hidden = int(box.max_scroll_y - box.scroll_y)
    return f"+{hidden} more line{'s' if hidden != 1 else ''} ↓ (j, pgdn)" if hidden > 0 else ""


class ReadingScreen(Screen[None]):
    """A scroll box (`#<SCOPE>-box`, composed by the screen), `#<SCOPE>-more` under it saying what
    runs past the bottom, and the actions the reading keys above call."""

    SCOPE: ClassVar[str]

    def show_notices(self, notifications: Iterable[Notification]) -> None:
        """Notifications on this screen's notice line (composed by the screen above its footer), not
        as toasts: a toast's corner would cover the text's first lines — the finding's severity and
        since when, the container's state."""
        bar = next(self.query(NoticeBar).results(), None)
        if bar is not None:
            bar.show_notices(notifications)

    def start_reading(self) -> None:
        """Focus the text (so j/k scroll) and keep the "+N more" line true as it scrolls."""
        box = self.query_one(f"#{self.SCOPE}-box", VerticalScroll)
        box.focus()
        self.watch(box, "scroll_y", self.show_more, init=False)

    def show_more(self) -> None:
        """Say how much is below; nothing when the app is closing under us (the widgets are gone)."""
        box = next(self.query(f"#{self.SCOPE}-box").results(VerticalScroll), None)
        more = next(self.query(f"#{self.SCOPE}-more").results(Static), None)
        if box is not None and more is not None:
            more.update(more_below(box))

    def repainted(self) -> None:
        """After the text changed: a reader at the bottom (G) stays there as the text grows."""
        box = next(self.query(f"#{self.SCOPE}-box").results(VerticalScroll), None)
        at_end = box is not None and box.scroll_y >= box.max_scroll_y > 0

        def settle() -> None:
            if at_end and box is not None:
                box.scroll_end(animate=False, x_axis=False)  # a reader scrolled sideways stays there
            self.show_more()

        self.call_after_refresh(settle)

    def action_scroll(self, lines: int) -> None:
        """Scroll by lines."""
        box = self.query_one(f"#{self.SCOPE}-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + lines, animate=False)

    def action_side(self, columns: int) -> None:
        """Scroll sideways by columns."""
        box = self.query_one(f"#{self.SCOPE}-box", VerticalScroll)
        box.scroll_to(x=box.scroll_x + columns, animate=False, immediate=True)

    def action_edge(self, end: int) -> None:
        """Top (0) or bottom (1)."""
        box = self.query_one(f"#{self.SCOPE}-box", VerticalScroll)
        (box.scroll_end if end else box.scroll_home)(animate=False)

    def action_close(self) -> None:
        """Back to the screen under it."""
        self.dismiss(None)

    def action_help(self) -> None:
        """This screen's keys."""
        open_help(self)

    def action_interrupt(self) -> None:
        """ctrl+c here closes this screen; it quits only from the main screen."""
        self.action_close()
