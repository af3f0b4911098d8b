"""What the app is built from: the settings, the already-built sessions and how to show them.

Light at import (the app names it before its first frame); tui/factory.py makes one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.records.recording import Recording
    from sutazai_tui.session.session import Session
    from sutazai_tui.tui.screens.live import LiveScreen
    from sutazai_tui.tui.screens.replay import ReplayScreen


@dataclass
class Prepared:
    """What the app shows: the settings, the sessions, and how (live, a recording, or fed by hand)."""

    settings: Settings
    sessions: tuple[Session, ...]
    recording: Recording | None = None
    replay: bool = False  # a ReplayScreen (no poll loop, no live-only keys)
    poll: bool = True  # False: a live screen fed by hand (tests, screenshots)
    demo: bool = False
    config_path: Path | None = None
    # Run after the app ends (the demo's simulated backend stops here); the launcher calls them.
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def dashboard(self, clock: Callable[[], datetime]) -> LiveScreen | ReplayScreen:
        """The app's default screen over these sessions: a recording played, or the live screen."""
        path = self.config_path
        if self.replay:
            from sutazai_tui.tui.screens.replay import ReplayScreen

            return ReplayScreen(self.sessions[0], self.recording, clock=clock, config_path=path)
        from sutazai_tui.tui.screens.live import LiveScreen

        return LiveScreen(self.sessions, clock=clock, config_path=path, demo=self.demo, poll=self.poll)
