"""What the simulated backend answers in each phase, in the real backend's shapes (docs/backend.md).

The first phases tell the seed's incident (`--demo`); the others replay the real builds as measured
on their code (builds.py): the 2025-08-18 build's normal start, its lying `redis: healthy`, the
November 2025 line, and the start-up deadlock as it really looks (refused, or accepted and reset).
"""

from __future__ import annotations

from datetime import datetime

from sutazai_tui.demo import builds

# Phases of the incident, in order; `healthy` and `degraded` scenarios stay in one phase.
HANG = "hang"  # start-up deadlock: accepts connections, never answers
EMERGENCY = "emergency"  # emergency build up, services initializing, MCP bridge missing
INITIALIZING = "initializing"  # emergency build, bridge initializing
RECOVERED = "recovered"  # normal build, everything healthy
DEGRADED = "degraded"  # answers slowly, a sub-service stuck, MCP in error

# The real builds (measured on their code), one phase each.
BUILD_0818 = "build-0818"  # normal start of the 08-18 build, Redis and Postgres up
REDIS_DOWN_0818 = "redis-down-0818"  # the same build with Redis down: its answers do not change
NOVEMBER_DOWN = "november-down"  # the November 2025 line, its dependencies down
NOVEMBER_UP = "november-up"  # the November 2025 line, everything up
REFUSED = "refused"  # the deadlock on the container's port: uvicorn has not bound it yet
RESET = "reset"  # the deadlock through Docker's published port: accepted, then reset at once

# The 08-16 build in a restart loop, its port refusing: compose's `${JWT_SECRET}` with the variable
# unset gives it an empty JWT_SECRET ("must be at least 32 characters"), and JWT_SECRET_KEY is unset.
ENV_EMPTY_0816 = "env-empty-0816"
# The 08-16 build with Postgres stopped: "Application startup failed", exit 3, a start every ~12 s —
# a slow loop, caught `running` between two attempts.
POSTGRES_DOWN_0816 = "postgres-down-0816"

SCENARIOS: dict[str, tuple[str, ...]] = {
    "healthy": (RECOVERED,),
    "incident": (HANG, EMERGENCY, INITIALIZING, RECOVERED),
    "degraded": (DEGRADED,),
    "build-0818": (BUILD_0818,),
    "redis-down": (REDIS_DOWN_0818,),
    "november": (NOVEMBER_DOWN,),
    "november-healthy": (NOVEMBER_UP,),
    "deadlock-refused": (REFUSED,),
    "deadlock-reset": (RESET,),
    "env-empty": (ENV_EMPTY_0816,),
    "postgres-down": (POSTGRES_DOWN_0816,),
}
# Phases whose backend never listens (the deadlock, or a process that dies before uvicorn binds).
REFUSING = frozenset({REFUSED, ENV_EMPTY_0816, POSTGRES_DOWN_0816})
# The November line registers no rate limiter on these routes.
UNLIMITED = frozenset({NOVEMBER_DOWN, NOVEMBER_UP})
# What is really up behind each phase (for the fleet, probes and tests; the answers never look).
DEPENDENCIES: dict[str, dict[str, str]] = {
    BUILD_0818: {"redis": "up", "postgres": "up"},
    REDIS_DOWN_0818: {"redis": "down", "postgres": "up"},
    NOVEMBER_DOWN: {name: "down" for name in builds.NOVEMBER_SERVICES},
    NOVEMBER_UP: {name: "up" for name in builds.NOVEMBER_SERVICES},
    POSTGRES_DOWN_0816: {"redis": "up", "postgres": "down"},
}

Answer = builds.Answer


def _now() -> str:
    return datetime.now().isoformat()


def health(phase: str) -> Answer:
    """GET /health: always 200 "healthy"; the sub-services tell the truth."""
    database = "healthy" if phase == RECOVERED else "initializing"
    redis = "unhealthy" if phase == DEGRADED else "healthy"
    services = {
        "redis": redis,
        "database": database,
        "http_ollama": "configured",
        "http_agents": "configured",
        "http_external": "configured",
    }
    pool = "healthy" if phase == RECOVERED else "initializing"
    return 200, {
        "status": "healthy",
        "timestamp": _now(),
        "services": services,
        "performance": builds.performance(pool),
    }


def health_emergency(phase: str) -> Answer:
    """GET /health-emergency: 200 only while the emergency build runs."""
    if phase in (EMERGENCY, INITIALIZING):
        message = "Backend running in emergency mode - initialization bypassed"
        return 200, {"status": "emergency", "message": message, "timestamp": _now()}
    return 404, {"detail": "Not Found"}


def mcp_status(phase: str) -> Answer:
    """GET /api/v1/mcp/status."""
    if phase == EMERGENCY:
        detail = "MCP infrastructure not available. Check DinD containers and bridge modules."
        return 503, {"detail": detail}
    infra = {"dind_available": True, "mesh_available": True, "bridge_type": "MCPStdioBridge"}
    if phase == DEGRADED:
        return 200, {
            "status": "error",
            "error": "bridge process exited",
            "bridge_type": "MCPStdioBridge",
            "bridge_initialized": False,
            "service_count": 0,
            "dind_status": "error",
            "infrastructure": infra,
            "timestamp": "2025-08-16T23:36:00Z",
        }
    initializing = phase == INITIALIZING
    return 200, {
        "status": "initializing" if initializing else "operational",
        "bridge_type": "MCPStdioBridge",
        "bridge_initialized": not initializing,
        "service_count": 8 if initializing else 18,
        "dind_status": "not_connected" if initializing else "connected",
        "infrastructure": infra,
        "timestamp": "2025-08-16T23:36:00Z",
    }


ROUTES = {
    "/health": health,
    "/health-emergency": health_emergency,
    "/api/v1/mcp/status": mcp_status,
}


def respond(path: str, phase: str, state: builds.BuildState, authorized: bool) -> Answer:
    """The answer to `path` in `phase` (the hang, refused and reset phases never get here)."""
    if phase in (BUILD_0818, REDIS_DOWN_0818):
        return builds.august_0818(path, state, authorized)
    if phase in (NOVEMBER_DOWN, NOVEMBER_UP):
        return builds.november(path, state, up=phase == NOVEMBER_UP)
    route = ROUTES.get(path)
    return builds.NOT_FOUND if route is None else route(phase)
