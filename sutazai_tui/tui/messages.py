"""Typed messages between the polling worker and the widgets."""

from __future__ import annotations

from textual.message import Message

from sutazai_tui.models import ContainersStatus
from sutazai_tui.session.session import Cycle, Session


class SnapshotReady(Message):
    """A session's poll cycle finished: its snapshot is already in that session's history.

    Never replaced (no `can_replace`): every cycle's alerts count. The screen renders only the
    session's latest snapshot, so an older one still queued costs its alerts, not a render.
    """

    def __init__(self, cycle: Cycle) -> None:
        super().__init__()
        self.cycle = cycle


class ContainersListed(Message):
    """A session's first cycle has its container list (then its first CPU figures) before its
    inspects: for the container table only, until the cycle's SnapshotReady replaces it."""

    def __init__(self, session: Session, status: ContainersStatus) -> None:
        super().__init__()
        self.session, self.status = session, status


class CycleStarted(Message):
    """A poll cycle began: the header says "polling" instead of a countdown."""
