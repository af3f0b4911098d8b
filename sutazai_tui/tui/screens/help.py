"""The `?` screen: every key, the config file in use and where files are written."""

from __future__ import annotations

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


def help_text(keys: Sequence[tuple[str, str]], places: Sequence[tuple[str, str]]) -> Content:
    """Places, then keys, as aligned columns.

    Places come first: they fit any screen and are found nowhere else, while the key list grows
    with every feature and scrolls (the footer shows the common keys anyway).
    """
    label = max((len(p) for p, _ in places), default=1)
    lines = [Content.styled("Files", "bold $accent")]
    lines += [Content.assemble(f"  {p:<{label}}", (f"  {v}", "$text-muted")) for p, v in places]
    width = max((len(k) for k, _ in keys), default=1)
    lines += [Content(""), Content.styled("Keys (↑/↓ scroll)", "bold $accent")]
    lines += [Content.assemble((f"  {k:<{width}}", "bold"), f"  {d}") for k, d in keys]
    lines += [Content(""), Content.styled("escape, q or ? closes this screen", "$text-muted")]
    return Content("\n").join(lines)


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """The screen's and the app's keys as the keymap has them now: the footer's first, then hidden.

    Shown ones in footer order; hidden ones: the app's (quit) first, then the screen's, the command
    palette's last, as the help has always listed them. Textual's own Screen keys (tab, shift+tab)
    have no id: not ours.
    """
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
    return [(app.get_key_display(b.binding), b.binding.tooltip or b.binding.description) for b in mine]


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

    def __init__(self, keys: Sequence[tuple[str, str]], places: Sequence[tuple[str, str]]) -> None:
        super().__init__(id="help")
        self._text = help_text(keys, places)

    def compose(self) -> ComposeResult:
        """One scrollable block of text."""
        with VerticalScroll(id="help-box") as box:
            box.border_title = "sutazai-tui help"
            yield Static(self._text, id="help-text")

    def action_close(self) -> None:
        """Back to the monitor."""
        self.dismiss(None)
