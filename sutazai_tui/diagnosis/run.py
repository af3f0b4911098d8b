"""Diagnosis: say *why* the backend is sick, and what to do about it.

`diagnose(history, settings)` runs one small detector per finding id over the snapshots kept so
far and returns the findings, worst first. Detectors live in `sutazai_tui.diagnosis`; they are
pure functions (no I/O, no `textual`), so the TUI, `check` and a replay all agree.

Finding ids are stable: scripts match on them. `FINDINGS` explains each one in general terms;
the table in docs/operating.md "Findings" is generated from it (`findings_table()`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.diagnosis import containers, endpoints, evidence, load
from sutazai_tui.diagnosis.context import Context, Detector
from sutazai_tui.diagnosis.recreate import NEEDS_RECREATE
from sutazai_tui.models import Finding, Snapshot

# id -> (what it means, the fix in general). The order is the manual's (docs/operating.md).
FINDINGS: dict[str, tuple[str, str]] = {
    "startup-hang": (
        "the backend container runs past its start-up grace while /health gets no answer at all "
        "(refused, reset, closed empty or timed out: the real deadlock is refused on its port, "
        "reset through Docker's published port); evidence quotes its last log line before silence. "
        "Without engine data only 2+ cycles of accepted-but-silent count",
        "restart the backend; if it hangs again, the quoted log line is the last step that finished: "
        "deploy a build that times out initialization",
    ),
    "missing-env": (
        "a container lacks env vars it cannot start without, or has them empty or too short "
        "(`required_env`; the primary service's, whatever it is called: `primary_required_env`, default "
        "SECRET_KEY, JWT_SECRET and JWT_SECRET_KEY, ≥ 32 characters); names and value lengths are read, "
        "never values",
        "set every required name (≥ 32 characters) in the service's env file, check it with "
        "`docker compose config`, and recreate the container",
    ),
    "env-name-mismatch": (
        "one name of an alias group (`env_alias_groups`, default JWT_SECRET / JWT_SECRET_KEY) is set, "
        "its sibling is not: code reading the other name gets nothing",
        "set the missing name to the same value and recreate the container (the 2025-08-17 incident: "
        "config read JWT_SECRET, main.py checked JWT_SECRET_KEY)",
    ),
    "restart-loop": (
        "a container restarted 3+ times within 5 minutes (RestartCount against its creation and last "
        "start in one inspect, or counted across cycles), or is `restarting`; critical until no restart "
        "happened for 5 minutes, whatever state it is caught in",
        "stop it, read `docker logs --tail 50 <name>` for why each start fails, fix that (env: "
        "recreate; a dependency: bring it up), start it",
    ),
    "crashed": (
        "a container exited with a non-zero code (warning only for 137/143: killed or stopped by a signal)",
        "read `docker logs --tail 50 <name>`, fix the cause, `docker start <name>`",
    ),
    "oom-killed": (
        "the kernel killed a container for going over its memory limit",
        "raise its memory limit (`mem_limit` / `deploy.resources.limits.memory`) or cut its use, then "
        "start it",
    ),
    "emergency-build": (
        "/health-emergency answers 200 — which the emergency-fix build does on every start — AND the "
        "backend's log says it started in emergency mode (or timed out initializing): critical. The "
        "route alone is info: build deployed, mode normal/unknown from the log",
        "find why the normal start-up failed (logs, the other findings), fix it, rebuild and recreate "
        "the backend from the normal build",
    ),
    "stale-image": (
        "a container runs an older image than its tag now names: rebuilt, not redeployed",
        "recreate it from the new image",
    ),
    "stuck-initializing": (
        "a /health sub-service stays `initializing` longer than `stuck_initializing` (default 300 s) "
        "while /health itself says healthy",
        "check what it connects to (database → sutazai-postgres, redis → sutazai-redis), read the "
        "backend's logs, restart the backend",
    ),
    "unhealthy": (
        "a container's own Docker HEALTHCHECK fails",
        "read the probe's output (`docker inspect --format '{{json .State.Health}}' <name>`), fix what "
        "it checks, restart the container",
    ),
    "self-report-contradicted": (
        "the backend says a dependency is healthy (or down, or initializing) while its container, a "
        "direct probe or the backend's own log says otherwise, at once when both are of now; both "
        "sides quoted with their times. Info when /health only sits at `initializing` and the probes "
        "and the detailed health say up (the 2025-08-18 build, always)",
        "believe the independent evidence: bring up what is down; a restart only where it changes the answer",
    ),
    "dependency-down": (
        "a direct probe of a dependency (Redis PING, Postgres SSLRequest, TCP) fails while its "
        "container runs: hung (connected, no answer) or refusing",
        "a hung process: `docker kill -s CONT <name>` if stopped, else restart it; check the probe's address",
    ),
    "mcp-router-failed": (
        "the MCP routes answer 404 and the backend's log shows the MCP router crashed while loading "
        "(`name 'logger' is not defined`)",
        "deploy a build with the MCP module fixed and recreate the backend",
    ),
    "cpu-saturated": (
        "a running container uses ≥ `cpu_saturated_percent` (default 90 %) of a core for "
        "`cpu_saturated_cycles` (default 3) cycles in a row",
        "see what it loops on (`docker top`, its logs), restart it to relieve the host, fix the loop",
    ),
}

# id -> the evidence it rests on, strongest first (docs/backend.md "What each verdict rests on":
# the engine, the container's log, a direct probe, and last the backend's self-report).
# docs/operating.md's table shows it.
RESTS_ON: dict[str, str] = {
    "startup-hang": "engine (running, start time) + transport failure of /health + the log's last line",
    "missing-env": "engine (env names, value lengths)",
    "env-name-mismatch": "engine (env names)",
    "restart-loop": "engine (restart count against created/started times, state)",
    "crashed": "engine (exit code)",
    "oom-killed": "engine (OOMKilled)",
    "emergency-build": "the log's mode line; the route's 200 alone is info only",
    "stale-image": "engine (image ids)",
    "stuck-initializing": "self-report only, and only while no probe/container/log says the dependency is up",
    "unhealthy": "engine (the container's own health check)",
    "self-report-contradicted": "engine + probe + log against the self-report",
    "dependency-down": "probe (and the engine: its container runs)",
    "mcp-router-failed": "the log's MCP router error + the 404",
    "cpu-saturated": "engine (CPU % per cycle)",
}

# One detector per id, in the same order as FINDINGS (a test holds them to each other).
DETECTORS: dict[str, Detector] = {
    "startup-hang": endpoints.startup_hang,
    "missing-env": containers.missing_env,
    "env-name-mismatch": containers.env_name_mismatch,
    "restart-loop": containers.restart_loop,
    "crashed": containers.crashed,
    "oom-killed": containers.oom_killed,
    "emergency-build": endpoints.emergency_build,
    "stale-image": containers.stale_image,
    "stuck-initializing": endpoints.stuck_initializing,
    "unhealthy": containers.unhealthy,
    "self-report-contradicted": evidence.self_report_contradicted,
    "dependency-down": evidence.dependency_down,
    "mcp-router-failed": evidence.mcp_router_failed,
    "cpu-saturated": load.cpu_saturated,
}

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    """Critical before warning before info; then by subject and id, so the order is stable."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.subject, f.id))


def diagnose(history: History, settings: Settings, now: datetime | None = None) -> list[Finding]:
    """Every finding the history supports now, worst first (severity, then subject, then id).

    `now` defaults to the newest snapshot's time, so a replay diagnoses as it did live and the
    result depends on the data alone. Findings describe the newest snapshot: once a cause is
    fixed, the next cycle's diagnosis no longer has it.
    """
    return diagnose_snapshots(history.snapshots, settings, now)


def diagnose_snapshots(
    snapshots: Iterable[Snapshot], settings: Settings, now: datetime | None = None
) -> list[Finding]:
    """`diagnose` over any snapshots, oldest first (a recording, a test's hand-made list)."""
    kept = tuple(snapshots)
    if not kept:
        return []
    ctx = Context(snapshots=kept, settings=settings, now=now or kept[-1].taken_at)
    found = [finding for detect in DETECTORS.values() for finding in detect(ctx)]
    return worst_first(found)


# A fix that needs a recreate: the finding prints the exact command (docs/operating.md, below the table).
RECREATE_CELL = "**yes**: a restart will not help"


def findings_table() -> str:
    """docs/operating.md's findings table, as markdown: id | means | rests on | fix | recreate?"""
    recreate = NEEDS_RECREATE
    rows = ["| id | means | rests on | fix | recreate? |", "|---|---|---|---|---|"]
    rows += [
        f"| `{fid}` | {means} | {RESTS_ON[fid]} | {fix} | {RECREATE_CELL if fid in recreate else 'no'} |"
        for fid, (means, fix) in FINDINGS.items()
    ]
    return "\n".join(rows)
