"""The replay's `t` prompt: one line asking for a time to jump to."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TimePrompt(ModalScreen[str | None]):
    """Asks for a time; dismisses with the text typed, or None on escape."""

    # Its own few lines of layout, theme variables only; the app's .tcss stays the app's.
    DEFAULT_CSS = """
    TimePrompt {
        align: center middle;
        background: $background 60%;
    }
    #time-box {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 0 1;
        border: round $accent;
        border-title-color: $accent;
        background: $surface;
    }
    #time-input {
        margin-top: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="time_prompt.cancel"),
    ]

    def __init__(self, covers: str) -> None:
        super().__init__(id="time-prompt")
        self._covers = covers

    def compose(self) -> ComposeResult:
        """What the recording covers, then the input."""
        with Vertical(id="time-box") as box:
            box.border_title = "jump to a time"
            yield Static(Content.styled(self._covers, "$text-muted"))
            yield Input(placeholder="HH:MM[:SS] or 2025-08-17T23:10 (local time)", id="time-input")

    def on_mount(self) -> None:
        """Typing goes straight into the input."""
        self.query_one(Input).focus()

    @on(Input.Submitted, "#time-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Back to the replay without moving."""
        self.dismiss(None)
