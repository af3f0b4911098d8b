"""Container actions in the TUI: stop, restart, emergency stop, kill (palette) — confirmed, audited.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `ACTIONS_BINDINGS`, its palette
entries come from `actions_commands`.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import App, SystemCommand
from textual.binding import BindingType

from sutazai_tui.config import Settings
from sutazai_tui.history import History

ACTIONS_BINDINGS: list[BindingType] = []


class ActionsMixin(App[int]):
    """Container actions in the TUI."""

    settings: Settings
    history: History
    replay: bool

    def actions_commands(self) -> Iterator[SystemCommand]:
        """Entries for the command palette."""
        yield from ()
