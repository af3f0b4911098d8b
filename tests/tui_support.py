"""Helpers for the TUI tests: build the app over the simulated backend, wait for conditions."""

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
from sutazai_tui.tui.screenshots import run_cycle
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from tests.conftest import settings_for

__all__ = ["make_app", "panel_states", "run_cycle", "wait_until"]


def make_app(backend: SimulatedBackend, **overrides: Any) -> SutazaiApp:
    """The app over a Monitor of the simulated backend and fleet (interval 60 s unless overridden)."""
    values: dict[str, Any] = {"containers": True, "timeout": 0.5, "interval": 60.0}
    values.update(overrides)
    settings = settings_for(backend.url, **values)
    return factory.make_app(settings, demo_session(settings, SimulatedFleet(backend)))


def panel_states(app: SutazaiApp) -> dict[str, tuple[State, str]]:
    """Each endpoint panel's shown state and reason."""
    return {p.endpoint_name: (p.view.state, p.view.reason) for p in app.query(EndpointPanel)}


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], deadline_s: float = 5.0) -> None:
    """Let the app run until `condition` holds; fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {deadline_s} s")
        await pilot.pause(0.02)
