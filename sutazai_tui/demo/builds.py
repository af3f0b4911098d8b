"""What the real builds answer, as measured on their code (docs/backend.md).

- The 2025-08-18 build started normally: `/health-emergency` answers 200 on every start (the route
  is registered unconditionally); `/health` keeps `database: initializing` forever and says
  `redis: initializing` until an API call has touched the cache, then `healthy` — even with Redis
  down; its `/api/v1/health/detailed` (token needed) says everything is healthy regardless.
- The November 2025 line: `/health` is liveness only; `/health/detailed` (no token) lists booleans
  with counts; `/metrics` is Prometheus text; no `/api/v1/health/detailed`, no emergency route,
  no MCP routes, no limiter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Body = dict[str, Any] | str
Answer = tuple[int, Body]

NOT_FOUND: Answer = (404, {"detail": "Not Found"})
EMERGENCY_BODY = {
    "status": "emergency",
    "message": "Backend running in emergency mode - initialization bypassed",
}
NOVEMBER_SERVICES = ("redis", "rabbitmq", "neo4j", "chromadb", "qdrant", "faiss", "consul", "kong", "ollama")
APP = "SutazAI Platform API"


def _now() -> str:
    return datetime.now().isoformat()


@dataclass
class BuildState:
    """What a build remembers between requests (the 08-18 cache is touched by the first API call)."""

    cache_touched: bool = False
    # The real state of the dependencies, for the fleet/probes side (never read by the answers:
    # these builds do not look before they answer).
    dependencies: dict[str, str] = field(default_factory=dict)


def performance(pool: str) -> dict[str, Any]:
    """/health's `performance` block; `pool` is the connection pool's status word."""
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


def august_0818(path: str, state: BuildState, authorized: bool) -> Answer:
    """The 2025-08-18 build after a normal start, whatever its dependencies really do."""
    if path.startswith("/api/v1/"):
        state.cache_touched = True  # any API call initialises the cache client; /health then says healthy
    if path == "/health":
        services = {
            "redis": "healthy" if state.cache_touched else "initializing",
            "database": "initializing",
            "http_ollama": "configured",
            "http_agents": "configured",
            "http_external": "configured",
        }
        return 200, {
            "status": "healthy",
            "timestamp": _now(),
            "services": services,
            # The pool manager it reads is never assigned on this build: initializing forever.
            "performance": performance("initializing"),
        }
    if path == "/health-emergency":
        return 200, {**EMERGENCY_BODY, "timestamp": _now()}
    if path == "/api/v1/health/detailed":
        if not authorized:
            return 401, {"error": "Unauthorized", "detail": "Authentication required", "path": path}
        service = {
            "status": "healthy",
            "response_time_ms": 2.1,
            "last_check": _now(),
            "consecutive_failures": 0,
            "circuit_breaker_state": "closed",
        }
        return 200, {
            "overall_status": "healthy",
            "services": {"redis": dict(service), "database": dict(service)},
            "system_resources": {"cpu_percent": 12.0, "memory_percent": 41.0},
            "alerts": [],
            "recommendations": [],
        }
    if path == "/api/v1/mcp/status":
        infra = {"dind_available": True, "mesh_available": True, "bridge_type": "MCPStdioBridge"}
        return 200, {
            "status": "operational",
            "bridge_type": "MCPStdioBridge",
            "bridge_initialized": True,
            "service_count": 18,
            "dind_status": "connected",
            "infrastructure": infra,
            "timestamp": "2025-08-16T23:36:00Z",
        }
    return NOT_FOUND


def november(path: str, state: BuildState, up: bool) -> Answer:
    """The November 2025 line; `up` is whether its nine dependencies answer it."""
    if path == "/health":
        return 200, {"status": "healthy", "app": APP}  # whatever the dependencies do
    if path == "/health/detailed":
        services = dict.fromkeys(NOVEMBER_SERVICES, up)
        healthy = sum(services.values())
        status = "healthy" if healthy == len(services) else "degraded"
        return 200, {
            "status": status,
            "app": APP,
            "version": "4.0.0",
            "services": services,
            "healthy_count": healthy,
            "total_services": len(services),
        }
    if path == "/metrics":
        lines = [
            "# HELP backend_service_status Service availability (1 up, 0 down)",
            "# TYPE backend_service_status gauge",
        ]
        lines += [f'backend_service_status{{service="{s}"}} {1.0 if up else 0.0}' for s in NOVEMBER_SERVICES]
        lines.append('http_requests_total{method="GET",path="/health"} 12.0')
        return 200, "\n".join(lines) + "\n"
    return NOT_FOUND
