"""Every reading rule of docs/backend.md, one assertion each."""

from __future__ import annotations

from sutazai_tui.models import EndpointKind, State
from sutazai_tui.sources.backend.classify import judge

HEALTHY = {"redis": "healthy", "database": "healthy"}


def test_health_all_healthy_is_ok() -> None:
    v = judge(EndpointKind.HEALTH, 200, {"status": "healthy", "services": HEALTHY}, False)
    assert v.state is State.OK and v.reason == "healthy, 2 services"


def test_health_says_healthy_while_a_service_initializes() -> None:
    body = {"status": "healthy", "services": {"redis": "healthy", "database": "initializing"}}
    v = judge(EndpointKind.HEALTH, 200, body, False)
    assert v.state is State.DEGRADED
    assert v.reason == "still initializing: database"


def test_health_with_an_unhealthy_service_is_degraded() -> None:
    body = {"status": "healthy", "services": {"redis": "unhealthy"}}
    assert judge(EndpointKind.HEALTH, 200, body, False).reason == "unhealthy: redis"


def test_health_fallback_answer_is_degraded() -> None:
    body = {
        "status": "healthy",
        "services": {"system": "ultra_healthy"},
        "performance": {"ultrafix_fallback": True},
    }
    v = judge(EndpointKind.HEALTH, 200, body, False)
    assert v.state is State.DEGRADED and "fallback" in v.reason


def test_newer_health_line_without_services_is_accepted() -> None:
    v = judge(EndpointKind.HEALTH, 200, {"status": "healthy", "app": "SutazAI Platform API"}, False)
    assert v.state is State.OK and v.reason == "liveness only"
    assert v.details == {"app": "SutazAI Platform API", "liveness_only": True}


def test_emergency_present_and_absent() -> None:
    body = {"status": "emergency", "message": "Backend running in emergency mode - initialization bypassed"}
    assert judge(EndpointKind.EMERGENCY, 200, body, False).state is State.EMERGENCY
    absent = judge(EndpointKind.EMERGENCY, 404, {"detail": "Not Found"}, False)
    assert absent.state is State.OK and absent.failure is None


def test_mcp_states() -> None:
    ok = {
        "status": "operational",
        "bridge_type": "MCPStdioBridge",
        "bridge_initialized": True,
        "service_count": 18,
        "dind_status": "connected",
    }
    v = judge(EndpointKind.MCP, 200, ok, False)
    assert v.state is State.OK and v.details["services"] == 18
    assert judge(EndpointKind.MCP, 200, {**ok, "status": "initializing"}, False).state is State.DEGRADED
    err = judge(EndpointKind.MCP, 200, {"status": "error", "error": "boom", "service_count": 0}, False)
    assert err.state is State.DOWN and "boom" in err.reason
    detail = "MCP module import failed - check backend logs"
    down = judge(EndpointKind.MCP, 503, {"detail": detail}, False)
    assert down.state is State.DOWN and down.reason == f"503: {detail}"
    absent = judge(EndpointKind.MCP, 404, None, False)
    assert absent.state is State.UNKNOWN and absent.failure == "mcp-absent"
    assert "crashed while loading" in absent.reason


def test_auth_errors_say_what_to_do() -> None:
    assert "token missing" in judge(EndpointKind.HEALTH, 401, {}, False).reason
    assert "token rejected" in judge(EndpointKind.HEALTH, 401, {}, True).reason
    assert "scope" in judge(EndpointKind.GENERIC, 403, {}, True).reason


def test_generic_accepts_any_2xx() -> None:
    assert judge(EndpointKind.GENERIC, 204, None, False).state is State.OK
    assert (
        judge(EndpointKind.GENERIC, 500, {"detail": "Internal server error"}, False).reason
        == "HTTP 500: Internal server error"
    )
