"""The real builds' scenarios with the simulated fleet: its logs and dependency containers decide.

The simulated backend answers like each real build (real HTTP on 127.0.0.1); the simulated fleet
writes that build's real log lines and stops the dependencies the scenario says are down. So these
are the issue's "Done when" cases with the evidence joined, as `--demo` and `check` see them.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from sutazai_tui.cli.check import run_check
from sutazai_tui.config.settings import ProbeConfig
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_monitor, demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import Finding, State
from tests.conftest import settings_for


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[SimulatedBackend]:
    backend = SimulatedBackend(request.param, rate_limit=False)
    await backend.start()
    yield backend
    await backend.stop()


async def check_json(server: SimulatedBackend, **kw: Any) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    s = settings_for(server.url, containers=True, **kw)
    code = await run_check(
        s, as_json=True, session=demo_session(s, SimulatedFleet(server), hooks=False), out=out
    )
    return code, json.loads(out.getvalue())


async def cycles(server: SimulatedBackend, count: int, **kw: Any) -> list[Finding]:
    s = settings_for(server.url, containers=True, **kw)
    monitor = demo_monitor(s, SimulatedFleet(server))
    try:
        for _ in range(count):
            monitor.history.add(await monitor.cycle())
    finally:
        await monitor.close()
    return diagnose(monitor.history, s)


def only(found: list[Finding], fid: str) -> Finding:
    (one,) = [f for f in found if f.id == fid]
    return one


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_normal_start_of_the_0818_build_is_no_emergency(server: SimulatedBackend) -> None:
    code, doc = await check_json(server)
    endpoints = {e["name"]: e for e in doc["snapshot"]["endpoints"]}
    assert code in (0, 1), doc["reasons"]
    assert all(e["state"] != State.EMERGENCY for e in endpoints.values())
    assert not [f for f in doc["findings"] if f["severity"] == "critical"]
    assert "started in normal mode" in endpoints["emergency"]["reason"]
    info = [f for f in doc["findings"] if f["id"] == "emergency-build"]
    assert info and info[0]["title"].endswith("mode from the log: normal")


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_forever_initializing_database_with_postgres_up_is_a_contradiction(
    server: SimulatedBackend,
) -> None:
    found = await cycles(server, 2, stuck_initializing=0.001)
    assert "stuck-initializing" not in {f.id for f in found}
    c = only(found, "self-report-contradicted")
    assert "database 'initializing'" in c.title and "container sutazai-postgres running" in c.evidence


@pytest.mark.parametrize("server", ["redis-down"], indirect=True)
async def test_redis_healthy_with_redis_stopped_is_a_contradiction(server: SimulatedBackend) -> None:
    # The first API call (the MCP status) touches the cache: from then on /health says redis healthy.
    found = await cycles(server, 2)
    c = only(found, "self-report-contradicted")
    assert "redis 'healthy'" in c.title
    assert "container sutazai-redis: exited with code 0" in c.evidence


@pytest.mark.parametrize("server", ["deadlock-refused", "deadlock-reset"], indirect=True)
async def test_the_deadlock_is_a_startup_hang_with_the_step_it_hangs_after(server: SimulatedBackend) -> None:
    found = await cycles(server, 1)
    hang = only(found, "startup-hang")
    assert "Connection pools initialized" in hang.evidence and "past its 60 s start-up grace" in hang.evidence


@pytest.mark.parametrize("server", ["november"], indirect=True)
async def test_november_line_with_dependencies_down_is_not_ok(server: SimulatedBackend) -> None:
    code, doc = await check_json(server)
    assert code >= 1
    assert any("redis" in line for line in doc["reasons"])


@pytest.mark.parametrize("server", ["redis-down"], indirect=True)
async def test_check_prints_the_evidence_it_saw_and_never_a_whole_log(server: SimulatedBackend) -> None:
    with socket.socket() as s:  # a port nothing listens on: Redis is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = io.StringIO()
    probe = ProbeConfig(name="redis", kind="redis", port=port)
    settings = settings_for(server.url, containers=True, probes=[probe])
    await run_check(settings, session=demo_session(settings, SimulatedFleet(server), hooks=False), out=out)
    text = out.getvalue()
    assert f"redis        redis    127.0.0.1:{port}" in text and "DOWN    connection refused" in text
    assert "LOG sutazai-backend, this start at" in text and "Backend started in normal mode" in text
    assert "Failed to connect to Redis" in text
    assert text.count("GET /health 200") <= 2  # the last line of each log read, never the log itself
