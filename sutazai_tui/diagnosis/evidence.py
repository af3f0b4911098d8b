"""Detectors that weigh the backend's self-report against independent evidence.

docs/backend.md "The short version": the engine's view of a container, the container's own log, a direct
probe of the dependency, and last the backend's self-report. Where the backend says one thing about
a dependency and the others say another, that disagreement is the finding, both sides quoted with
their times. What the backend says is read from any endpoint that lists `services` (/health, the
detailed endpoints), whatever words or booleans it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sutazai_tui.core.evidence import quote
from sutazai_tui.diagnosis.context import Context, clock, names, span
from sutazai_tui.models import EndpointStatus, Finding, State, container_reason, container_state

# The backend's service name -> the dependency as probes and containers name it.
ALIASES = {"database": "postgres", "db": "postgres", "postgresql": "postgres", "cache": "redis"}
UP_WORDS = {"healthy", "ok", "up", "true", "connected", "available", "operational", "ready"}
DOWN_WORDS = {"unhealthy", "down", "false", "error", "failed", "disconnected", "unavailable", "critical"}
INITIALIZING = "initializing"


@dataclass(frozen=True)
class Seen:
    """One independent observation of a dependency: up or down, what was seen, when."""

    up: bool
    text: str
    at: datetime | None


def dependency(service: str) -> str:
    """The dependency behind a backend's service name (database -> postgres)."""
    return ALIASES.get(service.lower(), service.lower())


def independent(ctx: Context, service: str) -> list[Seen]:
    """What the engine, a probe and the primary's log say of this service's dependency, now."""
    dep = dependency(service)
    latest, seen = ctx.latest, []
    c = latest.container(f"{ctx.settings.container_prefix}{dep}")
    at = latest.containers.checked_at if latest.containers is not None else None
    if c is not None:
        state = container_state(c)
        if c.state == "running" and c.health in (None, "healthy"):
            health = f", health check {c.health}" if c.health else ""
            seen.append(Seen(True, f"container {c.name} running{health}", at))
        elif state is not State.OK or c.health == "unhealthy":
            seen.append(Seen(False, f"container {c.name}: {container_reason(c)}", at))
    p = latest.probe(dep) or latest.probe(service)
    if p is not None and p.up is not None:
        seen.append(Seen(p.up, f"probe {p.kind} {p.address}: {p.detail}", p.checked_at))
    log = latest.log(ctx.primary)
    failed = log.find("redis-connect") if log is not None and dep == "redis" else None
    if failed is not None and not any(s.up for s in seen):
        seen.append(Seen(False, f"{ctx.primary}'s log {quote(failed)}", failed.at))
    return seen


def verdict(seen: list[Seen]) -> bool | None:
    """Down when any independent source says down (the backend would hide it), up when one says up."""
    if any(not s.up for s in seen):
        return False
    return True if seen else None


def claim(word: str) -> str:
    """The backend's word for a service as up / down / initializing / other."""
    w = word.strip().lower()
    if w in UP_WORDS:
        return "up"
    if w in DOWN_WORDS:
        return "down"
    return INITIALIZING if w == INITIALIZING else "other"


def initializing_since(ctx: Context, endpoint: str, service: str) -> datetime:
    """When the service was first seen `initializing` in its current unbroken run of answers."""
    first = ctx.latest.taken_at
    for snap in reversed(ctx.snapshots):
        e = snap.endpoint(endpoint)
        if e is None or e.carried or e.failure is not None or not e.services:
            continue  # a cycle without a readable answer tells nothing about the service
        if e.services.get(service) != INITIALIZING:
            break
        first = e.checked_at or snap.taken_at
    return first


def contradictions(ctx: Context, e: EndpointStatus) -> list[tuple[str, str, list[Seen]]]:
    """(service, what the backend says, the independent evidence) where they disagree now."""
    found = []
    for service, word in e.services.items():
        said, seen = claim(word), independent(ctx, service)
        truth = verdict(seen)
        if truth is None or said == "other":
            continue
        stuck = (
            said == INITIALIZING
            and ctx.seconds_since(initializing_since(ctx, e.name, service)) > ctx.settings.stuck_initializing
        )
        if (said == "up" and truth is False) or (said == "down" and truth) or (stuck and truth):
            found.append((service, word, seen))
    return found


def self_report_contradicted(ctx: Context) -> list[Finding]:
    """`self-report-contradicted`: the backend says X about a dependency, independent evidence Y."""
    found: list[Finding] = []
    for e in ctx.latest.endpoints:
        if e.carried or e.failure is not None or not e.services:
            continue
        wrong = contradictions(ctx, e)
        if not wrong:
            continue
        said = "; ".join(f"{s} {w!r}" for s, w, _ in wrong)
        quotes = "; ".join(
            f"{s} {w!r}, but " + ", ".join(f"{x.text} (at {clock(x.at)})" for x in seen)
            for s, w, seen in wrong
        )
        deps = names(sorted({dependency(s) for s, _, _ in wrong}))
        found.append(
            Finding(
                id="self-report-contradicted",
                severity="warning",
                subject=e.name,
                title=f"{e.name} says {said}; independent evidence disagrees",
                evidence=f"GET {e.url} at {clock(e.checked_at)} says {quotes}",
                fix=(
                    f"trust the independent evidence: bring {deps} up (or find why the probe and the "
                    f"backend disagree), then restart {ctx.primary} so it reconnects; its self-report "
                    f"about dependencies is known to be wrong (docs/backend.md)"
                ),
            )
        )
    return found


def confirmed_up(ctx: Context, service: str) -> bool:
    """Whether independent evidence says this service's dependency is up."""
    return verdict(independent(ctx, service)) is True


CAUSE_SIGNS = (
    "field-required",
    "jwt-secret-key",
    "init-failed",
    "init-timeout",
    "traceback",
    "redis-connect",
)


def log_says(ctx: Context, container: str, limit: int = 3) -> str:
    """The container's own words about a failure (its newest matched log lines), for evidence."""
    log = ctx.latest.log(container)
    picked = [m for m in log.matches if m.signature in CAUSE_SIGNS][-limit:] if log is not None else []
    return "; its log since the start: " + "; ".join(quote(m) for m in picked) if picked else ""


def mcp_router_failed(ctx: Context) -> list[Finding]:
    """`mcp-router-failed`: MCP answers 404 and the backend's log shows the MCP router crashed."""
    found: list[Finding] = []
    for e in ctx.latest.endpoints:
        if e.failure != "mcp-router-failed":
            continue
        log = ctx.latest.log(ctx.primary)
        crash = log.find("mcp-logger") if log is not None else None
        line = quote(crash) if crash is not None else "the MCP router error"
        up = ""
        if log is not None and log.started_at is not None:
            up = f" (started {span(ctx.seconds_since(log.started_at))} ago)"
        found.append(
            Finding(
                id="mcp-router-failed",
                severity="warning",
                subject=e.name,
                title="the MCP router crashed while loading: MCP routes answer 404",
                evidence=f"GET {e.url} → 404 at {clock(e.checked_at)}; {ctx.primary}'s log{up}: {line}",
                fix=(
                    f"the build's MCP module fails at import (2025-08-16: `logger` used before it was "
                    f"defined): deploy a build with the fix and recreate {ctx.primary}"
                ),
            )
        )
    return found
