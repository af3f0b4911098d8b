"""Issue 27, rule by rule, on hand-made snapshots: each "Why" bullet as a scenario that failed before.

- the 08-18 build's /health stuck at `initializing` with everything else saying up: OK with a note;
- a loop caught `running` between attempts, from one inspect, with hysteresis;
- could-not-ask never improves a verdict (a discovered detailed path not asked);
- required variables per build, values' lengths not only names, keyed on the primary whatever its name;
- the real builds' log lines, the log of this start only, the engine unreachable = UNKNOWN with advice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.evidence import join_evidence
from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.diagnosis.run import diagnose_snapshots
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    ProbeResult,
    Snapshot,
    State,
    container_state,
)
from sutazai_tui.sources.backend.releases import DISCOVERING, join_lines
from sutazai_tui.sources.engine.client import describe_fault
from sutazai_tui.sources.engine.details import LogLine
from sutazai_tui.sources.engine.log_evidence import Matcher, _start_ns
from sutazai_tui.sources.engine.loops import LoopTracker
from sutazai_tui.util.redact import Redactor

T0 = datetime(2026, 12, 7, 15, 46, 26, tzinfo=UTC)
BACKEND = "sutazai-backend"
ENV = ("SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY")
LONG = dict.fromkeys(ENV, 64)


def box(name: str, **kw: Any) -> ContainerStats:
    values: dict[str, Any] = {"id": f"{name}-id", "state": "running", "started_at": T0 - timedelta(hours=1)}
    values["created_at"] = T0 - timedelta(hours=2)
    return ContainerStats(name=name, **(values | kw))


def fleet(*boxes: ContainerStats) -> ContainersStatus:
    return ContainersStatus(
        engine="unix:///var/run/docker.sock", state=State.OK, containers=boxes, checked_at=T0
    )


def probe(name: str, up: bool, **kw: Any) -> ProbeResult:
    detail = "PING → +PONG" if name == "redis" else "SSLRequest → N"
    return ProbeResult(name=name, kind=name, address="127.0.0.1:1", up=up, detail=detail, checked_at=T0, **kw)


def health_0818(**kw: Any) -> EndpointStatus:
    services = {"redis": "initializing", "database": "initializing", "http_ollama": "configured"}
    values: dict[str, Any] = {"state": State.DEGRADED, "reason": "still initializing: redis, database"}
    values |= {"status": "healthy", "services": services, "http_code": 200, "checked_at": T0}
    return EndpointStatus(name="health", url="http://h/health", kind=EndpointKind.HEALTH, **(values | kw))


def detailed_v1(**services: str) -> EndpointStatus:
    return EndpointStatus(
        name="detailed-v1",
        url="http://h/api/v1/health/detailed",
        kind=EndpointKind.DETAILED,
        state=State.OK,
        reason="says healthy",
        services=services,
        http_code=200,
        checked_at=T0,
    )


def ids(found: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in found}


def healthy_deps() -> ContainersStatus:
    return fleet(box(BACKEND, env_names=ENV, env_lengths=LONG), box("sutazai-postgres"), box("sutazai-redis"))


# ---------------------------------------------------------------- 1. evidence ranks, then decides


def test_0818_stuck_initializing_with_probes_and_detailed_up_is_ok_with_a_note() -> None:
    snap = Snapshot(
        taken_at=T0,
        endpoints=(health_0818(), detailed_v1(redis="healthy", database="healthy")),
        containers=healthy_deps(),
        probes=(probe("redis", True), probe("postgres", True)),
    )
    joined = join_evidence(snap, BACKEND)
    health = joined.endpoint("health")
    assert health is not None and health.state is State.OK
    assert "self-report stuck at initializing (redis, database)" in health.reason
    assert health.reason.endswith("containers, probes and /api/v1/health/detailed say up")
    found = diagnose_snapshots([joined], Settings())
    c = ids(found)["self-report-contradicted"]  # at once (both sides are of now), in `check` too
    assert c.severity == "info" and "restart" not in c.fix.replace("a restart will not change", "")
    assert "bring" not in c.fix
    assert assess(joined, found).level is Level.OK  # the daily false alarm is gone


def test_without_the_detailed_agreeing_it_stays_degraded_and_the_contradiction_warns_at_once() -> None:
    snap = Snapshot(
        taken_at=T0, endpoints=(health_0818(),), containers=healthy_deps(), probes=(probe("redis", True),)
    )
    joined = join_evidence(snap, BACKEND)
    assert joined.endpoint("health").state is State.DEGRADED  # type: ignore[union-attr]
    c = ids(diagnose_snapshots([joined], Settings()))["self-report-contradicted"]
    assert c.severity == "warning" and "redis 'initializing'" in c.title and "PING → +PONG" in c.evidence
    # A detailed answer saying down (or the probe failing) keeps it DEGRADED too.
    down = snap.model_copy(
        update={"endpoints": (health_0818(), detailed_v1(redis="unhealthy", database="healthy"))}
    )
    assert join_evidence(down, BACKEND).endpoint("health").state is State.DEGRADED  # type: ignore[union-attr]


def test_november_contradiction_quotes_the_endpoint_that_said_it_not_the_liveness_health() -> None:
    # /health answered {"status":"healthy","app":…}: its services are borrowed from /health/detailed.
    live = EndpointStatus(
        name="health",
        url="http://h/health",
        kind=EndpointKind.HEALTH,
        state=State.DEGRADED,
        services={"redis": "unhealthy"},
        details={"liveness_only": True},
        checked_at=T0,
    )
    detailed = detailed_v1(redis="unhealthy").model_copy(
        update={"name": "detailed", "url": "http://h/health/detailed"}
    )
    snap = Snapshot(
        taken_at=T0, endpoints=(live, detailed), containers=healthy_deps(), probes=(probe("redis", True),)
    )
    [c] = [f for f in diagnose_snapshots([snap], Settings()) if f.id == "self-report-contradicted"]
    assert c.subject == "detailed" and "GET http://h/health/detailed" in c.evidence


def test_an_ok_emergency_panel_never_carries_the_routes_emergency_text() -> None:
    from sutazai_tui.models import LogEvidence, LogMatch

    route = EndpointStatus(
        name="emergency",
        url="http://h/health-emergency",
        kind=EndpointKind.EMERGENCY,
        state=State.EMERGENCY,
        http_code=200,
        message="Backend running in emergency mode - initialization bypassed",
        checked_at=T0,
    )
    normal = LogMatch(signature="mode-normal", text="app.main - INFO - Backend started in normal mode", at=T0)
    log = LogEvidence(container=BACKEND, matches=(normal,))
    for logs in ((log,), ()):
        [e] = join_evidence(Snapshot(taken_at=T0, endpoints=(route,), logs=logs), BACKEND).endpoints
        assert e.state is State.OK and e.message is None and "emergency-fix build deployed" in e.reason


def test_a_probe_with_no_answer_is_a_hung_dependency_finding() -> None:
    hung = probe("redis", False, hung=True).model_copy(
        update={"detail": "connected, no answer within 2 s: hung"}
    )
    snap = Snapshot(taken_at=T0, containers=healthy_deps(), probes=(hung,))
    f = ids(diagnose_snapshots([snap], Settings()))["dependency-down"]
    assert f.severity == "critical" and f.subject == "sutazai-redis" and "hung" in f.title
    assert "docker kill -s CONT sutazai-redis" in f.fix
    assert assess(snap, [f]).level is Level.CRITICAL
    # The real start-up hang (Redis SIGSTOPped at start): the hang's evidence names the hung probe
    # and its fix brings Redis back first.
    refused = EndpointStatus(
        name="health",
        url="http://h/health",
        kind=EndpointKind.HEALTH,
        state=State.DOWN,
        failure="refused",
        reason="connection refused",
        checked_at=T0,
    )
    hang_snap = snap.model_copy(update={"endpoints": (refused,)})
    hang = ids(diagnose_snapshots([hang_snap], Settings()))["startup-hang"]
    assert "probe redis 127.0.0.1:1: connected, no answer within 2 s: hung" in hang.evidence
    assert hang.fix.startswith("first bring redis back")


# ---------------------------------------------------------------- 2. loops from counts and times


def test_one_inspect_of_a_loop_caught_running_is_a_loop() -> None:
    # busybox `sleep 1; exit 3`, restart policy always: restarts 3 at 4 s old, caught between attempts.
    c = box("sutazai-loop", created_at=T0 - timedelta(seconds=4), started_at=T0 - timedelta(seconds=0.3))
    c = c.model_copy(update={"restart_count": 3})
    [marked] = LoopTracker().mark_all([c], T0)
    assert marked.looping_since is not None and container_state(marked) is State.DOWN
    snap = Snapshot(taken_at=T0, containers=fleet(marked))
    found = diagnose_snapshots([snap], Settings())
    loop = ids(found)["restart-loop"]
    assert loop.severity == "critical" and "caught running between two attempts" in loop.title
    assert assess(snap, found).level is Level.CRITICAL


def test_the_loop_holds_until_five_minutes_without_a_restart_then_ends_once() -> None:
    tracker, states = LoopTracker(), []
    created = T0
    for k in range(40):  # a slow loop: a start every 12 s for 2 minutes, then it stays up
        now = T0 + timedelta(seconds=6 * k)
        restarts = min(k // 2, 10)
        started = created + timedelta(seconds=12 * restarts)
        c = box("sutazai-slow", created_at=created, started_at=started, restart_count=restarts)
        [m] = tracker.mark_all([c], now)
        states.append(m.looping_since is not None)
    first = states.index(True)
    assert first <= 6  # 3 restarts, 36 s in: a loop (CRITICAL within 60 s)
    # from then on, no flip back between attempts, until 5 minutes after the last restart
    last_restart_at = 6 * 20 // 6  # the tenth restart was seen at cycle 20
    assert all(states[first : last_restart_at + 1])
    late = box(
        "sutazai-slow", created_at=created, started_at=created + timedelta(seconds=120), restart_count=10
    )
    [gone] = tracker.mark_all([late], created + timedelta(seconds=120 + 301))
    assert gone.looping_since is None and container_state(gone) is State.OK


def test_the_containers_line_of_check_is_the_worst_of_its_rows() -> None:
    import io

    from sutazai_tui.cli.check import render_text

    looping = box("sutazai-loop", state="restarting", restart_count=4)
    snap = Snapshot(taken_at=T0, containers=fleet(box("sutazai-ok"), looping))
    out = io.StringIO()
    render_text(snap, assess(snap), out)
    assert "CONTAINERS on unix:///var/run/docker.sock: DOWN" in out.getvalue()


# ---------------------------------------------------------------- 3. could-not-ask never improves


def test_a_detailed_path_not_asked_makes_a_liveness_health_unknown_never_ok() -> None:
    live = EndpointStatus(
        name="health",
        url="http://h/health",
        kind=EndpointKind.HEALTH,
        state=State.OK,
        reason="liveness only",
        http_code=200,
        details={"liveness_only": True},
    )
    unasked = EndpointStatus(
        name="detailed",
        url="http://h/health/detailed",
        kind=EndpointKind.DETAILED,
        failure="skipped-budget",
        reason="not asked: budget spent",
        details={DISCOVERING: True},
    )
    joined = join_lines([live, unasked])
    assert [e.name for e in joined] == ["health", "detailed"]
    assert joined[0].state is State.UNKNOWN and DISCOVERING not in joined[1].details
    assert assess(Snapshot(endpoints=joined)).level is Level.UNKNOWN
    # Not a liveness line: the candidate not asked is dropped (the /health services tell).
    full = live.model_copy(update={"details": {}, "services": {"redis": "healthy"}})
    assert [e.name for e in join_lines([full, unasked])] == ["health"]


# ---------------------------------------------------------------- 4. required variables, values too


def test_empty_jwt_secret_is_named_and_the_fix_names_every_required_variable() -> None:
    labels = {
        "com.docker.compose.project": "sutazai",
        "com.docker.compose.service": "backend",
        "com.docker.compose.project.working_dir": "/opt/sutazaiapp/docker",
    }
    c = box(
        BACKEND,
        state="restarting",
        restart_count=5,
        env_names=("SECRET_KEY", "JWT_SECRET"),
        env_lengths={"SECRET_KEY": 64, "JWT_SECRET": 0},
        labels=labels,
    )
    found = ids(diagnose_snapshots([Snapshot(taken_at=T0, containers=fleet(c))], Settings()))
    env = found["missing-env"]
    assert env.title == f"{BACKEND} lacks required env var JWT_SECRET_KEY; JWT_SECRET is set but empty"
    assert (
        "JWT_SECRET set but empty — compose's `${JWT_SECRET}` with the variable unset gives that"
        in env.evidence
    )
    assert env.fix.startswith("set JWT_SECRET_KEY and JWT_SECRET (≥ 32 characters each")
    assert "needs all of SECRET_KEY, JWT_SECRET and JWT_SECRET_KEY" in env.fix
    assert "`cd /opt/sutazaiapp/docker && docker compose config`" in env.fix or " config`" in env.fix
    assert env.fix.index(" config`") < env.fix.index("recreate the container")
    assert "recreate the container" in found["restart-loop"].fix  # the loop's fix is the recreate
    short = c.model_copy(update={"env_names": ENV, "env_lengths": LONG | {"SECRET_KEY": 12}})
    [s] = [
        f
        for f in diagnose_snapshots([Snapshot(taken_at=T0, containers=fleet(short))], Settings())
        if f.id == "missing-env"
    ]
    assert "SECRET_KEY is too short" in s.title and "SECRET_KEY is 12 characters, needs ≥ 32" in s.evidence


def test_required_env_follows_the_primary_service_whatever_it_is_called() -> None:
    api = box(
        "acme-api",
        state="restarting",
        restart_count=4,
        env_names=("SECRET_KEY",),
        env_lengths={"SECRET_KEY": 64},
    )
    settings = Settings(primary_service="acme-api", container_prefix="acme-")
    found = ids(diagnose_snapshots([Snapshot(taken_at=T0, containers=fleet(api))], settings))
    assert "JWT_SECRET and JWT_SECRET_KEY" in found["missing-env"].title
    assert "docker start" not in found["restart-loop"].fix and "recreate" in found["restart-loop"].fix
    assert settings.required_env_names() == ["JWT_SECRET", "JWT_SECRET_KEY", "SECRET_KEY"]


# ---------------------------------------------------------------- 5. the real builds' own lines


def feed(*texts: str) -> Matcher:
    m = Matcher(Redactor(()))
    base = int(T0.timestamp()) * 1_000_000_000
    m.feed([LogLine(base + k * 1_000_000_000, t) for k, t in enumerate(texts)])
    return m


def test_the_real_builds_lines_are_recognised_exactly() -> None:
    m = feed(
        # 08-16, Redis refused at start (docs/backend.md, measured on the real code)
        "2026-12-07 15:46:24,101 - app.core.cache - ERROR - Redis get error for key x: "
        "Error 111 connecting to sutazai-redis:6379. Connection refused.",
        # the November line
        "2026-12-07 15:46:24,102 - app.core.cache - ERROR - Redis connection failed: Error 111 connecting "
        "to sutazai-redis:6379. Connection refused.",
        # 08-18
        "❌ Failed to connect to Redis: Error 111 connecting to 127.0.0.1:6379. Connection refused.",
        "  Value error, JWT_SECRET must be at least 32 characters [type=value_error, input_value='', "
        "input_type=str]",
        "ERROR:    Application startup failed. Exiting.",
        "JWT_SECRET_KEY must be set with a secure value (at least 32 characters)",
    )
    assert [x.signature for x in m.matches] == [
        "redis-connect",
        "redis-connect",
        "redis-connect",
        "value-too-short",
        "startup-failed",
        "jwt-secret-key",
    ]
    assert m.matches[3].detail == "JWT_SECRET"


def test_the_log_of_this_start_never_reaches_back_into_the_previous_run() -> None:
    finished = T0 - timedelta(seconds=1, microseconds=500_000)  # the last start exited at 15:46:24.5
    since = _start_ns(T0, finished)
    assert since > int(finished.timestamp() * 1e9)  # its lines (15:46:24) are not under "since 15:46:26"
    assert _start_ns(T0) == int(T0.timestamp()) * 1_000_000_000 - 2_000_000_000  # no earlier run: slack


def test_an_unreachable_engine_is_unknown_with_advice_fitting_its_address() -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    tcp = describe_fault(refused, "tcp://127.0.0.1:1", 5)
    assert "start dockerd" not in tcp and "check that a daemon listens at tcp://127.0.0.1:1" in tcp
    assert "check ssh access" in describe_fault(refused, "ssh://ops@db1", 5)
    assert "start dockerd" in describe_fault(refused, "unix:///var/run/docker.sock", 5)
    down = ContainersStatus(engine="tcp://127.0.0.1:1", state=State.DOWN, reason=tcp)
    assert assess(Snapshot(containers=down)).level is Level.UNKNOWN
