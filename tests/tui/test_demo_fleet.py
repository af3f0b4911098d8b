"""The simulated fleet follows the backend's incident; the demo session wires both to the app."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
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
        one = session.session()
        assert one.monitor is not None and one.monitor.containers is session.fleet
        assert (
            type(one.details()) is type(session.fleet.log_reader)
            and one.actions().backend.engine == "simulated"
        )
    finally:
        session.stop()


async def test_the_missing_env_restart_loop_exits_1_and_each_attempt_started_just_now() -> None:
    # docs/backend.md "How start-up fails": a missing SECRET_KEY exits 1 during import; each restart
    # started seconds ago.
    now = [datetime(2026, 1, 1, 12, 0, tzinfo=UTC)]
    backend = SimulatedBackend("incident")
    backend.forced_phase = answers.HANG
    fleet = SimulatedFleet(backend, clock=lambda: now[0])
    now[0] += timedelta(seconds=30)
    polled = by_name(await fleet.poll())[BACKEND]
    assert (polled.state, polled.exit_code) == ("restarting", 1)
    assert polled.started_at == now[0]
    inspected = fleet.inspect(BACKEND)
    assert (inspected.exit_code, inspected.started_at) == (1, now[0])


def _refused(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/health", timeout=5).close()
    except urllib.error.HTTPError:
        return False  # it answered, with an error status
    except urllib.error.URLError as exc:
        return isinstance(exc.reason, ConnectionRefusedError)
    return False


def test_stopping_the_simulated_backend_container_closes_its_port_and_starting_reopens_it() -> None:
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    fleet = SimulatedFleet(backend)
    try:
        assert not _refused(backend.url)
        fleet.stop(BACKEND)
        assert not backend.listening and _refused(backend.url)
        fleet.start(BACKEND)
        assert backend.listening and not _refused(backend.url)
        fleet.stop(BACKEND)
        assert _refused(backend.url)
        fleet.restart(BACKEND)
        assert not _refused(backend.url)
        fleet.stop("sutazai-redis")  # another container's stop leaves the backend's port alone
        assert not _refused(backend.url)
    finally:
        backend.stop_thread()


async def test_the_backend_port_follows_its_container_on_the_same_event_loop() -> None:
    backend = SimulatedBackend("healthy", rate_limit=False)
    await backend.start()
    fleet = SimulatedFleet(backend)
    try:
        fleet.stop(BACKEND)
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(backend.host, backend.port)
        fleet.start(BACKEND)
        _reader, writer = await asyncio.open_connection(backend.host, backend.port)
        writer.close()
    finally:
        await backend.stop()


def test_demo_containers_carry_compose_labels_and_recreate_is_played_on_the_fleet(tmp_path: Path) -> None:
    session = DemoSession(settings_for("http://127.0.0.1:1", tmp_path), phase_seconds=5)
    session.start()
    try:
        actions = session.session().actions()
        brief = actions.describe(BACKEND, "recreate")
        # The labels say where the stack lives (the incident's /opt/sutazaiapp/docker), so C offers
        # the exact compose line there, as on a real engine, without those files on this machine.
        assert brief.refusal is None and brief.command is not None
        assert brief.command.startswith("cd /opt/sutazaiapp/docker && ")
        assert brief.command.endswith("up -d --force-recreate --no-deps backend")
        before = session.fleet.inspect(BACKEND).id
        result = actions.recreate(BACKEND, typed=BACKEND)
        now = session.fleet.inspect(BACKEND).id
        assert now != before  # a new container, as compose makes
        assert result.result == "done" and result.message.startswith(f"recreated: new container {now}")
        assert result.command == brief.command
    finally:
        session.stop()
