"""Snapshots, recording and replay in the TUI: the `s` key, the recorder hook, the report command.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `RECORDING_BINDINGS`, its palette
entries come from `recording_commands`.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import App, SystemCommand
from textual.binding import BindingType

from sutazai_tui.config import Settings
from sutazai_tui.history import History

RECORDING_BINDINGS: list[BindingType] = []


class RecordingMixin(App[int]):
    """Snapshots, recording and replay in the TUI."""

    settings: Settings
    history: History
    replay: bool

    def recording_commands(self) -> Iterator[SystemCommand]:
        """Entries for the command palette."""
        yield from ()
