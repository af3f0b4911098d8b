"""Issue 27's "Done when" on the simulated builds and fleet (real HTTP on 127.0.0.1), as `check` sees them.

- the 08-18 build's healthy start: /health stuck `initializing`, the dependencies up, its detailed
  health agreeing → the panel OK with the note, `check` exit 0;
- the 08-16 build with `JWT_SECRET` empty (compose's `${JWT_SECRET}`, the variable unset) → named;
- the 08-16 build with Postgres stopped (a start every ~12 s, caught running) → CRITICAL every cycle;
- the November line with the request budget spent before its detailed health → never exit 0;
- an engine that does not answer (tcp://127.0.0.1:1) → UNKNOWN (3) with advice for a tcp address.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sutazai_tui.cli.check import run_check
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_monitor, demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import State, container_state
from tests.conftest import settings_for


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[SimulatedBackend]:
    backend = SimulatedBackend(request.param, rate_limit=False)
    await backend.start()
    yield backend
    await backend.stop()


async def check_json(server: SimulatedBackend, fleet: bool = True, **kw: Any) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    s = settings_for(server.url, containers=fleet, **kw)
    session = demo_session(s, SimulatedFleet(server), hooks=False) if fleet else None
    code = await run_check(s, as_json=True, session=session, out=out)
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_0818_healthy_start_is_ok_with_the_note_and_check_exits_0(server: SimulatedBackend) -> None:
    code, doc = await check_json(server, token="monitoring-token")
    health = next(e for e in doc["snapshot"]["endpoints"] if e["name"] == "health")
    assert code == 0, doc["reasons"]
    assert health["state"] == "OK"
    assert "self-report stuck at initializing (redis, database)" in health["reason"]
    assert health["reason"].endswith("/api/v1/health/detailed say up")
    said = [f for f in doc["findings"] if f["id"] == "self-report-contradicted"]
    assert said and said[0]["severity"] == "info" and "bring" not in said[0]["fix"]


@pytest.mark.parametrize("server", ["env-empty"], indirect=True)
async def test_0816_with_jwt_secret_empty_names_it_and_every_required_variable(
    server: SimulatedBackend,
) -> None:
    code, doc = await check_json(server)
    assert code == 2
    env = next(f for f in doc["findings"] if f["id"] == "missing-env")
    assert "JWT_SECRET is set but empty" in env["title"] and "JWT_SECRET_KEY" in env["title"]
    assert "compose's `${JWT_SECRET}` with the variable unset gives that" in env["evidence"]
    assert "Value error, JWT_SECRET must be at least 32 characters" in env["evidence"]  # its own log
    assert "needs all of SECRET_KEY, JWT_SECRET and JWT_SECRET_KEY" in env["fix"] and " config`" in env["fix"]
    loop = next(f for f in doc["findings"] if f["id"] == "restart-loop")
    assert "recreate the container" in loop["fix"] and "docker start" not in loop["fix"]


@pytest.mark.parametrize("server", ["postgres-down"], indirect=True)
async def test_a_slow_loop_caught_running_is_critical_in_every_cycle_from_the_third(
    server: SimulatedBackend,
) -> None:
    clock = [datetime.now(UTC)]
    fleet = SimulatedFleet(server, clock=lambda: clock[0])
    s = settings_for(server.url, containers=True)
    monitor = demo_monitor(s, fleet)
    severities, rows = [], []
    try:
        for _ in range(6):  # a start every 12 s, a cycle every 12 s: it is `running` each time
            snap = await monitor.cycle()
            monitor.history.add(snap)
            found = [f for f in diagnose(monitor.history, s) if f.id == "restart-loop"]
            severities.append(found[0].severity if found else None)
            backend = snap.container("sutazai-backend")
            assert backend is not None and backend.state == "running"
            rows.append(container_state(backend))
            clock[0] += timedelta(seconds=12)
    finally:
        await monitor.close()
    # Before: never CRITICAL in seven checks ("it runs now"). Now from the third rise seen (36 s in,
    # well within 60 s), and never back to a warning; the row never flips to OK between attempts.
    assert severities[:3] == [None, None, None] and severities[3:] == ["critical"] * 3
    assert rows[3:] == [State.DOWN] * 3
    events = [e for e in monitor.history.events if e.subject == "container:sutazai-backend"]
    assert not [e for e in events if e.new is State.OK]
    last = monitor.history.snapshots[-1].log("sutazai-backend")
    assert last is not None and last.find("startup-failed") is not None


@pytest.mark.parametrize("server", ["november"], indirect=True)
async def test_budget_spent_before_the_detailed_health_is_never_ok_on_the_november_line(
    server: SimulatedBackend,
) -> None:
    # The three default endpoints take the budget; the detailed path (the only one that tells the
    # services) is not asked. Before: "OK 0 … liveness only", exit 0, with 0 of 9 services up.
    code, doc = await check_json(server, fleet=False, request_budget=3)
    assert code != 0, doc["reasons"]
    health = next(e for e in doc["snapshot"]["endpoints"] if e["name"] == "health")
    assert health["state"] == "UNKNOWN" and "not asked" in health["reason"]


@pytest.mark.parametrize("server", ["healthy"], indirect=True)
async def test_an_unreachable_tcp_engine_is_unknown_with_advice_for_its_address(
    server: SimulatedBackend,
) -> None:
    out = io.StringIO()
    s = settings_for(server.url, containers=True, docker_host="tcp://127.0.0.1:1", docker_timeout=2)
    code = await run_check(s, out=out)
    text = out.getvalue()
    assert code == 3, text
    assert "check that a daemon listens at tcp://127.0.0.1:1" in text and "start dockerd" not in text


@pytest.mark.parametrize("server", ["redis-down"], indirect=True)
async def test_a_check_beside_a_tui_judges_the_shared_answer_like_its_own(server: SimulatedBackend) -> None:
    # Two monitors on one host share one budget: the second is over it and gets the first's answers
    # (shared, with their age). Before, detectors skipped those: a `check` beside a TUI never saw
    # a contradiction (here /health's `database: initializing` against a running Postgres).
    import socket

    from sutazai_tui.config.settings import ProbeConfig

    with socket.socket() as s:  # a port nothing listens on: Redis is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    probe = ProbeConfig(name="redis", kind="redis", port=port)
    settings = settings_for(server.url, containers=True, request_budget=5, probes=[probe])
    first = demo_monitor(settings, SimulatedFleet(server))
    second = demo_monitor(settings, SimulatedFleet(server))
    try:
        first.history.add(await first.cycle())
        snap = await second.cycle()
        second.history.add(snap)
    finally:
        await first.close()
        await second.close()
    health = snap.endpoint("health")
    assert health is not None and health.carried and not health.not_asked, health
    found = [f for f in diagnose(second.history, settings) if f.id == "self-report-contradicted"]
    assert found and "(shared answer," in found[0].evidence and "s old) says" in found[0].evidence
