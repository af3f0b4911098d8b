"""The simulated fleet follows the backend's incident; the demo session wires both to the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import BACKEND, FLEET, SimulatedFleet
from sutazai_tui.demo.session import DEMO_INTERVAL, DemoSession
from sutazai_tui.models import ContainersStatus, ContainerStats, State, container_state
from tests.conftest import settings_for


def by_name(status: ContainersStatus) -> dict[str, ContainerStats]:
    return {c.name: c for c in status.containers}


async def test_fleet_follows_the_incident_phases() -> None:
    backend = SimulatedBackend("incident")
    fleet = SimulatedFleet(backend)
    assert fleet.engine == "simulated"

    backend.forced_phase = answers.HANG
    first = by_name(await fleet.poll())[BACKEND]
    second = by_name(await fleet.poll())[BACKEND]
    assert first.state == second.state == "restarting"
    assert second.restart_count > first.restart_count  # rising while it hangs
    assert container_state(second) is State.DOWN

    backend.forced_phase = answers.EMERGENCY
    up = by_name(await fleet.poll())[BACKEND]
    assert (up.state, up.health) == ("running", "starting")
    backend.forced_phase = answers.INITIALIZING
    assert by_name(await fleet.poll())[BACKEND].health == "unhealthy"

    backend.forced_phase = answers.RECOVERED
    status = await fleet.poll()
    assert {(c.state, c.health) for c in status.containers} == {("running", "healthy")}
    assert all(c.cpu_percent is not None and c.mem_used and c.mem_limit for c in status.containers)


async def test_fleet_has_the_sutazai_services_and_scales_to_thirty() -> None:
    names = {c.name for c in (await SimulatedFleet().poll()).containers}
    for wanted in ("backend", "frontend", "postgres", "redis", "ollama", "mcp-orchestrator"):
        assert f"sutazai-{wanted}" in names
    big = await SimulatedFleet(count=30).poll()
    assert len(big.containers) == 30 and len({c.name for c in big.containers}) == 30
    assert len(FLEET) < 30


async def test_stop_start_restart_change_the_container() -> None:
    fleet = SimulatedFleet()
    fleet.stop("sutazai-redis")
    stopped = by_name(await fleet.poll())["sutazai-redis"]
    assert stopped.state == "exited" and container_state(stopped) is not State.OK
    fleet.start("sutazai-redis")
    started = by_name(await fleet.poll())["sutazai-redis"]
    assert (started.state, started.health) == ("running", "starting")
    assert by_name(await fleet.poll())["sutazai-redis"].health == "healthy"
    fleet.restart("sutazai-postgres")
    assert by_name(await fleet.poll())["sutazai-postgres"].restart_count == 1
    with pytest.raises(LookupError):
        fleet.stop("sutazai-nope")


def test_fleet_numbers_repeat_for_the_same_seed() -> None:
    import asyncio

    async def twice() -> tuple[ContainersStatus, ContainersStatus]:
        return await SimulatedFleet(seed=3).poll(), await SimulatedFleet(seed=3).poll()

    a, b = asyncio.run(twice())
    assert [(c.id, c.mem_used) for c in a.containers] == [(c.id, c.mem_used) for c in b.containers]


def test_demo_session_points_settings_at_a_loopback_backend(tmp_path: Path) -> None:
    session = DemoSession(settings_for("http://127.0.0.1:1", tmp_path), phase_seconds=5)
    settings = session.start()
    try:
        assert settings.base_url.startswith("http://127.0.0.1:") and settings.base_url != "http://127.0.0.1:1"
        assert settings.interval == DEMO_INTERVAL and settings.containers
        assert 3 * 10 / settings.interval <= 8  # three endpoints a cycle fit the 8-per-10-s budget
        assert session.backend.scenario == "incident"
        assert session.monitor().containers is session.fleet
    finally:
        session.stop()
