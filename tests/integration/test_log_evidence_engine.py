"""Evidence on the real engine: a real container's log decides startup-hang and EMERGENCY.

Each test runs a busybox container named like the primary service (the test's prefix + "backend")
that writes the real backend's log lines, points the monitor at a real endpoint on 127.0.0.1 (a
closed port, or the simulated backend), and reads the verdict of one real cycle.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.cli.check import run_check
from sutazai_tui.config.settings import ProbeConfig, Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.answers import EMERGENCY, INITIALIZING, RECOVERED
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import Finding, Snapshot, State
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.source import DockerSource
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine

STARTING = "2025-08-18 04:01:30,112 - app.main - INFO - Starting SutazAI backend"
POOLS = "2025-08-18 04:01:31,797 - app.main - INFO - Connection pools initialized"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings(url: str, boxes: ContainerFactory, tmp_path: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": url,
        "timeout": 0.5,
        "request_budget": 1000,
        "containers": True,
        "container_prefix": boxes.prefix,
        "primary_service": boxes.prefix + "backend",
        "state_dir": tmp_path / "state",
    }
    values.update(kw)
    return Settings(**values)


def backend_box(boxes: ContainerFactory, *log: str) -> Any:
    """The primary: writes `log`, then runs on silently (as the hung backend does)."""
    script = "".join(f"echo '{line}'; " for line in log) + "sleep 600"
    # The real builds' required variables, set (≥ 32 characters): these tests are about the log.
    env = dict.fromkeys(("SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY"), "x" * 40)
    box = boxes.run("backend", ["sh", "-c", script], environment=env)
    wait_for(lambda: log[-1].encode() in box.logs(), 20, "the container's log lines")
    return box


async def one_cycle(s: Settings, boxes: ContainerFactory) -> tuple[Snapshot, list[Finding]]:
    monitor = Monitor(s, containers=DockerSource(prefix=boxes.prefix, timeout=10))
    try:
        snap = await monitor.cycle()
    finally:
        await monitor.close()
    monitor.history.add(snap)
    return snap, diagnose(monitor.history, s)


def only(found: list[Finding], fid: str) -> Finding:
    (one,) = [f for f in found if f.id == fid]
    return one


@pytest.fixture
async def sim() -> AsyncIterator[SimulatedBackend]:
    server = SimulatedBackend("healthy", rate_limit=False)
    await server.start()
    yield server
    await server.stop()


async def test_running_backend_refusing_past_its_grace_is_a_startup_hang(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    backend_box(containers, STARTING, POOLS)
    s = settings(f"http://127.0.0.1:{closed_port()}", containers, tmp_path, startup_grace=0)
    snap, found = await one_cycle(s, containers)
    health = snap.endpoint("health")
    assert health is not None and health.failure == "refused"
    hang = only(found, "startup-hang")
    assert hang.severity == "critical" and "refused" in hang.title
    assert "its last log line, silent for" in hang.evidence and POOLS in hang.evidence
    # Inside the grace the same refusal is a backend still starting, not a hang.
    _, young = await one_cycle(s.model_copy(update={"startup_grace": 3600}), containers)
    assert "startup-hang" not in {f.id for f in young}


async def test_emergency_needs_the_logs_mode_line(
    containers: ContainerFactory, sim: SimulatedBackend, tmp_path: Path
) -> None:
    sim.forced_phase = EMERGENCY  # /health-emergency answers 200
    backend_box(
        containers, STARTING, "2025-08-18 04:01:31,797 - app.main - INFO - Backend started in emergency mode"
    )
    snap, found = await one_cycle(settings(sim.url, containers, tmp_path), containers)
    e = snap.endpoint("emergency")
    assert e is not None and e.state is State.EMERGENCY and "Backend started in emergency mode" in e.reason
    assert only(found, "emergency-build").severity == "critical"
    log = snap.log(containers.prefix + "backend")
    assert log is not None and [m.signature for m in log.matches] == ["mode-emergency"]


async def test_a_normal_start_of_the_emergency_fix_build_is_not_an_emergency(
    containers: ContainerFactory, sim: SimulatedBackend, tmp_path: Path
) -> None:
    sim.forced_phase = INITIALIZING  # the route answers 200 as on every start of that build
    backend_box(
        containers,
        STARTING,
        POOLS,
        "2025-08-18 04:01:31,900 - app.main - INFO - Backend started in normal mode",
    )
    out = StringIO()
    s = settings(sim.url, containers, tmp_path)
    source = DockerSource(prefix=containers.prefix, timeout=10)
    code = await run_check(s, session=Session(s, Monitor(s, containers=source), hooks=False), out=out)
    text = out.getvalue()
    assert code in (0, 1), text
    assert "EMERGENCY" not in text.split("CONTAINERS")[0] and "CRITICAL" not in text
    assert "emergency-fix build deployed; started in normal mode" in text


async def test_a_redis_probe_contradicting_health_is_a_finding(
    containers: ContainerFactory, sim: SimulatedBackend, tmp_path: Path
) -> None:
    sim.forced_phase = RECOVERED  # /health says redis "healthy"
    backend_box(containers, STARTING, POOLS)

    async def pong(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if await reader.readline() == b"PING\r\n":
            writer.write(b"+PONG\r\n")
            await writer.drain()
        writer.close()

    redis = await asyncio.start_server(pong, "127.0.0.1", 0)
    port = redis.sockets[0].getsockname()[1]
    s = settings(sim.url, containers, tmp_path, probes=[ProbeConfig(name="redis", kind="redis", port=port)])
    snap, found = await one_cycle(s, containers)
    probe = snap.probe("redis")
    assert probe is not None and probe.up is True
    assert "self-report-contradicted" not in {f.id for f in found}
    redis.close()
    await redis.wait_closed()  # Redis goes down; /health keeps saying healthy
    snap, found = await one_cycle(s, containers)
    c = only(found, "self-report-contradicted")
    assert "redis 'healthy'" in c.title and f"probe redis 127.0.0.1:{port}: connection refused" in c.evidence


async def test_the_mode_line_survives_a_flood_after_the_start(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    # The engine applies `tail` before `since`/`until`: the head of the log is read on its own.
    flood = 'i=0; while [ $i -lt 3000 ]; do echo "GET /health 200 $i"; i=$((i+1)); done; echo done; '
    mode = "app.main - INFO - Backend started in emergency mode"
    box = containers.run("backend", ["sh", "-c", f"echo '{mode}'; {flood}sleep 600"])
    wait_for(lambda: box.logs(tail=1).startswith(b"done"), 30, "the flood to be written")
    s = settings(f"http://127.0.0.1:{closed_port()}", containers, tmp_path)
    snap, _ = await one_cycle(s, containers)
    log = snap.log(containers.prefix + "backend")
    assert log is not None and log.find("mode-emergency") is not None
    assert log.last is not None and log.last.text == "done" and log.lines <= 2 * 2000
