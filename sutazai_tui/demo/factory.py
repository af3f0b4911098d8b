"""The one seam where the demo plugs in: a Session over the simulated fleet.

Everything demo-specific a Session needs is built here and handed over through the Session's
ordinary parameters — the container source (the fleet), its log reader, the logs / inspect
reader, and the action backend (through the real policy and audit log). Nothing outside demo/
asks whether it watches the demo: `--demo`, `check --demo`, the screenshots, the benches and
the tests all build their demo sessions here.
"""

from __future__ import annotations

from typing import Any

from sutazai_tui.actions.policy import Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.actions import FleetBackend
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.session.session import Session


def demo_monitor(settings: Settings, fleet: SimulatedFleet) -> Monitor:
    """A Monitor over the simulated fleet: its containers and its logs (the backend from `settings`)."""
    return Monitor(settings, containers=fleet, logs=fleet.log_reader if settings.log_evidence else None)


def demo_session(
    settings: Settings, fleet: SimulatedFleet, *, actions: Actions | None = None, **kw: Any
) -> Session:
    """A Session watching the simulated fleet: its Monitor, logs and inspect, and actions on it.

    `actions` replaces the fleet's own (tests that slow a backend down); `kw` goes to Session.
    """
    return Session(
        settings,
        demo_monitor(settings, fleet),
        details=fleet.details(),
        actions=actions if actions is not None else Actions(settings, FleetBackend(fleet)),
        simulation=fleet.backend,
        **kw,
    )
