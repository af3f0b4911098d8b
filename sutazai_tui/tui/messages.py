"""Typed messages between the polling worker and the widgets."""

from __future__ import annotations

from textual.message import Message

from sutazai_tui.session.session import Cycle


class SnapshotReady(Message):
    """A session's poll cycle finished: its snapshot is already in that session's history.

    Never replaced (no `can_replace`): every cycle's alerts count. The screen renders only the
    session's latest snapshot, so an older one still queued costs its alerts, not a render.
    """

    def __init__(self, cycle: Cycle) -> None:
        super().__init__()
        self.cycle = cycle


class CycleStarted(Message):
    """A poll cycle began: the header says "polling" instead of a countdown."""
