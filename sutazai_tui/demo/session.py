"""`sutazai-tui --demo`: the simulated backend (incident scenario) and fleet, in this process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.session.session import Session

# The backend allows 10 requests per 10 s and the client's budget is 8. The next cycle is armed
# when the last one ends, so at 4.5 s three cycles (9 requests) fit in one 10 s window and the
# budget would skip one; at 5 s at most two do (6 requests), leaving room for an `r`. (The first
# cycle that gets answers also tries the two detailed-health paths once: 404 here, never again.)
DEMO_INTERVAL = 5.0
DEMO_TIMEOUT = 2.0
DEMO_PHASE_SECONDS = 20.0


class DemoSession:
    """Starts the simulated backend on a free loopback port and points the settings at it."""

    def __init__(
        self, settings: Settings, scenario: str = "incident", phase_seconds: float = DEMO_PHASE_SECONDS
    ) -> None:
        self._settings = settings
        # On a loop: the incident plays again after it recovered, so it can be watched more than once.
        self.backend = SimulatedBackend(
            scenario, host="127.0.0.1", port=0, phase_seconds=phase_seconds, loop=True
        )
        self.fleet = SimulatedFleet(self.backend)
        self.settings = settings

    def start(self) -> Settings:
        """Start the backend in its own thread; the settings to run the app with."""
        self.backend.start_thread()
        self.settings = self._settings.model_copy(
            update={
                "base_url": self.backend.url,
                "interval": DEMO_INTERVAL,
                "timeout": DEMO_TIMEOUT,
                "endpoints": [],
                "default_endpoints": True,
                "containers": True,
                "token": None,
                # Simulated actions are audited apart from production's (`sutazai-tui --demo audit`).
                "audit_log": self._settings.demo_audit_path,
                # And its snapshots apart from the real ones (the bundle's screen says DEMO too).
                "snapshot_dir": self._settings.demo_snapshot_path,
            }
        )
        return self.settings

    def session(self, **kw: Any) -> Session:
        """The Session over the simulated backend and fleet (call after `start`); `kw` as Session's."""
        return demo_session(self.settings, self.fleet, **kw)

    def stop(self) -> None:
        """Stop the backend thread."""
        self.backend.stop_thread()


def start_demo(
    settings: Settings, scenario: str = "incident", **kw: Any
) -> tuple[Session, Callable[[], None]]:
    """`--demo`'s entry: the simulated backend playing `scenario` started, the Session over it (its
    settings point at the backend; `kw` as Session's), and what stops the backend afterwards."""
    demo = DemoSession(settings, scenario)
    try:
        demo.start()
        return demo.session(**kw), demo.stop
    except BaseException:
        demo.stop()
        raise
