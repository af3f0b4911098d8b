"""Detectors that read the backend's answers, across cycles where time matters."""

from __future__ import annotations

from datetime import datetime

from sutazai_tui.core.evidence import backend_mode, quote
from sutazai_tui.diagnosis.context import Context, Kind, clock, names, span
from sutazai_tui.diagnosis.evidence import INITIALIZING, confirmed_up, initializing_since
from sutazai_tui.diagnosis.recreate import rebuild_command
from sutazai_tui.models import EndpointKind, EndpointStatus, Finding, State

# What these detectors find: stable ids (scripts match on them), each with its usual severity.
STARTUP_HANG = Kind("startup-hang", "critical")
EMERGENCY_BUILD = Kind("emergency-build", "critical")
STUCK_INITIALIZING = Kind("stuck-initializing", "warning")

HUNG = "timeout-connected"  # accepted the connection, never answered
# Any transport failure: uvicorn binds only after the lifespan, so the real hang is "refused" on
# the container's port and accepted-then-reset through Docker's published port (docs/backend.md
# "How start-up fails").
TRANSPORT = {"timeout-connected", "timeout-connect", "timeout-body", "refused", "reset", "empty"}
HANG_CYCLES = 2  # without the engine's word, one timeout can be a blip; two in a row is a hang


def _fresh(e: EndpointStatus | None) -> bool:
    """Whether this status is a real answer: asked by us, or shared by another process of ours on
    this host (judged exactly like ours, with its age), not a cycle we could not ask."""
    return e is not None and not e.not_asked


def _streak(ctx: Context, name: str, failures: set[str]) -> list[EndpointStatus]:
    """The endpoint's consecutive answers failing so, newest first; not-asked cycles neither count
    nor break, and one shared answer seen in two cycles counts once."""
    streak: list[EndpointStatus] = []
    for snap in reversed(ctx.snapshots):
        e = snap.endpoint(name)
        if e is not None and e.not_asked:
            continue  # not asked that cycle (back-off, budget): no news either way
        if e is None or e.failure not in failures:
            break
        if streak and e.carried and e.checked_at == streak[-1].checked_at:
            continue
        streak.append(e)
    return streak


def _primary_view(ctx: Context) -> tuple[bool | None, str]:
    """Whether the engine says the primary runs past its grace (None: no engine word), and what it saw.

    A primary that is not running is not hanging (crashed/restart-loop say why); one still inside
    its start-up grace is allowed to be silent.
    """
    status = ctx.latest.containers
    if status is None or status.state in (State.DOWN, State.UNKNOWN):
        return None, "no container data (containers off or the engine unreachable)"
    c = ctx.latest.container(ctx.primary)
    if c is None:
        return None, f"{ctx.primary} is not among the monitored containers"
    if c.state != "running":
        return False, f"{ctx.primary} is {c.state}"
    if c.started_at is None:
        return None, f"{ctx.primary} is running (start time unknown)"
    up, grace = ctx.seconds_since(c.started_at), ctx.settings.startup_grace
    seen = f"{ctx.primary} running for {span(up)}, past its {span(grace)} start-up grace"
    return up >= grace, seen


def _last_words(ctx: Context) -> str:
    """The primary's last log line before silence: the step a hung start-up is stuck after."""
    log = ctx.latest.log(ctx.primary)
    if log is None:
        return ""  # no engine, or logs turned off: nothing to quote
    if log.last is None:
        return f"; its log could not be read ({log.error})" if log.error else "; its log is empty"
    silent = f", silent for {span(ctx.seconds_since(log.last.at))}" if log.last.at is not None else ""
    return f"; its last log line{silent}: {quote(log.last)}"


def startup_hang(ctx: Context) -> list[Finding]:
    """`startup-hang`: the primary runs past its grace while /health fails at the transport level.

    With the engine's word (running, past grace) any transport failure is the hang, in one cycle:
    nothing listens where a started backend would. Without it, only "accepted and never answered"
    over HANG_CYCLES cycles counts, since "refused" alone may just be a backend that is not there.
    """
    found: list[Finding] = []
    running, seen = _primary_view(ctx)
    if running is False:
        return found
    needed, failures = (1, TRANSPORT) if running else (HANG_CYCLES, {HUNG})
    for e in ctx.latest.endpoints:
        if e.kind is not EndpointKind.HEALTH:
            continue
        streak = _streak(ctx, e.name, failures)
        if len(streak) < needed:
            continue
        since, p, n = streak[-1].checked_at, ctx.primary, len(streak)
        # A dependency that does not answer its probe is what the start-up waits on: say so, and
        # fix it first (a restart of the backend alone hangs again on it).
        stuck = [x for x in ctx.latest.probes if x.up is False]
        probes = "".join(f"; probe {x.name} {x.address}: {x.detail}" for x in stuck)
        first = (
            f"first bring {names([x.name for x in stuck])} back (see dependency-down), then " if stuck else ""
        )
        found.append(
            STARTUP_HANG.about(
                e.name,
                title=f"start-up hang: {p} runs but {e.name} gets no answer ({streak[0].failure})",
                evidence=(
                    f"GET {e.url}: {streak[0].reason} (timeout {ctx.settings.timeout:g} s) — {n} "
                    f"consecutive cycle{'s' if n > 1 else ''} since {clock(since)}; {seen}{_last_words(ctx)}"
                    f"{probes}"
                ),
                fix=(
                    f"{first}restart {p} (`docker restart {p}`); if it hangs again its "
                    f"start-up waits on itself (2025-08-17: cache → Redis → pool manager): the log line "
                    f"above is the last step that finished; deploy a build that times out initialization"
                ),
            )
        )
    return found


def emergency_build(ctx: Context) -> list[Finding]:
    """`emergency-build`: critical only when the log says emergency; the route alone is info.

    The emergency-fix build answers /health-emergency 200 on every start (docs/backend.md
    "GET /health-emergency"), so the mode comes from the primary's log (`core.evidence.backend_mode`).
    """
    found: list[Finding] = []
    for e in ctx.latest.endpoints:
        if e.kind is not EndpointKind.EMERGENCY or e.http_code != 200 or e.not_asked:
            continue
        mode, line = backend_mode(ctx.latest, ctx.primary)
        p = ctx.primary
        route = f"GET {e.url} answered 200 at {clock(e.checked_at)}"
        if mode != "emergency" or line is None:
            said = f"{p}'s log: {quote(line)}" if line is not None else f"no start-up mode line in {p}'s log"
            found.append(
                EMERGENCY_BUILD.about(
                    e.name,
                    severity="info",
                    title=f"emergency-fix build deployed; mode from the log: {mode}",
                    evidence=f"{route} (it does on every start of that build); {said}",
                    fix=f"none while it runs normally; `docker logs {p} | grep 'started in'` says the mode",
                )
            )
            continue
        found.append(
            EMERGENCY_BUILD.about(
                e.name,
                title="the backend runs in emergency mode: normal initialization was bypassed",
                evidence=f"{p}'s log: {quote(line)}; {route}",
                fix=(
                    f"find why normal start-up failed (`docker logs {p}`; usually missing SECRET_KEY/"
                    f"JWT_SECRET or the start-up deadlock, see the other findings), fix it, then rebuild and "
                    f"recreate from the normal build: `{rebuild_command(ctx, p)}`"
                ),
            )
        )
    return found


def _usable(e: EndpointStatus | None) -> bool:
    """A fresh, good /health answer whose sub-services can be read."""
    return e is not None and _fresh(e) and e.failure is None and bool(e.services)


def stuck_initializing(ctx: Context) -> list[Finding]:
    """`stuck-initializing`: /health sub-services stay `initializing` past settings.stuck_initializing.

    /health says "healthy" throughout (docs/backend.md "GET /health"), so only the sub-services
    tell. The latest answer must show it: an old answer says nothing about now.
    """
    found: list[Finding] = []
    limit = ctx.settings.stuck_initializing
    for e in ctx.latest.endpoints:
        if e.kind is not EndpointKind.HEALTH or not _usable(e):
            continue
        stuck: list[tuple[str, datetime, float]] = []
        for service, state in e.services.items():
            if state == INITIALIZING and not confirmed_up(ctx, service):  # up: a contradiction instead
                since = initializing_since(ctx, e.name, service)
                if (seconds := ctx.seconds_since(since)) > limit:
                    stuck.append((service, since, seconds))
        if not stuck:
            continue
        listed = names([s for s, _, _ in stuck])
        p = ctx.primary
        seen = "; ".join(f"{s} initializing since {clock(t)} ({span(sec)})" for s, t, sec in stuck)
        found.append(
            STUCK_INITIALIZING.about(
                e.name,
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
