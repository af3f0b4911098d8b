"""Both backend lines' reading rules compared as whole verdicts (detailed health, /metrics, the
dispatch by kind and code), so a field or a word cannot drift unnoticed. test_releases.py
has the answers of the real lines; this file pins each rule at its edge.
"""

from __future__ import annotations

from sutazai_tui.models import EndpointKind, State
from sutazai_tui.sources.backend.classify import Verdict
from sutazai_tui.sources.backend.releases import (
    judge_any,
    judge_detailed,
    judge_prometheus,
    parse_service_status,
)

D, P, H = EndpointKind.DETAILED, EndpointKind.PROMETHEUS, EndpointKind.HEALTH
SHAPE = "answer has an unexpected shape ({}) — is this detailed health?"


def test_detailed_with_counts_given_or_computed() -> None:
    body = {
        "overall_status": "healthy",
        "services": {"a": True, "b": True},
        "healthy_count": 2,
        "total_services": 2,
    }
    assert judge_detailed(body) == Verdict(
        State.OK,
        "says healthy; 2 of 2 services healthy",
        status="healthy",
        services={"a": "healthy", "b": "healthy"},
        details={"healthy": 2, "total": 2},
    )
    mixed = {"status": "degraded", "services": {"a": "healthy", "b": "down", "c": "initializing"}}
    assert judge_detailed(mixed) == Verdict(
        State.DEGRADED,
        "backend says 'degraded'; 1 of 3 services healthy; unhealthy: b; initializing: c",
        status="degraded",
        services={"a": "healthy", "b": "down", "c": "initializing"},
        details={"healthy": 1, "total": 3},
    )


def test_detailed_overall_words() -> None:
    def state(word: str, services: dict[str, object] | None = None) -> State:
        return judge_detailed({"overall_status": word, "services": services or {}}).state

    assert [state(w) for w in ("Critical", "unhealthy", "down", "error")] == [State.DOWN] * 4
    assert state("unknown") is State.UNKNOWN and state("healthy") is State.OK
    assert (
        state("healthy", {"a": False}) is State.DEGRADED
        and state("healthy", {"a": "starting"}) is State.DEGRADED
    )
    assert state("warming") is State.DEGRADED
    bare = judge_detailed({"overall_status": "healthy"})
    assert (bare.reason, bare.details) == ("says healthy", {})  # no services, no counts: nothing to count
    zero = judge_detailed({"overall_status": "healthy", "healthy_count": 0, "total_services": 0})
    assert (zero.reason, zero.details) == ("says healthy", {"healthy": 0, "total": 0})
    flags = judge_detailed({"overall_status": "healthy", "healthy_count": True, "total_services": 3})
    assert flags.details == {"total": 3}  # a boolean is not a count


def test_detailed_of_the_wrong_shape() -> None:
    bad = Verdict(
        State.DEGRADED,
        "answer has an unexpected shape (not an object) — is this detailed health?",
        failure="bad-shape",
    )
    assert judge_detailed(["x"]) == bad
    assert judge_detailed({"overall_status": "ok", "services": [1]}) == Verdict(
        State.DEGRADED, SHAPE.format("services"), failure="bad-shape"
    )
    assert judge_detailed({"services": {}}) == Verdict(
        State.DEGRADED, SHAPE.format("overall_status/status"), failure="bad-shape"
    )
    assert judge_detailed({"status": 1}).reason == SHAPE.format("overall_status/status")


def test_metrics_samples() -> None:
    text = (
        "# HELP backend_service_status 1 up\n"
        'backend_service_status{service="redis"} 1\n'
        'backend_service_status{env="x", service="db"} 0 1700000000\n'
        'backend_service_status{service="half"} 0.5\n'
        'backend_service_status{other="y"} 1\n'
        'backend_service_status{service="nan"} NaNx\n'
        "other_metric 1\n"
    )
    assert parse_service_status(text) == {"redis": "healthy", "db": "unhealthy", "half": "unhealthy"}
    assert judge_prometheus(200, text) == Verdict(
        State.DEGRADED,
        "1 of 3 services up; down: db, half",
        services={"redis": "healthy", "db": "unhealthy", "half": "unhealthy"},
        details={"healthy": 1, "total": 3},
    )
    up = 'backend_service_status{service="redis"} 1\n'
    assert judge_prometheus(200, up) == Verdict(
        State.OK, "1 of 1 services up", services={"redis": "healthy"}, details={"healthy": 1, "total": 1}
    )


def test_metrics_errors() -> None:
    assert judge_prometheus(200, "nothing here") == Verdict(
        State.DEGRADED,
        "no backend_service_status samples in this text — is this the backend's /metrics?",
        failure="bad-shape",
    )
    assert judge_prometheus(401, "") == Verdict(
        State.DOWN, "401: HTTP 401 — set a token for /metrics", failure="auth"
    )
    assert judge_prometheus(403, "# ERROR forbidden\nmore") == Verdict(
        State.DOWN, "403: # ERROR forbidden — set a token for /metrics", failure="auth"
    )
    assert judge_prometheus(401, "x" * 200).reason == f"401: {'x' * 100} — set a token for /metrics"


def test_dispatch_by_kind_and_code() -> None:
    sample = 'backend_service_status{service="redis"} 1\n'
    assert judge_any(P, 200, None, sample, False, None).reason == "1 of 1 services up"
    assert judge_any(P, 299, None, sample, False, None).reason == "1 of 1 services up"
    assert judge_any(P, 401, None, "", False, None).failure == "auth"
    assert judge_any(P, 500, {"detail": "boom"}, "", False, None) == Verdict(
        State.DOWN, "HTTP 500: boom", failure="http-error", message="boom"
    )
    assert judge_any(P, 300, None, sample, False, None).reason == "HTTP 300"
    detailed = {"overall_status": "healthy", "services": {}}
    assert judge_any(D, 200, detailed, "", False, None).reason == "says healthy"
    assert judge_any(D, 299, detailed, "", False, None).reason == "says healthy"
    assert judge_any(D, 404, None, "", False, None).reason == "HTTP 404"
    assert judge_any(D, 199, None, "", False, None).reason == "HTTP 199"
    assert judge_any(D, 300, None, "", False, None).reason == "HTTP 300"
    blocked = judge_any(P, 403, {}, "# ERROR x", True, "too many")
    assert (blocked.state, blocked.failure) == (State.UNKNOWN, "blocked")
    assert judge_any(H, 403, {}, "", True, "too many").failure == "blocked"
    assert (
        judge_any(H, 200, {"status": "healthy", "services": {"a": "healthy"}}, "", False, None).state
        is State.OK
    )
