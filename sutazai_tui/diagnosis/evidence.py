"""Detectors that weigh the backend's self-report against independent evidence.

docs/backend.md "The short version": the engine's view of a container, the container's own log, a direct
probe of the dependency, and last the backend's self-report. Where the backend says one thing about
a dependency and the others say another, that disagreement is the finding, both sides quoted with
their times. What the backend says is read from any endpoint that lists `services` (/health, the
detailed endpoints), whatever words or booleans it uses.
"""

from __future__ import annotations

from datetime import datetime

from sutazai_tui.core.dependencies import INITIALIZING, Seen, claim, dependency, verdict
from sutazai_tui.core.dependencies import independent as independent_of
from sutazai_tui.core.evidence import quote
from sutazai_tui.diagnosis.context import Context, Kind, clock, names, span
from sutazai_tui.models import EndpointKind, EndpointStatus, Finding, State

__all__ = ["INITIALIZING", "Seen", "claim", "dependency", "independent", "verdict"]


def independent(ctx: Context, service: str) -> list[Seen]:
    """What the engine, a probe and the primary's log say of this service's dependency, now."""
    return independent_of(ctx.latest, service, ctx.settings.container_prefix, ctx.primary)


def initializing_since(ctx: Context, endpoint: str, service: str) -> datetime:
    """When the service was first seen `initializing` in its current unbroken run of answers."""
    first = ctx.latest.taken_at
    for snap in reversed(ctx.snapshots):
        e = snap.endpoint(endpoint)
        if e is None or e.not_asked or e.failure is not None or not e.services:
            continue  # a cycle without a readable answer tells nothing about the service
        if e.services.get(service) != INITIALIZING:
            break
        first = e.checked_at or snap.taken_at
    return first


def _own_services(e: EndpointStatus) -> bool:
    """A readable answer that lists services of its own (shared answers count, with their age; a
    liveness-only /health that borrowed its detailed endpoint's list does not: that one speaks)."""
    return not e.not_asked and e.failure is None and bool(e.services) and not e.details.get("liveness_only")


def contradictions(ctx: Context, e: EndpointStatus) -> list[tuple[str, str, list[Seen]]]:
    """(service, what the backend says, the independent evidence) where they disagree now.

    Immediate when both sides are of now: a self-report of `initializing` against a dependency that
    answers is a disagreement at once, not after `stuck_initializing`.
    """
    found = []
    for service, word in e.services.items():
        said, seen = claim(word), independent(ctx, service)
        truth = verdict(seen)
        if truth is None or said == "other":
            continue
        if (said == "up" and truth is False) or (said in ("down", INITIALIZING) and truth):
            found.append((service, word, seen))
    return found


def _settled(ctx: Context, e: EndpointStatus) -> bool:
    """The panel already weighed it (core/evidence.py): stuck initializing, all else says up."""
    return (
        e.kind is EndpointKind.HEALTH
        and e.state is State.OK
        and "self-report stuck at initializing" in e.reason
    )


def _fix(ctx: Context, wrong: list[tuple[str, str, list[Seen]]]) -> str:
    """The fix the evidence supports: bring up only what is down; restart only where it changes the answer."""
    p = ctx.primary
    down = sorted({dependency(s) for s, w, _ in wrong if claim(w) == "up"})
    stuck = sorted({dependency(s) for s, w, _ in wrong if claim(w) == INITIALIZING})
    lied = sorted({dependency(s) for s, w, _ in wrong if claim(w) == "down"})
    parts = []
    if down:
        parts.append(
            f"bring {names(down)} up (`docker start {ctx.settings.container_prefix}{down[0]}`, or find why "
            f"its probe fails): {p} says healthy but cannot be using it"
        )
    if stuck:
        parts.append(
            f"nothing to fix in {names(stuck)}: {'it answers' if len(stuck) == 1 else 'they answer'}; "
            "this build's /health never leaves "
            "`initializing` (the pool it reads is never assigned) — a restart will not change that "
            "answer; trust the probes and its detailed health"
        )
    if lied:
        parts.append(
            f"{names(lied)} answer{'s' if len(lied) == 1 else ''} now: read `docker logs {p}` for its "
            f"connection errors; if it was down earlier, `docker restart {p}` makes it reconnect"
        )
    return "; ".join(parts)


def self_report_contradicted(ctx: Context) -> list[Finding]:
    """`self-report-contradicted`: the backend says X about a dependency, independent evidence Y.

    Answers shared by another process are judged like fresh ones (the evidence quotes their time);
    only an endpoint not asked at all is skipped. Info when the panel was already settled (stuck
    `initializing` with the probes and the detailed self-report saying up): known, no alarm.
    """
    found: list[Finding] = []
    for e in ctx.latest.endpoints:
        if not _own_services(e):
            continue
        wrong = contradictions(ctx, e)
        if not wrong:
            continue
        said = "; ".join(f"{s} {w!r}" for s, w, _ in wrong)
        quotes = "; ".join(
            f"{s} {w!r}, but " + ", ".join(f"{x.text} (at {clock(x.at)})" for x in seen)
            for s, w, seen in wrong
        )
        shared = (
            f" (shared answer, {span(ctx.seconds_since(e.checked_at))} old)"
            if e.carried and e.checked_at
            else ""
        )
        info = _settled(ctx, e)
        found.append(
            SELF_REPORT_CONTRADICTED.about(
                e.name,
                severity="info" if info else "warning",
                title=f"{e.name} says {said}; independent evidence disagrees",
                evidence=f"GET {e.url} at {clock(e.checked_at)}{shared} says {quotes}",
                fix=_fix(ctx, wrong)
                + "; its self-report about dependencies is known to be wrong (docs/backend.md)",
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
    "value-too-short",
    "startup-failed",
)

# What these detectors find: stable ids (scripts match on them), each with its usual severity.
SELF_REPORT_CONTRADICTED = Kind("self-report-contradicted", "warning")
MCP_ROUTER_FAILED = Kind("mcp-router-failed", "warning")
DEPENDENCY_DOWN = Kind("dependency-down", "critical")


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
            MCP_ROUTER_FAILED.about(
                e.name,
                title="the MCP router crashed while loading: MCP routes answer 404",
                evidence=f"GET {e.url} → 404 at {clock(e.checked_at)}; {ctx.primary}'s log{up}: {line}",
                fix=(
                    f"the build's MCP module fails at import (2025-08-16: `logger` used before it was "
                    f"defined): deploy a build with the fix and recreate {ctx.primary}"
                ),
            )
        )
    return found


def dependency_down(ctx: Context) -> list[Finding]:
    """`dependency-down`: a direct probe of a dependency failed while its container (if we see it)
    runs — the case nothing else names: a hung process (connected, no answer: e.g. SIGSTOPped Redis,
    which the kernel still accepts for) or a port that refuses. A stopped container is `crashed`."""
    found: list[Finding] = []
    for p in ctx.latest.probes:
        if p.up is not False:
            continue
        c = ctx.latest.container(f"{ctx.settings.container_prefix}{p.name}")
        if c is not None and (c.state != "running" or c.looping_since is not None):
            continue  # crashed / restart-loop / oom-killed say it better
        who = c.name if c is not None else p.name
        where = f"container {c.name} running, " if c is not None else ""
        if p.hung:
            title = f"{p.name} is hung: it accepts connections and never answers"
            fix = (
                f"a stopped or stuck process: `docker kill -s CONT {who}` if it was SIGSTOPped, else "
                f"`docker restart {who}`; a backend starting meanwhile waits on it (the 2025-08-17 start-up "
                f"hang): check {ctx.primary} after"
            )
        else:
            title = f"{p.name} does not answer its probe: {p.detail}"
            fix = (
                f"read `docker logs --tail 50 {who}` and check the probe's address ({p.address}: the "
                f"published port, or `[[probes]]` in the config)"
            )
        found.append(
            DEPENDENCY_DOWN.about(
                who,
                title=title,
                evidence=f"{where}probe {p.kind} {p.address} at {clock(p.checked_at)}: {p.detail}",
                fix=fix,
            )
        )
    return found
