"""Both backend lines: reading their service lists, detailed health, metrics, and joining them.

The August 2025 line reports sub-services in `/health` (strings) and `/api/v1/health/detailed`
(objects `{status: ...}`); the November 2025 line answers `/health` with liveness only and puts the
truth in `/health/detailed` (booleans) and `/metrics` (Prometheus text). Pure functions over data,
so every rule is a one-line test. None of these answers is proof (docs/backend.md: the self-report is
wrong in both directions); they are what the backend says, and are labelled that way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sutazai_tui.models import EndpointKind, EndpointStatus, Scalar, State
from sutazai_tui.sources.backend.classify import (
    Verdict,
    judge,
    judge_blocked,
    service_words,
    sick_and_waiting,
)

# The two detailed-health paths, tried once each per session (404 = that line does not have it).
DETAILED_PATHS = (("detailed", "/health/detailed"), ("detailed-v1", "/api/v1/health/detailed"))
# A detailed path not yet found (present or absent) that this cycle could not ask.
DISCOVERING = "discovering"


def _count(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def judge_detailed(body: Any) -> Verdict:
    """`/health/detailed` or `/api/v1/health/detailed`: overall word, services, counts."""
    if not isinstance(body, dict):
        return Verdict(
            State.DEGRADED,
            "answer has an unexpected shape (not an object) — is this detailed health?",
            failure="bad-shape",
        )
    services = service_words(body.get("services", {}))
    overall = body.get("overall_status", body.get("status"))
    if services is None or not isinstance(overall, str):
        where = "services" if services is None else "overall_status/status"
        return Verdict(
            State.DEGRADED,
            f"answer has an unexpected shape ({where}) — is this detailed health?",
            failure="bad-shape",
        )
    sick, waiting = sick_and_waiting(services)
    healthy, total = _count(body, "healthy_count"), _count(body, "total_services")
    if total is None and services:
        total, healthy = len(services), len(services) - len(sick) - len(waiting)
    details: dict[str, Scalar] = {"healthy": healthy, "total": total}
    details = {k: v for k, v in details.items() if v is not None}
    counted = f"{healthy} of {total} services healthy" if healthy is not None and total else ""
    word = overall.lower()
    if word in ("critical", "unhealthy", "down", "error"):
        state = State.DOWN
    elif word == "unknown":
        state = State.UNKNOWN
    elif word != "healthy" or sick or waiting:
        state = State.DEGRADED
    else:
        state = State.OK
    parts = [f"backend says {overall!r}"] if word != "healthy" else ["says healthy"]
    if counted:
        parts.append(counted)
    if sick:
        parts.append(f"unhealthy: {', '.join(sick)}")
    if waiting:
        parts.append(f"initializing: {', '.join(waiting)}")
    return Verdict(state, "; ".join(parts), status=overall, services=services, details=details)


_SAMPLE = re.compile(
    r"^backend_service_status\{(?P<labels>[^}]*)\}\s+(?P<value>[-+0-9.eEinfINFaN]+)(?:\s+\d+)?\s*$"
)
_SERVICE_LABEL = re.compile(r'(?:^|,)\s*service\s*=\s*"(?P<name>(?:[^"\\]|\\.)*)"')


def parse_service_status(text: str) -> dict[str, str]:
    """`backend_service_status{service="x"} 0|1` samples as name -> healthy/unhealthy."""
    services: dict[str, str] = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line.strip())
        if match is None:
            continue
        label = _SERVICE_LABEL.search(match["labels"])
        if label is None:
            continue
        try:
            value = float(match["value"])
        except ValueError:
            continue
        services[label["name"][:40]] = "healthy" if value >= 1 else "unhealthy"
    return services


def judge_prometheus(code: int, text: str) -> Verdict:
    """A backend's `/metrics`: its `backend_service_status` samples are its service list."""
    if code == 401 or (code >= 400 and text.lstrip().startswith("# ERROR")):
        first = text.strip().splitlines()[0][:100] if text.strip() else f"HTTP {code}"
        return Verdict(State.DOWN, f"{code}: {first} — set a token for /metrics", failure="auth")
    services = parse_service_status(text)
    if not services:
        return Verdict(
            State.DEGRADED,
            "no backend_service_status samples in this text — is this the backend's /metrics?",
            failure="bad-shape",
        )
    sick = [n for n, w in services.items() if w == "unhealthy"]
    counted = f"{len(services) - len(sick)} of {len(services)} services up"
    details: dict[str, Scalar] = {"healthy": len(services) - len(sick), "total": len(services)}
    if sick:
        return Verdict(
            State.DEGRADED, f"{counted}; down: {', '.join(sick)}", services=services, details=details
        )
    return Verdict(State.OK, counted, services=services, details=details)


def judge_any(
    kind: EndpointKind, code: int, body: Any, text: str, has_token: bool, block_reason: str | None
) -> Verdict:
    """The verdict for one answer of any kind: `body` parsed JSON (or None), `text` the raw body."""
    if code == 403 and (blocked := judge_blocked(block_reason, body)) is not None:
        return blocked
    if kind is EndpointKind.PROMETHEUS:
        return (
            judge_prometheus(code, text) if code < 300 or code == 401 else judge(kind, code, body, has_token)
        )
    if kind is EndpointKind.DETAILED and 200 <= code < 300:
        return judge_detailed(body)
    return judge(kind, code, body, has_token, block_reason)


def _lists_services(e: EndpointStatus) -> bool:
    return e.kind in (EndpointKind.DETAILED, EndpointKind.PROMETHEUS)


def _liveness_verdict(e: EndpointStatus, statuses: Sequence[EndpointStatus]) -> EndpointStatus:
    """A liveness-only /health judged by the service list another endpoint gave this cycle."""
    listing = [s for s in statuses if _lists_services(s)]
    fresh = next((s for s in listing if s.failure is None and not s.not_asked and s.services), None)
    if fresh is not None:
        where = urlsplit(fresh.url).path
        reason = f"liveness only; {where}: {fresh.reason}"
        return e.model_copy(update={"state": fresh.state, "reason": reason, "services": dict(fresh.services)})
    unasked = next((s for s in listing if s.not_asked), None)
    if unasked is not None:
        # Alive says nothing about the services, and the answer that would has not been asked.
        reason = f"liveness only; {urlsplit(unasked.url).path} not asked: {unasked.reason}"
        return e.model_copy(update={"state": State.UNKNOWN, "reason": reason})
    reason = "liveness only: /health reports no services and no detailed health answered"
    return e.model_copy(update={"reason": reason})


def join_lines(statuses: Sequence[EndpointStatus]) -> tuple[EndpointStatus, ...]:
    """One cycle's answers read together.

    A liveness-only /health takes its state and services from the detailed answer (or metrics), so
    "healthy" from a process that only says it is alive never hides 0 of 9 services healthy. On
    that line (the November 2025 line) an MCP 404 is the line having no MCP routes, not a crash.
    """
    liveness = any(e.kind is EndpointKind.HEALTH and e.details.get("liveness_only") for e in statuses)
    joined: list[EndpointStatus] = []
    for e in statuses:
        if e.details.get(DISCOVERING) and not liveness:
            continue  # a candidate path not asked: only a liveness-only /health needs its word
        if e.details.get(DISCOVERING):
            e = e.model_copy(update={"details": {k: v for k, v in e.details.items() if k != DISCOVERING}})
        if e.kind is EndpointKind.HEALTH and e.details.get("liveness_only") and e.failure is None:
            e = _liveness_verdict(e, statuses)
        elif e.kind is EndpointKind.MCP and e.failure == "mcp-absent" and liveness:
            reason = (
                "no MCP routes on this backend line (404; /health is liveness-only: the November 2025 line)"
            )
            e = e.model_copy(update={"state": State.OK, "reason": reason, "failure": None})
        joined.append(e)
    return tuple(joined)
