"""The verdict rules that weigh evidence (issue 13), one test per rule, on hand-made snapshots."""

from __future__ import annotations

from datetime import timedelta

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.evidence import join_evidence
from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.models import (
    EndpointKind,
    EndpointStatus,
    LogEvidence,
    LogMatch,
    ProbeResult,
    Snapshot,
    State,
)
from tests.builders import BACKEND, at, box, emergency, health, ids, only, run, snapshot

SETTINGS = Settings(containers=False, startup_grace=60)
SECRET = "hunter2-but-longer-0123456789"


def line(signature: str, text: str, seconds: float = -30) -> LogMatch:
    return LogMatch(signature=signature, text=text, at=at(seconds))


def backend_log(*matches: LogMatch, last: LogMatch | None = None) -> LogEvidence:
    return LogEvidence(container=BACKEND, matches=matches, last=last, read_at=at(0), started_at=at(-120))


def redis_probe(up: bool, seconds: float = 0) -> ProbeResult:
    detail = "PING → +PONG" if up else "connection refused"
    return ProbeResult(
        name="redis", kind="redis", address="127.0.0.1:6379", up=up, detail=detail, checked_at=at(seconds)
    )


# ---------------------------------------------------------------- emergency


def test_emergency_build_is_critical_only_with_the_logs_mode_line() -> None:
    said = backend_log(line("mode-emergency", "app.main - INFO - Backend started in emergency mode"))
    found = only(run(snapshot(0, emergency(0, 200), logs=(said,)), settings=SETTINGS), "emergency-build")
    assert found.severity == "critical" and "Backend started in emergency mode" in found.evidence
    assert "build backend && " in found.fix and " up -d --force-recreate --no-deps backend`" in found.fix
    timeout = backend_log(line("init-timeout", "⚠️ Initialization timeout - running in emergency mode"))
    assert (
        only(run(snapshot(0, emergency(0, 200), logs=(timeout,))), "emergency-build").severity == "critical"
    )


def test_emergency_route_with_a_normal_start_is_info_and_check_is_not_critical() -> None:
    normal = backend_log(line("mode-normal", "app.main - INFO - Backend started in normal mode"))
    s = snapshot(0, emergency(0, 200), logs=(normal,))
    found = only(run(s), "emergency-build")
    assert found.severity == "info" and found.title.endswith("mode from the log: normal")
    assert "Backend started in normal mode" in found.evidence
    assert assess(s, [found]).level is Level.CRITICAL  # the classifier's word alone…
    assert assess(join_evidence(s, BACKEND), [found]).level is Level.OK  # …and joined with the log


# ---------------------------------------------------------------- startup hang


def test_startup_hang_is_any_transport_error_of_a_backend_running_past_its_grace() -> None:
    stuck = backend_log(last=line("last-line", "app.main - INFO - Connection pools initialized", -100))
    for failure in ("refused", "reset", "timeout-connect", "timeout-connected"):
        s = snapshot(0, health(0, failure), containers=(box(started_at=at(-120)),), logs=(stuck,))
        found = only(run(s, settings=SETTINGS), "startup-hang")
        assert found.severity == "critical" and failure in found.title
        assert "1 consecutive cycle since 23:15:00 UTC" in found.evidence
        assert (
            "last log line, silent for 100 s: [23:13:20 UTC] app.main - INFO - Connection pools"
            in found.evidence
        )


def test_no_startup_hang_inside_the_grace_or_when_not_running() -> None:
    young = snapshot(0, health(0, "refused"), containers=(box(started_at=at(-10)),))
    assert "startup-hang" not in ids(run(young, settings=SETTINGS))
    gone = snapshot(0, health(0, "refused"), containers=(box(state="exited", exit_code=1),))
    assert "startup-hang" not in ids(run(gone, settings=SETTINGS))
    answered = snapshot(0, health(0), containers=(box(started_at=at(-120)),))
    assert "startup-hang" not in ids(run(answered, settings=SETTINGS))


# ---------------------------------------------------------------- contradictions


def test_redis_healthy_against_a_refused_probe_is_a_contradiction_quoting_both() -> None:
    said = health(0, services={"redis": "healthy", "database": "healthy"})
    found = only(run(snapshot(0, said, probes=(redis_probe(False),))), "self-report-contradicted")
    assert found.severity == "warning" and found.subject == "health"
    assert "redis 'healthy'" in found.title
    assert (
        "GET http://127.0.0.1:10010/health at 23:15:00 UTC says redis 'healthy', but probe" in found.evidence
    )
    assert "probe redis 127.0.0.1:6379: connection refused (at 23:15:00 UTC)" in found.evidence
    assert "self-report-contradicted" not in ids(run(snapshot(0, said, probes=(redis_probe(True),))))


def test_a_down_container_or_the_log_contradict_too() -> None:
    said = health(0, services={"redis": "healthy"})
    redis = box("sutazai-redis", state="exited", exit_code=0)
    found = only(run(snapshot(0, said, containers=(box(), redis))), "self-report-contradicted")
    assert "container sutazai-redis: exited with code 0" in found.evidence
    failed = line("redis-connect", "❌ Failed to connect to Redis: Error 111 connecting to 127.0.0.1:6379.")
    found = only(run(snapshot(0, said, logs=(backend_log(failed),))), "self-report-contradicted")
    assert "sutazai-backend's log [23:14:30 UTC] ❌ Failed to connect to Redis" in found.evidence
    # A probe that sees Redis up now outweighs an old log line.
    both = snapshot(0, said, logs=(backend_log(failed),), probes=(redis_probe(True),))
    assert "self-report-contradicted" not in ids(run(both))


def test_forever_initializing_with_the_database_up_is_a_contradiction_at_once_not_stuck() -> None:
    pg = box("sutazai-postgres", health="healthy")

    def cycle(seconds: float, with_pg: bool = True) -> Snapshot:
        said = health(seconds, services={"database": "initializing"})
        return snapshot(seconds, said, containers=(box(), pg) if with_pg else (box(),))

    # Issue 27: both sides are of now, so the contradiction is there at once (not after 300 s).
    early = [cycle(0)]
    assert only(run(*early), "self-report-contradicted").severity == "warning"
    late = [*early, cycle(200), cycle(400)]
    found = run(*late)
    assert "stuck-initializing" not in ids(found)
    c = only(found, "self-report-contradicted")
    assert "database 'initializing'" in c.title and "container sutazai-postgres running" in c.evidence
    # Without independent evidence it stays the old finding.
    assert "stuck-initializing" in ids(run(cycle(0, False), cycle(400, False)))


def test_booleans_and_unhealthy_against_an_up_dependency() -> None:
    said = health(0, services={"redis": "false", "rabbitmq": "false"})
    found = only(run(snapshot(0, said, probes=(redis_probe(True),))), "self-report-contradicted")
    assert "redis 'false'" in found.title and "rabbitmq" not in found.title  # nothing seen of rabbitmq


# ---------------------------------------------------------------- MCP, secrets


def test_mcp_router_failure_is_a_finding_with_the_log_line() -> None:
    mcp = EndpointStatus(
        name="mcp",
        url="http://127.0.0.1:10010/api/v1/mcp/status",
        kind=EndpointKind.MCP,
        state=State.DOWN,
        http_code=404,
        failure="mcp-router-failed",
        checked_at=at(0),
    )
    crash = line("mcp-logger", "Failed to load MCP router: name 'logger' is not defined")
    found = only(run(snapshot(0, mcp, logs=(backend_log(crash),))), "mcp-router-failed")
    assert "GET http://127.0.0.1:10010/api/v1/mcp/status → 404" in found.evidence
    assert "name 'logger' is not defined" in found.evidence and "started 120 s ago" in found.evidence


def test_findings_carry_evidence_lines_never_a_secret() -> None:
    # The log evidence is redacted when read (sources/engine/log_evidence); here a finding is built from it.
    masked = line("init-failed", "❌ Initialization failed: JWT_SECRET_KEY=•••")
    said = health(0, "refused")
    s = snapshot(0, said, containers=(box(started_at=at(-600)),), logs=(backend_log(masked, last=masked),))
    found = run(s, settings=SETTINGS)
    assert found and all(SECRET not in f.evidence + f.title + f.fix for f in found)
    assert "JWT_SECRET_KEY=•••" in only(found, "startup-hang").evidence
    assert timedelta(0) < at(0) - at(-1)


def test_container_findings_quote_the_containers_own_words() -> None:
    looping = box(state="restarting", restart_count=4, exit_code=1)
    why = LogEvidence(
        container=BACKEND,
        matches=(
            line("mode-normal", "Backend started in normal mode"),  # not a cause: left out
            line("field-required", "SECRET_KEY Field required [type=missing, input_value=•••]"),
        ),
    )
    found = only(run(snapshot(0, containers=(looping,), logs=(why,))), "restart-loop")
    assert found.evidence.endswith(
        "its log since the start: [23:14:30 UTC] SECRET_KEY Field required [type=missing, input_value=•••]"
    )
    assert "normal mode" not in found.evidence
