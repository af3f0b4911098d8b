"""Typed messages between the polling worker and the widgets."""

from __future__ import annotations

from textual.message import Message

from sutazai_tui.session.session import Cycle


class SnapshotReady(Message):
    """A session's poll cycle finished: its snapshot is already in that session's history."""

    def __init__(self, cycle: Cycle) -> None:
        super().__init__()
        self.cycle = cycle

    def can_replace(self, message: Message) -> bool:
        # Widgets render from the history, so a newer snapshot of the same session makes a queued
        # older one redundant (another session's is not: its tab and alerts still count).
        return isinstance(message, SnapshotReady) and message.cycle.session is self.cycle.session


class CycleStarted(Message):
    """A poll cycle began: the header says "polling" instead of a countdown."""
