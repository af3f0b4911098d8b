"""Detectors that read the backend's answers, across cycles where time matters."""

from __future__ import annotations

from datetime import datetime

from sutazai_tui.diagnosis.context import Context, clock, names, span
from sutazai_tui.models import EndpointKind, EndpointStatus, Finding, State

HUNG = "timeout-connected"  # accepted the connection, never answered: the start-up deadlock
HANG_CYCLES = 2  # one timeout can be a blip; two in a row is a hang
INITIALIZING = "initializing"


def _fresh(e: EndpointStatus | None) -> bool:
    """Whether this status is a real answer of its cycle (not carried over from an earlier one)."""
    return e is not None and not e.carried


def _hung_streak(ctx: Context, name: str) -> list[EndpointStatus]:
    """The endpoint's consecutive hung cycles, newest first; carried cycles neither count nor break."""
    streak: list[EndpointStatus] = []
    for snap in reversed(ctx.snapshots):
        e = snap.endpoint(name)
        if e is not None and e.carried:
            continue  # not asked that cycle (back-off): no news either way
        if e is None or e.failure != HUNG:
            break
        streak.append(e)
    return streak


def _primary_allows_hang(ctx: Context) -> tuple[bool, str]:
    """Whether the primary container's state fits a hang, and what was seen of it.

    Without container data we cannot rule a hang out, so the endpoint alone decides. A primary
    that is not running is not hanging (crashed/restart-loop say why); one still inside its start-up
    grace is allowed to be silent.
    """
    status = ctx.latest.containers
    if status is None or status.state in (State.DOWN, State.UNKNOWN):
        return True, "no container data (containers off or the engine unreachable)"
    c = ctx.latest.container(ctx.primary)
    if c is None:
        return True, f"{ctx.primary} is not among the monitored containers"
    if c.state != "running":
        return False, f"{ctx.primary} is {c.state}"
    if c.started_at is None:
        return True, f"{ctx.primary} is running (start time unknown)"
    up, grace = ctx.seconds_since(c.started_at), ctx.settings.startup_grace
    seen = f"{ctx.primary} running for {span(up)}, past its {span(grace)} start-up grace"
    return up >= grace, seen


def startup_hang(ctx: Context) -> list[Finding]:
    """`startup-hang`: /health accepts connections but never answers, cycle after cycle.

    "refused" is a different failure (nothing listens: crashed or not started) and is no hang.
    """
    found: list[Finding] = []
    for e in ctx.latest.endpoints:
        if e.kind is not EndpointKind.HEALTH:
            continue
        streak = _hung_streak(ctx, e.name)
        if len(streak) < HANG_CYCLES:
            continue
        fits, seen = _primary_allows_hang(ctx)
        if not fits:
            continue
        since = streak[-1].checked_at
        p = ctx.primary
        found.append(
            Finding(
                id="startup-hang",
                severity="critical",
                subject=e.name,
                title=f"start-up hang: {e.name} accepts connections but never answers",
                evidence=(
                    f"GET {e.url} connected and got no answer within the {ctx.settings.timeout:g} s timeout "
                    f"in {len(streak)} consecutive cycles since {clock(since)}; {seen}"
                ),
                fix=(
                    f"restart {p} (`docker restart {p}`, or `R` on it here); if it hangs again its "
                    f"start-up waits on itself (2025-08-17: cache → Redis → pool manager): find the step "
                    f"that never finishes in `docker logs {p}` and deploy a build that times out "
                    f"initialization"
                ),
            )
        )
    return found


def emergency_build(ctx: Context) -> list[Finding]:
    """`emergency-build`: /health-emergency exists (200), so the backend runs its emergency build."""
    found: list[Finding] = []
    for e in ctx.latest.endpoints:
        if e.kind is not EndpointKind.EMERGENCY or e.http_code != 200:
            continue
        said = f": {e.message!r}" if e.message else ""
        p = ctx.primary
        service = ctx.service(p)
        found.append(
            Finding(
                id="emergency-build",
                severity="critical",
                subject=e.name,
                title="the backend runs its emergency build: normal initialization was bypassed",
                evidence=f"GET {e.url} answered 200 status {e.status!r}{said} at {clock(e.checked_at)}",
                fix=(
                    f"find why normal start-up failed (`docker logs {p}`; usually missing SECRET_KEY/"
                    f"JWT_SECRET or the start-up deadlock, see the other findings), fix it, then rebuild and "
                    f"recreate from the normal build: `docker compose build {service} && docker compose "
                    f"up -d --force-recreate {service}`"
                ),
            )
        )
    return found


def _usable(e: EndpointStatus | None) -> bool:
    """A fresh, good /health answer whose sub-services can be read."""
    return e is not None and _fresh(e) and e.failure is None and bool(e.services)


def _initializing_since(ctx: Context, endpoint: str, service: str) -> datetime:
    """When the sub-service was first seen `initializing` in its current unbroken run."""
    first = ctx.latest.taken_at
    for snap in reversed(ctx.snapshots):
        e = snap.endpoint(endpoint)
        if e is None or not _usable(e):
            continue  # a cycle without a readable answer tells nothing about the sub-service
        if e.services.get(service) != INITIALIZING:
            break
        first = e.checked_at or snap.taken_at
    return first


def stuck_initializing(ctx: Context) -> list[Finding]:
    """`stuck-initializing`: /health sub-services stay `initializing` past settings.stuck_initializing.

    /health says "healthy" throughout (BACKEND.md), so only the sub-services tell. The latest
    answer must show it: an old answer says nothing about now.
    """
    found: list[Finding] = []
    limit = ctx.settings.stuck_initializing
    for e in ctx.latest.endpoints:
        if e.kind is not EndpointKind.HEALTH or not _usable(e):
            continue
        stuck: list[tuple[str, datetime, float]] = []
        for service, state in e.services.items():
            if state == INITIALIZING:
                since = _initializing_since(ctx, e.name, service)
                if (seconds := ctx.seconds_since(since)) > limit:
                    stuck.append((service, since, seconds))
        if not stuck:
            continue
        listed = names([s for s, _, _ in stuck])
        p = ctx.primary
        seen = "; ".join(f"{s} initializing since {clock(t)} ({span(sec)})" for s, t, sec in stuck)
        found.append(
            Finding(
                id="stuck-initializing",
                severity="warning",
                subject=e.name,
                title=f"{listed} stuck initializing",
                evidence=f"{seen}; limit {span(limit)}; {e.name} itself says {e.status!r}",
                fix=(
                    f"check that what they connect to is up (database → sutazai-postgres, redis → "
                    f"sutazai-redis), read `docker logs {p}` for their initialization errors, then "
                    f"restart {p}"
                ),
            )
        )
    return found
