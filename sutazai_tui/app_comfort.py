"""Operator comfort: logs, inspect, sort, alerts, keymap and themes.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `COMFORT_BINDINGS`, its palette
entries come from `comfort_commands`.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import App, SystemCommand
from textual.binding import BindingType

from sutazai_tui.config import Settings
from sutazai_tui.history import History

COMFORT_BINDINGS: list[BindingType] = []


class ComfortMixin(App[int]):
    """Operator comfort."""

    settings: Settings
    history: History
    replay: bool

    def comfort_commands(self) -> Iterator[SystemCommand]:
        """Entries for the command palette."""
        yield from ()
