"""What independent evidence says of a dependency: its container, a direct probe, the backend's log.

docs/architecture.md "Truth before echo": the engine's view of a container, the container's own
log and a direct probe outrank the backend's self-report. `core.evidence` uses this to settle a
panel (a self-report stuck at `initializing` while everything else says up), `diagnosis` to quote
both sides of a contradiction. Pure functions over one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sutazai_tui.models import LogMatch, Snapshot, State, container_reason, container_state

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
    kind: str = field(default="container", compare=False)  # container | probe | log


def dependency(service: str) -> str:
    """The dependency behind a backend's service name (database -> postgres)."""
    return ALIASES.get(service.lower(), service.lower())


def claim(word: str) -> str:
    """The backend's word for a service as up / down / initializing / other."""
    w = word.strip().lower()
    if w in UP_WORDS:
        return "up"
    if w in DOWN_WORDS:
        return "down"
    return INITIALIZING if w == INITIALIZING else "other"


def _when(m: LogMatch) -> str:
    return m.at.strftime("%H:%M:%S UTC") if m.at is not None else "time unknown"


def independent(snapshot: Snapshot, service: str, prefix: str, primary: str) -> list[Seen]:
    """What the engine, a probe and the primary's log say of this service's dependency, now."""
    dep, seen = dependency(service), []
    c = snapshot.container(f"{prefix}{dep}")
    at = snapshot.containers.checked_at if snapshot.containers is not None else None
    if c is not None:
        if c.state == "running" and c.health in (None, "healthy") and container_state(c) is State.OK:
            health = f", health check {c.health}" if c.health else ""
            seen.append(Seen(True, f"container {c.name} running{health}", at))
        elif container_state(c) is not State.OK or c.health == "unhealthy":
            seen.append(Seen(False, f"container {c.name}: {container_reason(c)}", at))
    p = snapshot.probe(dep) or snapshot.probe(service)
    if p is not None and p.up is not None:
        seen.append(Seen(p.up, f"probe {p.kind} {p.address}: {p.detail}", p.checked_at, "probe"))
    log = snapshot.log(primary)
    failed = log.find("redis-connect") if log is not None and dep == "redis" else None
    if failed is not None and not any(s.up for s in seen):
        seen.append(Seen(False, f"{primary}'s log [{_when(failed)}] {failed.text}", failed.at, "log"))
    return seen


def verdict(seen: list[Seen]) -> bool | None:
    """Down when any independent source says down (the backend would hide it), up when one says up."""
    if any(not s.up for s in seen):
        return False
    return True if seen else None
