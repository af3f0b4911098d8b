"""Judging an answer: HTTP code + parsed body -> state, reason and the fields a panel shows.

Pure functions over data, so every rule in docs/backend.md is a one-line test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from sutazai_tui.models import EndpointKind, Scalar, State


@dataclass
class Verdict:
    """What an answer means; the transport adds url, latency and timing."""

    state: State
    reason: str
    failure: str | None = None
    status: str | None = None
    services: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    details: dict[str, Scalar] = field(default_factory=dict)


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class HealthBody(_Loose):
    """GET /health: status is always "healthy"; the truth is in services (words, objects or booleans)."""

    status: str
    services: dict[str, Any] = {}
    performance: dict[str, Any] = {}
    app: str | None = None


class EmergencyBody(_Loose):
    """GET /health-emergency, present only in the emergency build."""

    status: str
    message: str = ""
    timestamp: str | None = None


class McpBody(_Loose):
    """GET /api/v1/mcp/status."""

    status: str
    bridge_type: str | None = None
    bridge_initialized: bool | None = None
    service_count: int | None = None
    dind_status: str | None = None
    error: str | None = None


_SICK = ("unhealthy", "error", "failed", "down", "critical")
_WAITING = ("initializing", "starting", "degraded")


def service_word(value: Any) -> str:
    """One sub-service's state as a word, whatever form the backend line uses.

    Strings are kept (`healthy`, `initializing`, ...); booleans become healthy/unhealthy; objects
    give their `status` (or `healthy` boolean); anything else is `unknown`, never a crash.
    """
    if isinstance(value, bool):
        return "healthy" if value else "unhealthy"
    if isinstance(value, str):
        return value.strip()[:40] or "unknown"
    if isinstance(value, int | float):
        return "healthy" if value else "unhealthy"
    if isinstance(value, dict):
        for key in ("status", "state", "healthy"):
            if key in value:
                return service_word(value[key])
    return "unknown"


def service_words(services: Any) -> dict[str, str] | None:
    """A services mapping as name -> word; None when `services` is not a mapping at all."""
    if not isinstance(services, dict):
        return None
    return {str(name): service_word(value) for name, value in services.items()}


def sick_and_waiting(services: dict[str, str]) -> tuple[list[str], list[str]]:
    """The services whose word says unhealthy, and those still starting."""
    sick = [n for n, w in services.items() if w.lower() in _SICK]
    waiting = [n for n, w in services.items() if w.lower() in _WAITING]
    return sick, waiting


def _shape_error(kind: EndpointKind, exc: ValidationError) -> Verdict:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    return Verdict(
        State.DEGRADED,
        f"answer has an unexpected shape ({where}: {err['msg']}) — is this the {kind} endpoint?",
        failure="bad-shape",
    )


def judge_health(body: Any) -> Verdict:
    """DEGRADED when any sub-service is not healthy, though `status` says healthy."""
    try:
        h = HealthBody.model_validate(body)
    except ValidationError as exc:
        return _shape_error(EndpointKind.HEALTH, exc)
    perf = h.performance
    services = service_words(h.services) or {}
    details: dict[str, Scalar] = {}
    if h.app:
        details["app"] = h.app
    if services.get("system") == "ultra_healthy" or perf.get("ultrafix_fallback"):
        return Verdict(
            State.DEGRADED,
            "backend answered its fallback health: an internal error hides the real state",
            status=h.status,
            services=services,
            details=details,
        )
    sick, waiting = sick_and_waiting(services)
    if not services and h.status.lower() == "healthy":
        # The November 2025 line: "alive", whatever the dependencies do. The join with its
        # detailed health (lines.join_lines) gives the panel its real state.
        details["liveness_only"] = True
        return Verdict(State.OK, "liveness only", status=h.status, details=details)
    if h.status.lower() != "healthy":
        state = State.DOWN if h.status.lower() in _SICK else State.DEGRADED
        reason = f"backend says {h.status!r}"
    elif sick:
        state, reason = State.DEGRADED, f"unhealthy: {', '.join(sick)}"
    elif waiting:
        state, reason = State.DEGRADED, f"still initializing: {', '.join(waiting)}"
    else:
        state = State.OK
        reason = f"healthy, {len(services)} services"
    return Verdict(state, reason, status=h.status, services=services, details=details)


def judge_emergency(code: int, body: Any) -> Verdict:
    """200 means the emergency build runs; 404 is the normal build, not an error."""
    if code == 404:
        return Verdict(State.OK, "normal build (no emergency endpoint)", status="normal")
    try:
        e = EmergencyBody.model_validate(body)
    except ValidationError as exc:
        return _shape_error(EndpointKind.EMERGENCY, exc)
    message = e.message or "emergency mode"
    return Verdict(State.EMERGENCY, f"emergency build: {message}", status=e.status, message=e.message or None)


def judge_mcp(code: int, body: Any) -> Verdict:
    """operational / initializing / error; 503 carries the reason in `detail`; 404 = no MCP."""
    if code == 404:
        # Ambiguous on its own: the 08-16 build answered 404 because its MCP router crashed while
        # loading. `mcp-absent` is the hook: the backend's log (or its line) decides which it is.
        return Verdict(
            State.UNKNOWN,
            "404: no MCP routes — a build without MCP, or the MCP router crashed while loading "
            "(its log says which: `name 'logger' is not defined`)",
            failure="mcp-absent",
            status="absent",
        )
    if code == 503:
        detail = body.get("detail") if isinstance(body, dict) else None
        detail = str(detail) if detail else "MCP bridge unavailable"
        return Verdict(
            State.DOWN, f"503: {detail}", failure="http-error", status="unavailable", message=detail
        )
    try:
        m = McpBody.model_validate(body)
    except ValidationError as exc:
        return _shape_error(EndpointKind.MCP, exc)
    details: dict[str, Scalar] = {
        "bridge": m.bridge_type,
        "initialized": m.bridge_initialized,
        "services": m.service_count,
        "dind": m.dind_status,
    }
    details = {k: v for k, v in details.items() if v is not None}
    status = m.status.lower()
    if status == "operational":
        state, reason = State.OK, f"operational, {m.service_count or 0} services"
        if m.bridge_initialized is False:
            state, reason = State.DEGRADED, "operational but bridge not initialized"
    elif status == "initializing":
        state, reason = State.DEGRADED, "bridge initializing"
    elif status == "error":
        state, reason = State.DOWN, f"MCP error: {m.error or 'no detail'}"
    else:
        state, reason = State.DEGRADED, f"unknown MCP status {m.status!r}"
    return Verdict(state, reason, status=m.status, message=m.error, details=details)


def _error_text(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("detail", "error", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return None


BLOCK_LASTS = "the block lasts up to an hour"


def judge_blocked(block_reason: str | None, body: Any) -> Verdict | None:
    """A 403 from the backend's IP block (X-Block-Reason, or its body says so); None for other 403s.

    We could not ask: UNKNOWN, never "the token lacks the scope".
    """
    text = _error_text(body) or ""
    if not block_reason and "blocked" not in text.lower():
        return None
    why = block_reason or text
    return Verdict(
        State.UNKNOWN,
        f"this host's IP is blocked by the backend's rate limiter ({why[:80]}); {BLOCK_LASTS}",
        failure="blocked",
    )


# 401 and 403: what the answer means when a token was sent, and when none was.
_AUTH = {
    401: (
        "401 unauthorized",
        "token rejected — check SUTAZAI_TUI_TOKEN",
        "token missing — set SUTAZAI_TUI_TOKEN",
    ),
    403: (
        "403 forbidden",
        "the token lacks the scope this endpoint needs (admin, monitoring, metrics or system:read)",
        "this endpoint needs a token with a monitoring scope — set SUTAZAI_TUI_TOKEN",
    ),
}


def judge_http_error(code: int, body: Any, has_token: bool) -> Verdict:
    """4xx/5xx that no endpoint kind gives a meaning of its own."""
    text = _error_text(body)
    if code in _AUTH:
        label, with_token, without = _AUTH[code]
        return Verdict(State.DOWN, f"{label}: {with_token if has_token else without}", failure="auth")
    suffix = f": {text}" if text else ""
    return Verdict(State.DOWN, f"HTTP {code}{suffix}", failure="http-error", message=text)


def judge(
    kind: EndpointKind, code: int, body: Any, has_token: bool, block_reason: str | None = None
) -> Verdict:
    """The verdict for one answer (the body already parsed as JSON, or None)."""
    if code == 403 and (blocked := judge_blocked(block_reason, body)) is not None:
        return blocked
    if kind is EndpointKind.EMERGENCY and code in (200, 404):
        return judge_emergency(code, body)
    if kind is EndpointKind.MCP and code in (200, 404, 503):
        return judge_mcp(code, body)
    if not 200 <= code < 300:
        return judge_http_error(code, body, has_token)
    if kind is EndpointKind.HEALTH:
        return judge_health(body)
    if kind in (EndpointKind.EMERGENCY, EndpointKind.MCP):
        return judge_mcp(code, body) if kind is EndpointKind.MCP else judge_emergency(code, body)
    return Verdict(State.OK, f"HTTP {code}")
