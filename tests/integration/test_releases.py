"""Both backend lines and could-not-ask: every classification rule of issue 13's HTTP side, one test each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.models import EndpointKind, EndpointStatus, Snapshot, State
from sutazai_tui.sources.backend.classify import judge, service_word
from sutazai_tui.sources.backend.releases import join_lines, judge_any, judge_detailed, judge_prometheus
from tests.hostile import METRICS

NOVEMBER_DETAILED = {
    "status": "degraded",
    "app": "SutazAI Platform API",
    "version": "4.0.0",
    "services": {"redis": False, "rabbitmq": False, "neo4j": False},
    "healthy_count": 0,
    "total_services": 9,
}


def test_service_forms_strings_objects_and_booleans() -> None:
    assert service_word("initializing") == "initializing"
    assert service_word(True) == "healthy" and service_word(False) == "unhealthy"
    assert service_word({"status": "healthy", "response_time_ms": 3}) == "healthy"
    assert service_word({"healthy": False, "available": True}) == "unhealthy"
    assert service_word(1) == "healthy" and service_word(0.0) == "unhealthy"
    assert service_word(["odd"]) == "unknown" and service_word("") == "unknown"


def test_health_with_boolean_services_is_read_not_rejected() -> None:
    v = judge(EndpointKind.HEALTH, 200, {"status": "healthy", "services": {"redis": False}}, False)
    assert v.state is State.DEGRADED and v.reason == "unhealthy: redis"
    assert v.services == {"redis": "unhealthy"}


def test_health_with_object_services() -> None:
    body = {
        "status": "healthy",
        "services": {"redis": {"status": "healthy"}, "db": {"status": "initializing"}},
    }
    v = judge(EndpointKind.HEALTH, 200, body, False)
    assert v.state is State.DEGRADED and v.reason == "still initializing: db"


def test_detailed_november_booleans_name_the_unhealthy_services() -> None:
    v = judge_detailed(NOVEMBER_DETAILED)
    assert v.state is State.DEGRADED
    assert "0 of 9 services healthy" in v.reason
    assert "unhealthy: redis, rabbitmq, neo4j" in v.reason
    assert v.details == {"healthy": 0, "total": 9}


def test_detailed_august_objects_with_overall_status() -> None:
    body = {
        "overall_status": "healthy",
        "services": {"redis": {"status": "healthy"}, "database": {"status": "healthy"}},
    }
    v = judge_detailed(body)
    assert v.state is State.OK and v.status == "healthy" and "2 of 2 services healthy" in v.reason


def test_detailed_critical_is_down_and_a_sick_service_under_healthy_is_degraded() -> None:
    assert judge_detailed({"overall_status": "critical", "services": {}}).state is State.DOWN
    assert judge_detailed({"overall_status": "unknown", "services": {}}).state is State.UNKNOWN
    lying = judge_detailed({"status": "healthy", "services": {"redis": "unhealthy"}})
    assert lying.state is State.DEGRADED and "unhealthy: redis" in lying.reason


def test_detailed_of_the_wrong_shape_says_so() -> None:
    assert judge_detailed(["x"]).failure == "bad-shape"
    assert judge_detailed({"status": "healthy", "services": ["redis"]}).failure == "bad-shape"
    assert judge_detailed({"services": {}}).failure == "bad-shape"


def test_prometheus_service_status_samples() -> None:
    v = judge_prometheus(200, METRICS)
    assert v.services == {"redis": "unhealthy", "neo4j": "healthy", "qdrant": "healthy"}
    assert v.state is State.DEGRADED and v.reason == "2 of 3 services up; down: redis"
    assert judge_prometheus(200, 'backend_service_status{service="redis"} 1\n').state is State.OK


def test_prometheus_without_samples_or_token() -> None:
    assert judge_prometheus(200, "# nothing\nother_metric 1\n").failure == "bad-shape"
    denied = judge_any(EndpointKind.PROMETHEUS, 401, None, "# ERROR: Authentication required", False, None)
    assert denied.state is State.DOWN and denied.failure == "auth" and "token" in denied.reason


def test_403_with_x_block_reason_is_unknown_blocked_not_scope() -> None:
    v = judge(EndpointKind.HEALTH, 403, {"error": "x"}, True, block_reason="Repeated rate limit violations")
    assert v.state is State.UNKNOWN and v.failure == "blocked"
    assert v.reason == (
        "this host's IP is blocked by the backend's rate limiter (Repeated rate limit violations); "
        "the block lasts up to an hour"
    )
    assert "scope" not in v.reason


def test_403_block_known_from_the_body_alone() -> None:
    body = {"error": "IP temporarily blocked due to repeated violations"}
    v = judge(EndpointKind.MCP, 403, body, False)
    assert v.failure == "blocked" and "IP temporarily blocked" in v.reason


def test_403_without_block_is_the_scope() -> None:
    v = judge(EndpointKind.GENERIC, 403, {"detail": "insufficient scope"}, True)
    assert v.state is State.DOWN and v.failure == "auth" and "lacks the scope" in v.reason


def test_mcp_404_says_it_may_be_a_crashed_router() -> None:
    v = judge(EndpointKind.MCP, 404, {"detail": "Not Found"}, False)
    assert v.state is State.UNKNOWN and v.failure == "mcp-absent" and v.status == "absent"
    assert "crashed while loading" in v.reason


def _status(name: str, kind: EndpointKind, **kw: object) -> EndpointStatus:
    fields: dict[str, object] = {"state": State.OK, "reason": "x", "checked_at": datetime.now(UTC)}
    fields.update(kw)
    return EndpointStatus(name=name, url=f"http://127.0.0.1:1/{name}", kind=kind, **fields)


LIVENESS = {"details": {"app": "SutazAI Platform API", "liveness_only": True}, "reason": "liveness only"}


def test_liveness_only_health_takes_the_detailed_state() -> None:
    v = judge_detailed(NOVEMBER_DETAILED)
    detailed = _status("detailed", EndpointKind.DETAILED, state=v.state, reason=v.reason, services=v.services)
    health, _ = join_lines([_status("health", EndpointKind.HEALTH, **LIVENESS), detailed])
    assert health.state is State.DEGRADED
    assert health.reason.startswith("liveness only; /detailed: ")
    assert "unhealthy: redis" in health.reason and health.services["redis"] == "unhealthy"


def test_liveness_only_without_detailed_says_so_and_stays_ok() -> None:
    (health,) = join_lines([_status("health", EndpointKind.HEALTH, **LIVENESS)])
    assert health.state is State.OK and health.reason.startswith("liveness only:")


def test_liveness_only_with_detailed_not_asked_is_unknown() -> None:
    unasked = _status("detailed", EndpointKind.DETAILED, state=State.UNKNOWN, failure="rate-limited")
    health, _ = join_lines([_status("health", EndpointKind.HEALTH, **LIVENESS), unasked])
    assert health.state is State.UNKNOWN and "not asked" in health.reason


def test_mcp_404_on_the_liveness_line_is_ok_and_elsewhere_stays_unknown() -> None:
    mcp = _status("mcp", EndpointKind.MCP, state=State.UNKNOWN, failure="mcp-absent")
    _, joined = join_lines([_status("health", EndpointKind.HEALTH, **LIVENESS), mcp])
    assert joined.state is State.OK and joined.failure is None and "November" in joined.reason
    _, kept = join_lines([_status("health", EndpointKind.HEALTH, services={"redis": "healthy"}), mcp])
    assert kept.state is State.UNKNOWN and kept.failure == "mcp-absent"


def _assess(*endpoints: EndpointStatus) -> Level:
    return assess(Snapshot(endpoints=endpoints)).level


def test_a_429_never_improves_check() -> None:
    down = _status("health", EndpointKind.HEALTH, state=State.DOWN)
    was_emergency = _status(
        "emergency",
        EndpointKind.EMERGENCY,
        state=State.UNKNOWN,
        failure="rate-limited",
        last_state=State.EMERGENCY,
        last_checked_at=datetime.now(UTC) - timedelta(seconds=30),
    )
    assert _assess(was_emergency, _status("mcp", EndpointKind.MCP, state=State.DEGRADED)) is Level.CRITICAL
    assert _assess(down, was_emergency) is Level.CRITICAL


def test_not_asked_without_history_is_unknown_over_warning_but_under_critical() -> None:
    blocked = _status("mcp", EndpointKind.MCP, state=State.UNKNOWN, failure="blocked")
    degraded = _status("health", EndpointKind.HEALTH, state=State.DEGRADED)
    assert _assess(_status("health", EndpointKind.HEALTH), blocked) is Level.UNKNOWN
    assert _assess(degraded, blocked) is Level.UNKNOWN
    assert _assess(_status("health", EndpointKind.HEALTH, state=State.DOWN), blocked) is Level.CRITICAL


def test_an_ambiguous_unknown_is_said_but_does_not_bind() -> None:
    mcp = _status("mcp", EndpointKind.MCP, state=State.UNKNOWN, failure="mcp-absent")
    overall = assess(Snapshot(endpoints=(_status("health", EndpointKind.HEALTH), mcp)))
    assert overall.level is Level.OK
    assert any(line.startswith("UNKNOWN: mcp") for line in overall.lines())
