"""Helpers for the TUI tests: build the app over the simulated backend, wait for conditions.

Deadlines here only bound a failure: a passing test waits for its condition, never for the
deadline, so they are generous enough for a loaded machine (the fast tier runs under xdist).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.models import State
from sutazai_tui.tui import factory
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from tests.conftest import ANSWER_TIMEOUT, settings_for

__all__ = ["LOOK_S", "WAIT_S", "make_app", "panel_states", "run_cycle", "wait_until"]

WAIT_S = 30.0  # how long a condition may take before the test fails (a pass never waits this long)
# How often a wait looks again. Each look runs the screen's timers (Pilot.pause), so looking every
# 20 ms spent CPU that the other tests of a 2-core machine needed; 50 ms costs a pass ≤ 50 ms.
LOOK_S = 0.05


def make_app(backend: SimulatedBackend, **overrides: Any) -> SutazaiApp:
    """The app over a Monitor of the simulated backend and fleet (interval 60 s unless overridden)."""
    values: dict[str, Any] = {"containers": True, "timeout": ANSWER_TIMEOUT, "interval": 60.0}
    values.update(overrides)
    settings = settings_for(backend.url, **values)
    return factory.make_app(settings, demo_session(settings, SimulatedFleet(backend)))


def panel_states(app: SutazaiApp) -> dict[str, tuple[State, str]]:
    """Each endpoint panel's shown state and reason."""
    return {p.endpoint_name: (p.view.state, p.view.reason) for p in app.query(EndpointPanel)}


async def run_cycle(app: SutazaiApp, pilot: Pilot[Any], deadline_s: float = 2 * WAIT_S) -> None:
    """Start one poll cycle now and wait until the app has rendered its snapshot."""
    await wait_until(
        pilot, lambda: app.shown.scheduler is not None and not app.shown.scheduler.in_flight, deadline_s
    )
    assert app.shown.scheduler is not None
    before = app.shown.scheduler.cycles
    app.shown.scheduler.poll_now()
    await wait_until(
        pilot,
        lambda: app.dashboard.snapshot is not None and app.dashboard.snapshot.cycle > before,
        deadline_s,
    )
    await pilot.pause()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], deadline_s: float = WAIT_S) -> None:
    """Let the app run until `condition` holds; fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {deadline_s} s")
        await pilot.pause(LOOK_S)
