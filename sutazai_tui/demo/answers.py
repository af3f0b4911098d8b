"""What the simulated backend answers in each phase, in the real backend's shapes (BACKEND.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Phases of the incident, in order; `healthy` and `degraded` scenarios stay in one phase.
HANG = "hang"  # start-up deadlock: accepts connections, never answers
EMERGENCY = "emergency"  # emergency build up, services initializing, MCP bridge missing
INITIALIZING = "initializing"  # emergency build, bridge initializing
RECOVERED = "recovered"  # normal build, everything healthy
DEGRADED = "degraded"  # answers slowly, a sub-service stuck, MCP in error

PHASES = (HANG, EMERGENCY, INITIALIZING, RECOVERED, DEGRADED)
SCENARIOS: dict[str, tuple[str, ...]] = {
    "healthy": (RECOVERED,),
    "incident": (HANG, EMERGENCY, INITIALIZING, RECOVERED),
    "degraded": (DEGRADED,),
}

Answer = tuple[int, dict[str, Any]]


def _now() -> str:
    return datetime.now().isoformat()


def _performance(pool: str) -> dict[str, Any]:
    return {
        "cache_stats": {
            "status": "available",
            "hit_rate": 0.85,
            "local_cache_size": 100,
            "operations_per_second": 5000,
        },
        "ollama_stats": {
            "status": "configured",
            "model_loaded": "tinyllama",
            "avg_response_time": 150,
            "queue_size": 0,
        },
        "task_queue_stats": {"status": "healthy", "workers": 5, "pending_tasks": 0},
        "connection_pool_stats": {"status": pool, "db_connections": 20, "redis_connections": 10},
    }


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
        "performance": _performance(pool),
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
