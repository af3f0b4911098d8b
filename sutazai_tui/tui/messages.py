"""Typed messages between the polling worker and the widgets."""

from __future__ import annotations

from textual.message import Message

from sutazai_tui.models import Event, Finding, Snapshot


class SnapshotReady(Message):
    """A poll cycle finished: its snapshot is already in the history; render it."""

    def __init__(
        self, snapshot: Snapshot, events: tuple[Event, ...], findings: tuple[Finding, ...] = ()
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.events = events
        self.findings = findings

    def can_replace(self, message: Message) -> bool:
        # Widgets render from the history, so a newer snapshot makes a queued older one redundant.
        return isinstance(message, SnapshotReady)


class CycleStarted(Message):
    """A poll cycle began: the header says "polling" instead of a countdown."""
