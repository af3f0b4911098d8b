"""The `/` filter: an input that appears above the container table."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """Type to filter containers by name; enter keeps the filter, escape clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Clear filter", id="filter.cancel")]

    class Closed(Message):
        """The bar was closed; focus goes back to the table."""

    def __init__(self) -> None:
        super().__init__(placeholder="filter containers by name (enter keeps, escape clears)", id="filter")
        self.display = False

    def open(self) -> None:
        """Show the bar and take the keyboard."""
        self.display = True
        # Now, not on the next idle (what focus() does): keys typed right after `/` (fast typing,
        # a paste over SSH) would otherwise reach the table (`g` jumps, `x` stops a container).
        self.screen.set_focus(self)

    def action_cancel(self) -> None:
        """Clear the filter and close."""
        self.value = ""
        self._close()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Keep the filter and close."""
        event.stop()
        self._close()

    def _close(self) -> None:
        self.display = False
        self.post_message(self.Closed())
