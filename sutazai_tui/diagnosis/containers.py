"""Detectors that read the engine's view of the containers.

Environment: only `ContainerStats.env_names` is read. The container source drops every value in
the worker that inspected it, so no secret can reach a finding through here.
"""

from __future__ import annotations

from datetime import datetime

from sutazai_tui.diagnosis.context import Context, clock, names, short_id, span
from sutazai_tui.diagnosis.evidence import log_says
from sutazai_tui.diagnosis.recreate import env_place, recreate_fix
from sutazai_tui.models import ContainerStats, Finding
from sutazai_tui.util import fmt

RESTART_RISE = 3  # restarts ...
RESTART_WINDOW_S = 300.0  # ... within this many seconds make a loop
# Exit codes with a known meaning, to put in evidence (128 + n = killed by signal n).
EXIT_MEANING = {
    1: "a general error",
    2: "bad arguments",
    126: "command not executable",
    127: "command not found",
    134: "SIGABRT (abort)",
    137: "SIGKILL (docker kill, or docker stop past its timeout)",
    139: "SIGSEGV (segmentation fault)",
    143: "SIGTERM (docker stop)",
}
SIGNAL_STOPS = (137, 143)  # usually someone stopped it: worth a warning, not an alarm


def missing_env(ctx: Context) -> list[Finding]:
    """`missing-env`: a container lacks env vars it cannot start without (settings.required_env)."""
    found: list[Finding] = []
    for name, required in ctx.settings.required_env.items():
        c = ctx.latest.container(name)
        if c is None:
            continue
        missing = [n for n in required if n not in c.env_names]
        if not missing:
            continue
        found.append(
            Finding(
                id="missing-env",
                severity="critical",
                subject=name,
                title=f"{name} lacks required env var{'s' if len(missing) > 1 else ''} {names(missing)}",
                evidence=(
                    f"its Config.Env ({c.state}, container {short_id(c.id)}) names {len(c.env_names)} "
                    f"variables and not {names(missing)}; required: {names(required)}"
                ),
                fix=(
                    f"set {names(missing)} (≥ 32 characters{' each' if len(missing) > 1 else ''}, e.g. "
                    f"`openssl rand -hex 32`) in {env_place(c)} and " + recreate_fix(ctx, c, "env")
                ),
            )
        )
    return found


def env_name_mismatch(ctx: Context) -> list[Finding]:
    """`env-name-mismatch`: one name of an alias group is set and a sibling is not."""
    found: list[Finding] = []
    for c in ctx.containers:
        for group in ctx.settings.env_alias_groups:
            present = [n for n in group if n in c.env_names]
            absent = [n for n in group if n not in c.env_names]
            if not present or not absent:
                continue
            found.append(
                Finding(
                    id="env-name-mismatch",
                    severity="warning",
                    subject=c.name,
                    title=f"{c.name} sets {names(present)} but not {names(absent)}",
                    evidence=(
                        f"env names of {c.name}: {names(present)} present, {names(absent)} missing "
                        f"(alias group {names(group)})"
                    ),
                    fix=(
                        f"set {names(absent)} to the same value as {present[0]} in {env_place(c)} and "
                        + recreate_fix(ctx, c, "env")
                        + " — code that reads the other name gets nothing (in the 2025-08-17 incident "
                        "config.py read JWT_SECRET while main.py checked JWT_SECRET_KEY)"
                    ),
                )
            )
    return found


Recent = list[tuple[datetime, dict[str, ContainerStats]]]


def _recent(ctx: Context) -> Recent:
    """The snapshots within the restart window, each with its containers by name.

    Built once per diagnosis, not once per container: looking each container up by name in every
    snapshot was 100 x 100 x 240 comparisons a cycle at 100 containers (87 ms of CPU, issue 19).
    """
    found: Recent = []
    now = ctx.latest.taken_at
    for snap in ctx.snapshots:
        if snap.containers is None or (now - snap.taken_at).total_seconds() > RESTART_WINDOW_S:
            continue
        # reversed: the first container of a name wins, as Snapshot.container finds it
        found.append((snap.taken_at, {c.name: c for c in reversed(snap.containers.containers)}))
    return found


def _restart_rise(ctx: Context, c: ContainerStats, recent: Recent) -> tuple[int, float]:
    """Restarts of this container (same id) within the window, and the seconds they span."""
    oldest_count, oldest_at = c.restart_count, ctx.latest.taken_at
    for taken_at, by_name in recent:
        earlier = by_name.get(c.name)
        if earlier is None or earlier.id != c.id:
            continue  # a recreated container starts counting at 0 again: not a rise
        if earlier.restart_count < oldest_count:
            oldest_count, oldest_at = earlier.restart_count, taken_at
    return c.restart_count - oldest_count, (ctx.latest.taken_at - oldest_at).total_seconds()


def _lacks_env(ctx: Context, c: ContainerStats) -> bool:
    """Whether a required env var is missing: then the loop's fix is a recreate, not a start."""
    return any(n not in c.env_names for n in ctx.settings.required_env.get(c.name, ()))


def restart_loop(ctx: Context) -> list[Finding]:
    """`restart-loop`: state `restarting`, or ≥ 3 restarts within 5 minutes."""
    found: list[Finding] = []
    recent = _recent(ctx) if ctx.containers else []
    for c in ctx.containers:
        rise, seconds = _restart_rise(ctx, c, recent)
        if c.state != "restarting" and rise < RESTART_RISE:
            continue
        seen = [f"state {c.state}", f"restart count {c.restart_count}"]
        if rise:
            seen.append(f"+{rise} in the last {span(seconds)}")
        if c.exit_code is not None:
            seen.append(f"last exit code {c.exit_code}")
        if c.state == "running" and c.health != "unhealthy":
            # It came up after the restarts: say what happened, not that it is failing now.
            found.append(
                Finding(
                    id="restart-loop",
                    severity="warning",
                    subject=c.name,
                    title=f"{c.name} restarted {rise} times in the last {span(seconds)}; it runs now",
                    evidence="; ".join(seen) + log_says(ctx, c.name),
                    fix=(
                        f"read why the earlier starts failed (`docker logs --tail 100 {c.name}`) before it "
                        f"happens again; the finding clears once no restart falls in the last 5 minutes"
                    ),
                )
            )
            continue
        found.append(
            Finding(
                id="restart-loop",
                severity="critical",
                subject=c.name,
                title=f"{c.name} is in a restart loop: it fails as soon as it starts",
                evidence="; ".join(seen) + log_says(ctx, c.name),
                fix=(
                    f"stop it so the loop stops burning resources (`docker stop {c.name}`, or `x` here), "
                    f"read why each start fails (`docker logs --tail 50 {c.name}`; in the 2025-08-17 "
                    f"incident: missing SECRET_KEY/JWT_SECRET), fix that, then "
                    + (recreate_fix(ctx, c, "env") if _lacks_env(ctx, c) else "start it again")
                ),
            )
        )
    return found


def stale_image(ctx: Context) -> list[Finding]:
    """`stale-image`: the image was rebuilt under its tag, but the container still runs the old one."""
    found: list[Finding] = []
    for c in ctx.containers:
        if c.tag_image_id is None or not c.image_id or c.tag_image_id == c.image_id:
            continue
        found.append(
            Finding(
                id="stale-image",
                severity="warning",
                subject=c.name,
                title=f"{c.name} runs an old image: {c.image} was rebuilt, the container not recreated",
                evidence=(
                    f"container runs image {short_id(c.image_id)}; tag {c.image} now points to "
                    f"{short_id(c.tag_image_id)}"
                ),
                fix=recreate_fix(ctx, c, "image"),
            )
        )
    return found


def unhealthy(ctx: Context) -> list[Finding]:
    """`unhealthy`: the container's own HEALTHCHECK fails."""
    return [
        Finding(
            id="unhealthy",
            severity="warning",
            subject=c.name,
            title=f"{c.name} fails its health check",
            evidence=f"Docker reports health `unhealthy` while {c.state}, up since {clock(c.started_at)}"
            + log_says(ctx, c.name),
            fix=(
                f"read the failing probe's output (`docker inspect --format '{{{{json .State.Health}}}}' "
                f"{c.name}`), fix what it checks, then `docker restart {c.name}`"
            ),
        )
        for c in ctx.containers
        if c.health == "unhealthy"
    ]


def oom_killed(ctx: Context) -> list[Finding]:
    """`oom-killed`: the kernel killed the container for going over its memory limit."""
    found: list[Finding] = []
    for c in ctx.containers:
        if not c.oom_killed:
            continue
        limit = f", memory limit {fmt.size(c.mem_limit)}" if c.mem_limit else ""
        found.append(
            Finding(
                id="oom-killed",
                severity="critical",
                subject=c.name,
                title=f"{c.name} was killed: out of memory",
                evidence=(
                    f"the engine reports OOMKilled, state {c.state}, exit code {c.exit_code}, "
                    f"at {clock(c.finished_at)}{limit}"
                ),
                fix=(
                    f"raise its memory limit (compose `mem_limit` or `deploy.resources.limits.memory`) "
                    f"or cut its memory use, then `docker start {c.name}`"
                ),
            )
        )
    return found


def crashed(ctx: Context) -> list[Finding]:
    """`crashed`: exited with a non-zero code (an OOM kill is reported as `oom-killed` instead)."""
    found: list[Finding] = []
    for c in ctx.containers:
        if c.state not in ("exited", "dead") or not c.exit_code or c.oom_killed:
            continue
        meaning = EXIT_MEANING.get(c.exit_code)
        hint = " (for the backend usually missing env vars, see missing-env)" if c.name == ctx.primary else ""
        ran = ""
        if c.started_at is not None and c.finished_at is not None:
            ran = f" after running {span(max(0.0, (c.finished_at - c.started_at).total_seconds()))}"
        found.append(
            Finding(
                id="crashed",
                severity="warning" if c.exit_code in SIGNAL_STOPS else "critical",
                subject=c.name,
                title=f"{c.name} exited with code {c.exit_code}" + (f": {meaning}" if meaning else ""),
                evidence=f"state {c.state}, exit code {c.exit_code} at {clock(c.finished_at)}{ran}"
                + log_says(ctx, c.name),
                fix=(
                    f"read why: `docker logs --tail 50 {c.name}`; fix the cause{hint}, then "
                    f"`docker start {c.name}`"
                ),
            )
        )
    return found
