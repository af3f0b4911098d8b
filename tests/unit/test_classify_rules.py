"""Every reading rule of classify, compared as whole verdicts: state, reason, failure, status,
services, message and details together, so no field can drift without a test noticing.
"""

from __future__ import annotations

from typing import Any

import pytest

from sutazai_tui.models import EndpointKind, Scalar, State
from sutazai_tui.sources.backend.classify import (
    BLOCK_LASTS,
    Verdict,
    judge,
    service_word,
    service_words,
    sick_and_waiting,
)

H, E, M, G = EndpointKind.HEALTH, EndpointKind.EMERGENCY, EndpointKind.MCP, EndpointKind.GENERIC


@pytest.mark.parametrize(
    ("value", "word"),
    [
        (True, "healthy"),
        (False, "unhealthy"),
        ("  initializing ", "initializing"),
        ("", "unknown"),
        ("x" * 50, "x" * 40),
        (1, "healthy"),
        (0.0, "unhealthy"),
        ({"status": "down"}, "down"),
        ({"state": "starting"}, "starting"),
        ({"healthy": False}, "unhealthy"),
        ({"other": 1}, "unknown"),
        (None, "unknown"),
    ],
)
def test_service_words_in_every_shape(value: Any, word: str) -> None:
    assert service_word(value) == word


def test_services_mapping_and_its_sorting() -> None:
    assert service_words([1, 2]) is None
    assert service_words({1: True}) == {"1": "healthy"}
    words = {"a": "Unhealthy", "b": "STARTING", "c": "healthy", "d": "error", "e": "degraded"}
    assert sick_and_waiting(words) == (["a", "d"], ["b", "e"])


def test_health_rules() -> None:
    both = {"redis": "healthy", "database": "healthy"}
    assert judge(H, 200, {"status": "healthy", "services": both}, False) == Verdict(
        State.OK, "healthy, 2 services", status="healthy", services=both
    )
    sick = {"redis": "unhealthy", "db": "failed", "cache": "initializing"}
    assert judge(H, 200, {"status": "healthy", "services": sick}, False) == Verdict(
        State.DEGRADED, "unhealthy: redis, db", status="healthy", services=sick
    )
    waiting = {"db": "initializing", "pool": "starting", "redis": "healthy"}
    assert judge(H, 200, {"status": "healthy", "services": waiting}, False) == Verdict(
        State.DEGRADED, "still initializing: db, pool", status="healthy", services=waiting
    )
    down = judge(H, 200, {"status": "Unhealthy", "services": both, "app": "api"}, False)
    assert down == Verdict(
        State.DOWN, "backend says 'Unhealthy'", status="Unhealthy", services=both, details={"app": "api"}
    )
    odd = judge(H, 200, {"status": "warming", "services": both}, False)
    assert (odd.state, odd.reason) == (State.DEGRADED, "backend says 'warming'")


def test_the_fallback_health_answer_hides_the_real_state() -> None:
    fallback = "backend answered its fallback health: an internal error hides the real state"
    by_service = judge(H, 200, {"status": "healthy", "services": {"system": "ultra_healthy"}}, False)
    assert by_service == Verdict(
        State.DEGRADED, fallback, status="healthy", services={"system": "ultra_healthy"}
    )
    flagged = {"status": "healthy", "services": {"redis": "healthy"}, "performance": {"ultrafix_fallback": 1}}
    assert judge(H, 200, flagged | {"app": "api"}, False) == Verdict(
        State.DEGRADED, fallback, status="healthy", services={"redis": "healthy"}, details={"app": "api"}
    )


def test_liveness_only_health() -> None:
    assert judge(H, 200, {"status": "healthy", "app": "x"}, False) == Verdict(
        State.OK, "liveness only", status="healthy", details={"app": "x", "liveness_only": True}
    )


@pytest.mark.parametrize(("kind", "name"), [(H, "health"), (E, "emergency"), (M, "mcp")])
def test_a_wrong_shape_names_the_field_and_the_endpoint(kind: EndpointKind, name: str) -> None:
    v = judge(kind, 200, {"services": {}}, False)
    assert v.state is State.DEGRADED and v.failure == "bad-shape"
    assert (
        v.reason == f"answer has an unexpected shape (status: Field required) — is this the {name} endpoint?"
    )
    whole = judge(kind, 200, ["not", "an", "object"], False)
    assert whole.reason.startswith("answer has an unexpected shape (body: ")


def test_emergency_rules() -> None:
    assert judge(E, 404, None, False) == Verdict(
        State.OK, "normal build (no emergency endpoint)", status="normal"
    )
    said = judge(E, 200, {"status": "emergency", "message": "bypassed"}, False)
    assert said == Verdict(
        State.EMERGENCY, "emergency build: bypassed", status="emergency", message="bypassed"
    )
    bare = judge(E, 200, {"status": "emergency"}, False)
    assert bare == Verdict(State.EMERGENCY, "emergency build: emergency mode", status="emergency")
    assert judge(E, 201, {"status": "emergency"}, False).state is State.EMERGENCY  # any 2xx
    assert judge(E, 500, {"detail": "boom"}, False).reason == "HTTP 500: boom"


def test_mcp_rules() -> None:
    full = {
        "bridge_type": "Stdio",
        "bridge_initialized": True,
        "service_count": 18,
        "dind_status": "connected",
    }
    details: dict[str, Scalar] = {"bridge": "Stdio", "initialized": True, "services": 18, "dind": "connected"}
    assert judge(M, 200, {"status": "operational", **full}, False) == Verdict(
        State.OK, "operational, 18 services", status="operational", details=details
    )
    assert judge(M, 200, {"status": "Operational"}, False) == Verdict(
        State.OK, "operational, 0 services", status="Operational"
    )
    cold = judge(M, 200, {"status": "operational", "bridge_initialized": False}, False)
    assert cold == Verdict(
        State.DEGRADED,
        "operational but bridge not initialized",
        status="operational",
        details={"initialized": False},
    )
    assert judge(M, 200, {"status": "initializing"}, False) == Verdict(
        State.DEGRADED, "bridge initializing", status="initializing"
    )
    assert judge(M, 200, {"status": "error", "error": "boom"}, False) == Verdict(
        State.DOWN, "MCP error: boom", status="error", message="boom"
    )
    assert judge(M, 200, {"status": "error"}, False).reason == "MCP error: no detail"
    assert judge(M, 200, {"status": "odd"}, False).reason == "unknown MCP status 'odd'"
    assert judge(M, 202, {"status": "initializing"}, False).reason == "bridge initializing"  # any 2xx


def test_mcp_404_and_503() -> None:
    absent = judge(M, 404, None, False)
    assert (absent.state, absent.failure, absent.status) == (State.UNKNOWN, "mcp-absent", "absent")
    assert absent.reason == (
        "404: no MCP routes — a build without MCP, or the MCP router crashed while loading "
        "(its log says which: `name 'logger' is not defined`)"
    )
    detail = "MCP infrastructure not available"
    assert judge(M, 503, {"detail": detail}, False) == Verdict(
        State.DOWN, f"503: {detail}", failure="http-error", status="unavailable", message=detail
    )
    for body in (None, {"detail": ""}, ["x"]):
        assert judge(M, 503, body, False).message == "MCP bridge unavailable"
    assert judge(M, 500, {"error": "x"}, False).reason == "HTTP 500: x"


def test_http_errors() -> None:
    assert judge(G, 401, {}, False) == Verdict(
        State.DOWN, "401 unauthorized: token missing — set SUTAZAI_TUI_TOKEN", failure="auth"
    )
    assert judge(G, 401, {}, True).reason == "401 unauthorized: token rejected — check SUTAZAI_TUI_TOKEN"
    scope = "the token lacks the scope this endpoint needs (admin, monitoring, metrics or system:read)"
    assert judge(G, 403, {}, True) == Verdict(State.DOWN, f"403 forbidden: {scope}", failure="auth")
    need = "this endpoint needs a token with a monitoring scope — set SUTAZAI_TUI_TOKEN"
    assert judge(G, 403, {}, False).reason == f"403 forbidden: {need}"
    for key in ("detail", "error", "message"):
        assert judge(G, 502, {key: "upstream"}, False) == Verdict(
            State.DOWN, "HTTP 502: upstream", failure="http-error", message="upstream"
        )
    assert judge(G, 502, {"detail": 3, "error": "second"}, False).message == "second"  # text only
    assert judge(G, 502, "plain", False) == Verdict(State.DOWN, "HTTP 502", failure="http-error")
    assert judge(H, 300, {}, False).reason == "HTTP 300"  # 3xx is not an answer either
    assert judge(H, 199, {}, False).reason == "HTTP 199"


def test_an_ip_block_is_unknown_never_a_scope_problem() -> None:
    by_header = judge(H, 403, {}, True, block_reason="too many requests")
    assert by_header == Verdict(
        State.UNKNOWN,
        f"this host's IP is blocked by the backend's rate limiter (too many requests); {BLOCK_LASTS}",
        failure="blocked",
    )
    by_body = judge(G, 403, {"detail": "IP Blocked for abuse"}, False)
    assert by_body.failure == "blocked" and "(IP Blocked for abuse)" in by_body.reason
    long = judge(G, 403, {"detail": "x" * 100}, False, block_reason="r" * 100).reason
    assert f"({'r' * 80}); " in long and "r" * 81 not in long  # the header wins, cut to 80


def test_generic_accepts_any_2xx() -> None:
    assert judge(G, 204, None, False) == Verdict(State.OK, "HTTP 204")
    assert judge(G, 299, None, False).state is State.OK
