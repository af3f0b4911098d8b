"""Snapshot (SVG) tests of the screen at 80x24 and 120x40, from fixed data and a fixed clock.

No polling: hand-built snapshots go through `feed_snapshot`, the path replay uses. Regenerate
with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs before keeping them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from sutazai_tui.config.settings import Settings
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.models import EndpointKind, EndpointStatus, Finding, HostStats, Snapshot, State
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.factory import make_app

pytestmark = pytest.mark.usefixtures("utc_local_time")  # conftest: local time is UTC

T0 = datetime(2025, 8, 17, 23, 10, 0, tzinfo=UTC)
TARGET = "http://127.0.0.1:10010"
HOST = HostStats(
    hostname="ops-01",
    cpu_percent=23.5,
    cpu_count=8,
    load=(1.21, 0.98, 0.75),
    mem_total=32 * 1024**3,
    mem_used=25 * 1024**3,
    mem_percent=78.1,
    disk_total=500 * 1024**3,
    disk_used=460 * 1024**3,
    disk_percent=92.0,
    uptime_s=3 * 86400 + 4 * 3600,
)


def endpoint(name: str, kind: EndpointKind, at: datetime, **fields: Any) -> EndpointStatus:
    return EndpointStatus(name=name, url=f"{TARGET}/{name}", kind=kind, checked_at=at, **fields)


def ok_endpoints(at: datetime, latency: float) -> tuple[EndpointStatus, ...]:
    services = {"redis": "healthy", "database": "healthy", "http_ollama": "configured"}
    mcp = {"bridge": "MCPStdioBridge", "initialized": True, "services": 18, "dind": "connected"}
    return (
        endpoint("health", EndpointKind.HEALTH, at, state=State.OK, reason="healthy, 3 services",
                 http_code=200, latency_ms=latency, status="healthy", services=services),
        endpoint("emergency", EndpointKind.EMERGENCY, at, state=State.OK,
                 reason="normal build (no emergency endpoint)", http_code=404, latency_ms=latency - 2),
        endpoint("mcp", EndpointKind.MCP, at, state=State.OK, reason="operational, 18 services",
                 http_code=200, latency_ms=latency + 3, status="operational", details=mcp),
    )  # fmt: skip


def hung_endpoints(at: datetime) -> tuple[EndpointStatus, ...]:
    reason = "accepts connections but sent no answer within the 5 s timeout (hung?)"
    return tuple(
        endpoint(n, k, at, state=State.DOWN, reason=reason, failure="timeout-connected", latency_ms=5000.0)
        for n, k in (("health", EndpointKind.HEALTH), ("emergency", EndpointKind.EMERGENCY),
                     ("mcp", EndpointKind.MCP))
    )  # fmt: skip


def emergency_endpoints(at: datetime) -> tuple[EndpointStatus, ...]:
    message = "Backend running in emergency mode - initialization bypassed"
    detail = "MCP infrastructure not available. Check DinD containers and bridge modules."
    services = {"redis": "healthy", "database": "initializing", "http_ollama": "configured"}
    return (
        endpoint("health", EndpointKind.HEALTH, at, state=State.DEGRADED,
                 reason="still initializing: database", http_code=200, latency_ms=9.0, services=services),
        endpoint("emergency", EndpointKind.EMERGENCY, at, state=State.EMERGENCY,
                 reason=f"emergency build: {message}", http_code=200, latency_ms=7.0, message=message),
        endpoint("mcp", EndpointKind.MCP, at, state=State.DOWN, reason=f"503: {detail}",
                 failure="http-error", http_code=503, latency_ms=6.0, message=detail),
    )  # fmt: skip


async def feed_incident(pilot: Pilot[int], last_phase: str) -> None:
    """Three good cycles, three hung ones, then (for emergency) the emergency build."""
    await pilot.pause()  # the auto-pilot starts before the default screen has mounted its widgets
    app: SutazaiApp = pilot.app  # type: ignore[assignment]
    backend = SimulatedBackend("incident")  # never started: it only supplies `phase` to the fleet
    fleet = SimulatedFleet(backend, clock=lambda: T0)
    plan = [(answers.RECOVERED, ok_endpoints(T0, 8.0 + i)) for i in range(3)]
    plan += [(answers.HANG, hung_endpoints(T0)) for _ in range(3)]
    if last_phase == answers.EMERGENCY:
        plan.append((answers.EMERGENCY, emergency_endpoints(T0)))
    for cycle, (phase, endpoints) in enumerate(plan, start=1):
        backend.forced_phase = phase
        at = T0 + timedelta(seconds=30 * cycle)
        endpoints = tuple(e.model_copy(update={"checked_at": at}) for e in endpoints)
        containers = await fleet.poll()
        snap = Snapshot(cycle=cycle, taken_at=at, duration_ms=41.0 if phase != answers.HANG else 5004.0,
                        target=TARGET, endpoints=endpoints, containers=containers, host=HOST)  # fmt: skip
        app.dashboard.clock = lambda at=at: at + timedelta(seconds=2)
        app.dashboard.feed_snapshot(snap)


def fixed_app() -> SutazaiApp:
    settings = Settings(base_url=TARGET, interval=30, state_dir=Path("/var/lib/sutazai-tui"))
    return make_app(settings, poll=False, clock=lambda: T0, config_path=Path("/etc/sutazai-tui.toml"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_hang(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[int]) -> None:
        await feed_incident(pilot, answers.HANG)

    assert snap_compare(fixed_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_emergency_with_findings(snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[int]) -> None:
        await feed_incident(pilot, answers.EMERGENCY)
        app: SutazaiApp = pilot.app  # type: ignore[assignment]
        app.dashboard.show_findings([
            Finding(id="startup-hang", severity="critical", subject="sutazai-backend",
                    title="start-up deadlock: restarted 3 times", evidence="/health silent 90 s",
                    fix="set SECRET_KEY and restart"),
        ])  # fmt: skip

    assert snap_compare(fixed_app(), terminal_size=size, run_before=before)


def test_help_screen(snap_compare: Any) -> None:
    assert snap_compare(fixed_app(), terminal_size=(80, 24), press=["question_mark"])
