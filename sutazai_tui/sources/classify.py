"""Judging an answer: HTTP code + parsed body -> state, reason and the fields a panel shows.

Pure functions over data, so every rule in BACKEND.md is a one-line test.
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
    """GET /health: status is always "healthy"; the truth is in services."""

    status: str
    services: dict[str, str] = {}
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
    details: dict[str, Scalar] = {}
    if h.app:
        details["app"] = h.app
    if h.services.get("system") == "ultra_healthy" or perf.get("ultrafix_fallback"):
        return Verdict(
            State.DEGRADED,
            "backend answered its fallback health: an internal error hides the real state",
            status=h.status,
            services=dict(h.services),
            details=details,
        )
    sick = [n for n, s in h.services.items() if s.lower() in _SICK]
    waiting = [n for n, s in h.services.items() if s.lower() in _WAITING]
    if h.status.lower() != "healthy":
        state = State.DOWN if h.status.lower() in _SICK else State.DEGRADED
        reason = f"backend says {h.status!r}"
    elif sick:
        state, reason = State.DEGRADED, f"unhealthy: {', '.join(sick)}"
    elif waiting:
        state, reason = State.DEGRADED, f"still initializing: {', '.join(waiting)}"
    else:
        state = State.OK
        reason = f"healthy, {len(h.services)} services" if h.services else "healthy"
    return Verdict(state, reason, status=h.status, services=dict(h.services), details=details)


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
        return Verdict(State.OK, "no MCP routes on this backend (404)", status="absent")
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


def judge_http_error(code: int, body: Any, has_token: bool) -> Verdict:
    """4xx/5xx that no endpoint kind gives a meaning of its own."""
    text = _error_text(body)
    if code == 401:
        fix = (
            "token rejected — check SUTAZAI_TUI_TOKEN"
            if has_token
            else "token missing — set SUTAZAI_TUI_TOKEN"
        )
        return Verdict(State.DOWN, f"401 unauthorized: {fix}", failure="auth")
    if code == 403:
        why = "token lacks the scope, or this IP is blocked by the rate limiter"
        return Verdict(State.DOWN, f"403 forbidden: {why}", failure="auth")
    suffix = f": {text}" if text else ""
    return Verdict(State.DOWN, f"HTTP {code}{suffix}", failure="http-error", message=text)


def judge(kind: EndpointKind, code: int, body: Any, has_token: bool) -> Verdict:
    """The verdict for one answer (the body already parsed as JSON, or None)."""
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
