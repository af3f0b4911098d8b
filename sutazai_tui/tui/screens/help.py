"""The `?` screen: every key that works on the screen it opened from, by group (how to move, act,
look, poll, replay, the app), wrapped and never cut at 80 columns; the config file in use and where
files are written."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from sutazai_tui.config.settings import Settings, default_config_path

Group = tuple[str, list[tuple[str, str]]]

# How to move on the Dashboard: Textual's and the widgets' own keys, which have no id to list.
DASHBOARD_MOVES = [
    ("tab / shift+tab", "next / previous area in screen order: panels, findings, containers, events"),
    ("↑ ↓  j k", "move the cursor in findings and containers; scroll the events"),
    ("g G", "first / last row"),
    ("← →", "scroll the table's columns (MEM, UP, NET, BLOCK are to the right at 80 columns)"),
    ("enter", "open what has focus: a finding (evidence, fix), a container, a panel's finding"),
    ("escape", "close the filter"),
]
READING_MOVES = [
    ("↑ ↓  j k", "scroll a line"),
    ("pgup pgdn  space", "scroll a page"),
    ("g G", "top / bottom"),
    ("← →", "scroll sideways (a command is never wrapped)"),
    ("escape  q", "back"),
]
_GROUPS = ("Move", "Act on the selected container", "Look", "Polling", "Replay", "App")


def _group(action: str) -> str:
    """Which help group a binding's action belongs to."""
    if action.startswith("replay_"):
        return "Replay"
    if action in ("poll_now", "toggle_pause"):
        return "Polling"
    if any(w in action for w in ("stop", "restart", "recreate", "start_container", "kill", "copy")):
        return "Act on the selected container"
    if any(w in action for w in ("help", "quit", "interrupt", "palette", "switch_target", "close")):
        return "App"
    if action.startswith(("scroll", "edge", "cursor", "first", "last")):
        return "Move"
    return "Look"


def grouped_keys(screen: Screen[Any], moves: Sequence[tuple[str, str]] = DASHBOARD_MOVES) -> list[Group]:
    """Every key that works on `screen`, by group: how to move first, then what the bindings do."""
    app = screen.app
    groups: dict[str, list[tuple[str, str]]] = {name: [] for name in _GROUPS}
    groups["Move"] = list(moves)
    for b in _ours(screen):
        group = _group(b.binding.action)
        if group == "Move" or b.binding.action == "close":
            continue  # said once, in the Move group (escape, q: back)
        groups[group].append((app.get_key_display(b.binding), b.binding.tooltip or b.binding.description))
    return [(name, keys) for name, keys in groups.items() if keys]


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(20, width), break_on_hyphens=False) or [""]


def help_text(groups: Sequence[Group], places: Sequence[tuple[str, str]], width: int = 66) -> Content:
    """Places, then keys by group, as aligned columns; long descriptions wrap under themselves,
    never cut (`width`: the columns the text has).

    Places come first: they fit any screen and are found nowhere else, while the key list grows
    with every feature and scrolls (the footer shows the common keys anyway).
    """
    lines: list[Content] = []
    if places:
        label = max(len(p) for p, _ in places)
        lines.append(Content.styled("Files", "bold $accent"))
        # Paths are not broken by hand (a path is copied whole); the screen wraps what is too long.
        lines += [Content.assemble(f"  {p:<{label}}", (f"  {v}", "$text-muted")) for p, v in places]
        lines.append(Content(""))
    keys = [k for _, group in groups for k, _ in group]
    key_width = min(max((len(k) for k in keys), default=1), 16)
    lines.append(Content.styled("Keys (↑/↓ scroll)", "bold $accent"))
    for name, group in groups:
        lines.append(Content.styled(name, "bold"))
        for k, d in group:
            wrapped = _wrap(d, width - key_width - 4)
            lines.append(Content.assemble((f"  {k:<{key_width}}", "bold"), f"  {wrapped[0]}"))
            lines += [Content(f"  {'':<{key_width}}  {more}") for more in wrapped[1:]]
    lines += [Content(""), Content.styled("escape, q or ? closes this screen", "$text-muted")]
    return Content("\n").join(lines)


def _ours(screen: Screen[Any]) -> list[ActiveBinding]:
    app = screen.app
    active = screen.active_bindings.values()
    mine = [
        b for b in active if b.binding.description and (b.node is app or (b.node is screen and b.binding.id))
    ]

    def place(b: ActiveBinding) -> tuple[bool, int]:
        if b.binding.show:  # the footer's order: the screen's, then quit
            return (False, 0 if b.node is screen else 1)
        palette = b.binding.action == "command_palette"
        return (True, 2 if palette else 0 if b.node is app else 1)

    mine.sort(key=place)  # stable: each group keeps its binding order
    return mine


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """The screen's and the app's keys as the keymap has them now: the footer's first, then hidden.

    Shown ones in footer order; hidden ones: the app's (quit) first, then the screen's, the command
    palette's last. Textual's own Screen keys (tab, shift+tab) have no id: the help's Move group
    says them (`grouped_keys`).
    """
    app = screen.app
    return [
        (app.get_key_display(b.binding), b.binding.tooltip or b.binding.description) for b in _ours(screen)
    ]


def help_places(settings: Settings, config_path: Path | None) -> list[tuple[str, str]]:
    """The config file in use, the target, and where snapshots, recordings and the audit log go."""
    s = settings
    config = config_path or (default_config_path() if default_config_path().is_file() else None)
    return [
        ("config file", str(config) if config else "none (defaults, env SUTAZAI_TUI_*, flags)"),
        ("target", f"{s.base_url} every {s.interval:g} s, timeout {s.timeout:g} s"),
        ("snapshots", str(s.snapshot_path)),
        ("recording", str(s.record) if s.record else "off (--record PATH)"),
        ("audit log", str(s.audit_path)),
    ]


class HelpScreen(ModalScreen[None]):
    """A modal over the monitor; polling goes on underneath."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("q", "close", "Close", show=False, id="help.close_q"),
        Binding("question_mark", "close", "Close", show=False, id="help.close_help"),
    ]

    def __init__(self, groups: Sequence[Group], places: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(id="help")
        self._groups, self._places = groups, places

    def compose(self) -> ComposeResult:
        """One scrollable block of text, wrapped to the terminal's width (the box: 90 % of it)."""
        width = int(self.app.size.width * 0.9) - 7  # border 2, padding 4, scrollbar 1
        with VerticalScroll(id="help-box") as box:
            box.border_title = "sutazai-tui help"
            yield Static(help_text(self._groups, self._places, width), id="help-text")

    def action_close(self) -> None:
        """Back to the monitor."""
        self.dismiss(None)
