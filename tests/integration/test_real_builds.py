"""The monitor against the simulated backend playing the real builds (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from sutazai_tui.cli.check import run_check
from sutazai_tui.config.settings import EndpointConfig
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.limiter import BLOCK_REASON, MAX_VIOLATIONS, RateLimiter
from sutazai_tui.models import EndpointKind, Snapshot, State
from tests.conftest import settings_for


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[SimulatedBackend]:
    """The scenario named by the test's parametrisation, on the test's event loop."""
    backend = SimulatedBackend(request.param, rate_limit=True)
    await backend.start()
    yield backend
    await backend.stop()


async def check_json(url: str, **overrides: Any) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    code = await run_check(settings_for(url, containers=False, **overrides), as_json=True, out=out)
    return code, json.loads(out.getvalue())


def by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in doc["snapshot"]["endpoints"]}


async def cycles(url: str, count: int, **overrides: Any) -> list[Snapshot]:
    monitor = Monitor(settings_for(url, containers=False, **overrides))
    try:
        return [await monitor.cycle() for _ in range(count)]
    finally:
        await monitor.close()


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_normal_start_of_0818_is_no_outage_on_the_http_side(server: SimulatedBackend) -> None:
    code, doc = await check_json(server.url)
    found = by_name(doc)
    # `database: initializing` forever is how this build starts normally: a warning at most.
    assert found["health"]["state"] == "DEGRADED" and "initializing" in found["health"]["reason"]
    assert found["mcp"]["state"] == "OK"
    # /api/v1/health/detailed needs a token: found (401), shown as such, never a DOWN.
    assert found["detailed-v1"]["state"] == "UNKNOWN" and "token missing" in found["detailed-v1"]["reason"]
    assert "detailed" not in found  # /health/detailed is the November line's: 404 here
    assert not any(f["id"] == "stuck-initializing" for f in doc["findings"])
    assert not any(e["state"] == "DOWN" for e in found.values())
    # Issue 13's "done when": with no engine evidence, the route's 200 alone is no EMERGENCY.
    assert code in (0, 1), doc["reasons"]
    assert not any(e["state"] == "EMERGENCY" for e in found.values())
    assert not any(f["severity"] == "critical" for f in doc["findings"])
    assert "mode unknown" in found["emergency"]["reason"]


@pytest.mark.parametrize("server", ["redis-down"], indirect=True)
async def test_0818_says_redis_healthy_with_redis_down(server: SimulatedBackend) -> None:
    snaps = await cycles(server.url, 2, token=SecretStr("t" * 40))
    health, detailed = snaps[-1].endpoint("health"), snaps[-1].endpoint("detailed-v1")
    assert server.dependencies["redis"] == "down"
    # The self-report after an API call touched the cache: a lie, repeated as the backend's word.
    assert health is not None and health.services["redis"] == "healthy"
    assert detailed is not None and detailed.state is State.OK and detailed.services["redis"] == "healthy"
    assert server.requests["/api/v1/health/detailed"] == 2  # present: asked every cycle


@pytest.mark.parametrize("server", ["november"], indirect=True)
async def test_november_line_with_dependencies_down_is_not_ok(server: SimulatedBackend) -> None:
    code, doc = await check_json(server.url)
    found = by_name(doc)
    assert code >= 1
    health = found["health"]
    assert health["state"] == "DEGRADED" and health["reason"].startswith("liveness only; /health/detailed")
    text = "\n".join(doc["reasons"])
    for service in ("redis", "rabbitmq", "neo4j", "chromadb", "qdrant", "faiss", "consul", "kong", "ollama"):
        assert service in health["reason"] and service in text
    assert "0 of 9 services healthy" in health["reason"]
    assert found["mcp"]["state"] == "OK" and "November" in found["mcp"]["reason"]
    assert "detailed-v1" not in found


@pytest.mark.parametrize("server", ["november"], indirect=True)
async def test_discovery_costs_one_request_per_path_once(server: SimulatedBackend) -> None:
    await cycles(server.url, 3)
    assert server.requests["/api/v1/health/detailed"] == 1  # 404: absent, remembered
    assert server.requests["/health/detailed"] == 3  # present: part of every cycle
    assert server.requests["/health"] == 3


@pytest.mark.parametrize("server", ["incident"], indirect=True)
async def test_a_hung_backend_is_not_asked_for_detailed_paths_every_cycle(server: SimulatedBackend) -> None:
    server.forced_phase = "hang"
    await cycles(server.url, 3, timeout=0.3)
    assert server.requests["/health"] == 3
    assert server.requests["/health/detailed"] == 1 and server.requests["/api/v1/health/detailed"] == 1


@pytest.mark.parametrize("server", ["november"], indirect=True)
async def test_prometheus_kind_reads_the_metrics(server: SimulatedBackend) -> None:
    extra = [EndpointConfig(name="metrics", url="/metrics", kind=EndpointKind.PROMETHEUS)]
    (snap,) = await cycles(server.url, 1, endpoints=extra)
    metrics = snap.endpoint("metrics")
    assert metrics is not None and metrics.state is State.DEGRADED
    assert metrics.reason.startswith("0 of 9 services up; down: redis, rabbitmq")
    assert set(metrics.services.values()) == {"unhealthy"}


@pytest.mark.parametrize("server", ["november-healthy"], indirect=True)
async def test_november_line_all_up_is_ok(server: SimulatedBackend) -> None:
    code, doc = await check_json(server.url)
    assert code == 0, doc["reasons"]
    assert (
        by_name(doc)["health"]["reason"]
        == "liveness only; /health/detailed: says healthy; 9 of 9 services healthy"
    )


@pytest.mark.parametrize(
    ("server", "failure"), [("deadlock-refused", "refused"), ("deadlock-reset", "reset")], indirect=["server"]
)
async def test_the_real_deadlock_is_refused_or_reset_never_a_timeout(
    server: SimulatedBackend, failure: str
) -> None:
    (snap,) = await cycles(server.url, 1, timeout=3.0)
    health = snap.endpoint("health")
    assert health is not None and health.state is State.DOWN and health.failure == failure
    assert health.latency_ms is not None and health.latency_ms < 3000  # at once, not at the deadline


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_real_limiter_headers_429_and_the_block(server: SimulatedBackend) -> None:
    server.limiter = RateLimiter(clock=lambda: 1_000_005.0)  # one fixed 10 s bucket and minute
    async with httpx.AsyncClient(base_url=server.url) as client:
        first = await client.get("/health")
        mcp = [await client.get("/api/v1/mcp/status") for _ in range(3)][-1]
        codes = [(await client.get("/health")).status_code for _ in range(6 + MAX_VIOLATIONS)]
        blocked = await client.get("/health-emergency")
    assert first.headers["X-RateLimit-Policy"] == "120/minute, 10/10sec"
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("120", "119")
    assert first.headers["X-RateLimit-Reset"] == "1000020"  # epoch seconds: the next calendar minute
    # Other paths have their own 60 a minute.
    assert (mcp.headers["X-RateLimit-Limit"], mcp.headers["X-RateLimit-Remaining"]) == ("60", "57")
    assert codes == [200] * 6 + [429] * MAX_VIOLATIONS  # 10 per bucket across all paths
    assert blocked.status_code == 403 and blocked.headers["X-Block-Reason"] == BLOCK_REASON
    assert blocked.headers["Retry-After"] == "60"  # misleading, as on the real one: it lasts an hour
    assert blocked.json() == {"error": "IP temporarily blocked due to repeated violations"}


def block(limiter: RateLimiter, client: str = "127.0.0.1") -> None:
    """Spend a bucket and make the 5 violations that block `client`."""
    for _ in range(10 + MAX_VIOLATIONS):
        limiter.check(client, "/health")
    assert limiter.blocked(client)


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_check_against_a_blocked_ip_is_unknown_never_ok(server: SimulatedBackend) -> None:
    server.limiter = RateLimiter(clock=lambda: 5.0)
    block(server.limiter)
    code, doc = await check_json(server.url)
    found = by_name(doc)
    assert code == 3  # UNKNOWN: we could not ask, so we cannot say OK (nor WARNING)
    for name in ("health", "emergency", "mcp"):
        assert found[name]["state"] == "UNKNOWN" and found[name]["failure"] == "blocked"
        assert "this host's IP is blocked by the backend's rate limiter" in found[name]["reason"]
        assert "block lasts up to an hour" in found[name]["reason"] and "scope" not in found[name]["reason"]
        assert found[name]["reason"].endswith("; no earlier answer")


@pytest.mark.parametrize("server", ["build-0818"], indirect=True)
async def test_a_429_is_unknown_with_the_age_of_the_last_verdict(server: SimulatedBackend) -> None:
    monitor = Monitor(settings_for(server.url, containers=False))
    try:
        await monitor.cycle()
        server.limiter = RateLimiter(clock=lambda: 5.0)
        for _ in range(10):
            server.limiter.check("127.0.0.1", "/x")  # the bucket is full: the next asks get 429
        snap = await monitor.cycle()
    finally:
        await monitor.close()
    mcp = snap.endpoint("mcp")
    assert mcp is not None and mcp.failure == "rate-limited" and mcp.state is State.UNKNOWN
    assert mcp.http_code == 429 and mcp.last_state is State.OK
    assert "backing off 10 s; last real verdict OK 0s ago: operational" in mcp.reason


def test_demo_backend_cli_plays_the_november_line_and_check_names_the_services() -> None:
    """`sutazai-tui demo-backend --scenario november` and `check` against it, both real processes."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sutazai_tui", "demo-backend", "--scenario", "november", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert "(november)" in server.stdout.readline()  # printed once it listens
        check = subprocess.run(
            [
                sys.executable,
                "-m",
                "sutazai_tui",
                "check",
                "--no-containers",
                "--base-url",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        server.terminate()
        server.wait(10)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "WARNING: health DEGRADED: liveness only; /health/detailed" in check.stdout
    assert "unhealthy: redis, rabbitmq, neo4j, chromadb, qdrant, faiss, consul, kong, ollama" in check.stdout


async def test_tui_health_panel_says_liveness_only_and_lists_the_detailed_services() -> None:
    from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
    from tests.tui_support import make_app, panel_states, wait_until

    backend = SimulatedBackend("november", rate_limit=False)
    await backend.start()
    try:
        app = make_app(backend, containers=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: "detailed" in panel_states(app))
            states = panel_states(app)
            health = next(p for p in app.query(EndpointPanel) if p.endpoint_name == "health")
            text = health.render().plain
    finally:
        await backend.stop()
    assert states["health"][0] is State.DEGRADED
    assert states["health"][1].startswith("liveness only; /health/detailed: backend says 'degraded'")
    assert states["mcp"][0] is State.OK and "detailed-v1" not in states
    assert "redis unhealthy" in text  # the detailed answer's services, on the health panel
