"""Detectors that read the engine's view of the containers.

Environment: only `ContainerStats.env_names` and the lengths of required values are read. The
container source drops every value in the worker that inspected it, so no secret can reach a
finding through here.
"""

from __future__ import annotations

from datetime import datetime

from sutazai_tui.core.evidence import quote
from sutazai_tui.diagnosis.context import Context, Kind, clock, names, short_id, span
from sutazai_tui.diagnosis.evidence import log_says
from sutazai_tui.diagnosis.recreate import env_place, recreate_fix
from sutazai_tui.models import ContainerStats, Finding
from sutazai_tui.sources.engine.compose_labels import shown_cli
from sutazai_tui.sources.engine.loops import RISE, WINDOW_S, is_loop, last_restart, restart_times
from sutazai_tui.util import fmt

# What these detectors find: stable ids (scripts match on them), each with its usual severity.
MISSING_ENV = Kind("missing-env", "critical")
ENV_NAME_MISMATCH = Kind("env-name-mismatch", "warning")
RESTART_LOOP = Kind("restart-loop", "critical")
STALE_IMAGE = Kind("stale-image", "warning")
UNHEALTHY = Kind("unhealthy", "warning")
OOM_KILLED = Kind("oom-killed", "critical")
CRASHED = Kind("crashed", "critical")

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


def env_gaps(ctx: Context, c: ContainerStats) -> tuple[list[str], list[str], list[str]]:
    """The required variables this container lacks: (not set, set but empty, too short).

    Lengths come from the source (never values); a reading without lengths (an old recording)
    is judged by names alone.
    """
    absent, empty, short = [], [], []
    for n in ctx.settings.required_for(c.name):
        length = c.env_lengths.get(n)
        if n not in c.env_names:
            absent.append(n)
        elif length == 0:
            empty.append(n)
        elif length is not None and length < ctx.settings.secret_min_length.get(n, 1):
            short.append(n)
    return absent, empty, short


def _env_check(ctx: Context, c: ContainerStats) -> str:
    """How to see the values compose will pass, before the recreate (an unset `${VAR}` shows empty)."""
    if c.compose is None:
        return ""
    cli = " ".join(shown_cli(ctx.settings.compose_cli))
    where = f"`cd {c.compose.working_dir} && " if c.compose.working_dir else "`"
    unset = "an unset ${VAR} shows empty"
    return f"; before the recreate check the values compose will pass: {where}{cli} config` ({unset})"


def missing_env(ctx: Context) -> list[Finding]:
    """`missing-env`: a container lacks env vars it cannot start without, or has them empty/too short.

    Required: `settings.required_for` (the primary service's, whatever it is called, are the real
    builds' three). Compose's `${JWT_SECRET}` with the variable unset gives an empty value, which the
    build rejects as "must be at least 32 characters": empty or short counts as missing.
    """
    found: list[Finding] = []
    for c in ctx.containers:
        required = ctx.settings.required_for(c.name)
        absent, empty, short = env_gaps(ctx, c)
        bad = absent + empty + short
        if not bad:
            continue
        parts = []
        if absent:
            parts.append(f"lacks required env var{'s' if len(absent) > 1 else ''} {names(absent)}")
        if empty:
            parts.append(f"{names(empty)} {'is' if len(empty) == 1 else 'are'} set but empty")
        if short:
            parts.append(f"{names(short)} {'is' if len(short) == 1 else 'are'} too short")
        lengths = "; ".join(
            f"{n} is {c.env_lengths.get(n, 0)} characters, needs ≥ {ctx.settings.secret_min_length.get(n, 1)}"
            for n in short
        )
        seen = [f"its Config.Env ({c.state}, container {short_id(c.id)}) names {len(c.env_names)} variables"]
        if absent:
            seen.append(f"not {names(absent)}")
        if empty:
            seen.append(
                f"{names(empty)} set but empty — compose's `${{{empty[0]}}}` with the variable unset "
                "gives that"
            )
        if lengths:
            seen.append(lengths)
        minimum = max((ctx.settings.secret_min_length.get(n, 32) for n in bad), default=32)
        each = " each" if len(bad) > 1 else ""
        also = [n for n in required if n not in bad]
        needs = f" — {c.name} needs all of {names(required)}" if also else ""
        found.append(
            MISSING_ENV.about(
                c.name,
                title=f"{c.name} {'; '.join(parts)}",
                evidence="; ".join(seen) + f"; required: {names(required)}" + log_says(ctx, c.name),
                fix=(
                    f"set {names(bad)} (≥ {minimum} characters{each}, e.g. `openssl rand -hex 32`) in "
                    f"{env_place(c)}{needs}" + _env_check(ctx, c) + "; then " + recreate_fix(ctx, c, "env")
                ),
            )
        )
    return found


def env_name_mismatch(ctx: Context) -> list[Finding]:
    """`env-name-mismatch`: one name of an alias group is set and a sibling is not."""
    found: list[Finding] = []
    for c in ctx.containers:
        reported = set(env_gaps(ctx, c)[0])  # missing-env names those already, with the whole fix
        for group in ctx.settings.env_alias_groups:
            present = [n for n in group if n in c.env_names]
            absent = [n for n in group if n not in c.env_names and n not in reported]
            if not present or not absent:
                continue
            found.append(
                ENV_NAME_MISMATCH.about(
                    c.name,
                    title=f"{c.name} sets {names(present)} but not {names(absent)}",
                    evidence=(
                        f"env names of {c.name}: {names(present)} present, {names(absent)} missing "
                        f"(alias group {names(group)})"
                    ),
                    fix=(
                        f"set {names(absent)} to the same value as {present[0]} in {env_place(c)} and "
                        + recreate_fix(ctx, c, "env")
                        + " — code that reads the other name gets nothing"
                        + (
                            " (in the 2025-08-17 incident config.py read JWT_SECRET while main.py "
                            "checked JWT_SECRET_KEY)"
                            if c.name == ctx.primary  # the incident's history: the primary's only
                            else ""
                        )
                    ),
                )
            )
    return found


Recent = list[tuple[datetime, dict[str, ContainerStats]]]


def _recent(ctx: Context) -> Recent:
    """The snapshots within twice the loop window, each with its containers by name.

    Built once per diagnosis, not once per container: looking each container up by name in every
    snapshot was 100 x 100 x 240 comparisons a cycle at 100 containers (87 ms of CPU, issue 19).
    """
    found: Recent = []
    now = ctx.latest.taken_at
    for snap in ctx.snapshots:
        if snap.containers is None or (now - snap.taken_at).total_seconds() > 2 * WINDOW_S:
            continue
        # reversed: the first container of a name wins, as Snapshot.container finds it
        found.append((snap.taken_at, {c.name: c for c in reversed(snap.containers.containers)}))
    return found


def looping(ctx: Context, c: ContainerStats, recent: Recent) -> tuple[bool, list[datetime]]:
    """In a restart loop now — the source says so, it is `restarting`, or its readings so far show
    ≥ 3 restarts within 5 minutes with the last one within 5 minutes (sources/engine/loops.py) —
    and the restart times its readings show."""
    readings = [(r, at) for at, by_name in recent if (r := by_name.get(c.name)) is not None and r.id == c.id]
    times = restart_times([*readings, (c, ctx.now)])
    source_says = c.looping_since is not None or c.state == "restarting"
    return source_says or is_loop(times, ctx.now), times


def _lacks_env(ctx: Context, c: ContainerStats) -> bool:
    """Whether a required env var is missing or empty: then the loop's fix is a recreate, not a start."""
    return any(env_gaps(ctx, c))


DEPENDENCY_SIGNS = ("startup-failed", "redis-connect")


def _loop_fix(ctx: Context, c: ContainerStats) -> str:
    """What ends this loop: the env (recreate), a dependency (bring it up), else read why and start."""
    head = f"stop it so the loop stops burning resources (`docker stop {c.name}`), "
    if _lacks_env(ctx, c):
        return head + "set its required variables (see missing-env), then " + recreate_fix(ctx, c, "env")
    log = ctx.latest.log(c.name)
    dep = log.find(*DEPENDENCY_SIGNS) if log is not None else None
    if dep is not None:
        return (
            f"its start fails on a dependency ({quote(dep)}): bring that dependency up (postgres/redis: "
            f"see the probes and their containers); the restart policy then starts {c.name} by itself — "
            f"restarting {c.name} first changes nothing"
        )
    history = "; in the 2025-08-17 incident: missing SECRET_KEY/JWT_SECRET" if c.name == ctx.primary else ""
    return head + (
        f"read why each start fails (`docker logs --tail 50 {c.name}`{history}), fix that, then "
        f"`docker start {c.name}`"
    )


def restart_loop(ctx: Context) -> list[Finding]:
    """`restart-loop`: ≥ 3 restarts within 5 minutes (one inspect or across cycles), or `restarting`.

    Critical for as long as it holds — until no restart happened for 5 minutes — whatever state
    it is caught in: between two attempts a looping container runs, and that is no recovery.
    """
    found: list[Finding] = []
    recent = _recent(ctx) if ctx.containers else []
    for c in ctx.containers:
        loop, times = looping(ctx, c, recent)
        if not loop:
            continue
        last = c.last_restart_at or last_restart(c, ctx.now)
        seen = [f"state {c.state}", f"restart count {c.restart_count}"]
        window = [t for t in times if ctx.seconds_since(t) <= WINDOW_S]
        if window and len(window) < c.restart_count + 1:
            seen.append(f"+{len(window)} in the last {span(max(ctx.seconds_since(min(window)), 0.0))}")
        if c.created_at is not None:
            seen.append(f"created {span(ctx.seconds_since(c.created_at))} ago")
        if last is not None and c.state != "restarting":
            seen.append(f"last restart {span(max(0.0, ctx.seconds_since(last)))} ago")
        if c.exit_code is not None:
            seen.append(f"last exit code {c.exit_code}")
        between = " (caught running between two attempts)" if c.state == "running" else ""
        # Caught `restarting` with fewer restarts than a loop takes, the times are the loop's
        # assumed ones, not restarts seen: the title says what was seen, never "3 restarts in 0.0 s".
        if RISE <= len(window) <= c.restart_count:
            how = f"{len(window)} restarts in the last {span(max(ctx.seconds_since(min(window)), 0.0))}"
        else:
            how = (
                f"{RISE}+ restarts within {span(WINDOW_S)}"
                if c.state != "restarting"
                else "it fails as it starts"
            )
        found.append(
            RESTART_LOOP.about(
                c.name,
                title=f"{c.name} is in a restart loop: {how}{between}",
                evidence="; ".join(seen)
                + f"; it ends once no restart happened for {span(WINDOW_S)}"
                + log_says(ctx, c.name),
                fix=_loop_fix(ctx, c),
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
            STALE_IMAGE.about(
                c.name,
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
        UNHEALTHY.about(
            c.name,
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
            OOM_KILLED.about(
                c.name,
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
            CRASHED.about(
                c.name,
                severity="warning" if c.exit_code in SIGNAL_STOPS else "critical",
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
