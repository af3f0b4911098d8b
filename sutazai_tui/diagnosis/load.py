"""`cpu-saturated`: a container that keeps a core busy, cycle after cycle.

A busy loop (a worker spinning on a closed socket, a retry without a pause) keeps the container
`running` and its health check green while it burns a core and starves its neighbours: nothing
else says so. The CPU % is the engine's (100 = one core); the finding needs
`cpu_saturated_cycles` consecutive cycles at `cpu_saturated_percent` or more, so a burst (a
start-up, a request) does not count.
"""

from __future__ import annotations

from sutazai_tui.diagnosis.context import Context, Kind
from sutazai_tui.models import Finding

# What these detectors find: stable ids (scripts match on them), each with its usual severity.
CPU_SATURATED = Kind("cpu-saturated", "warning")


def cpu_saturated(ctx: Context) -> list[Finding]:
    """`cpu-saturated` (warning): at or above the threshold in each of the last N cycles."""
    limit, need = ctx.settings.cpu_saturated_percent, ctx.settings.cpu_saturated_cycles
    recent = ctx.snapshots[-need:]
    if len(recent) < need:
        return []
    found: list[Finding] = []
    for c in ctx.containers:
        if c.state != "running":
            continue
        seen: list[float] = []
        for snap in recent:
            then = snap.container(c.name)
            if then is None or then.cpu_percent is None or then.cpu_percent < limit or then.id != c.id:
                break
            seen.append(then.cpu_percent)
        if len(seen) < need:
            continue
        figures = ", ".join(f"{v:.0f} %" for v in seen)
        found.append(
            CPU_SATURATED.about(
                c.name,
                title=f"{c.name} keeps a CPU core busy ({seen[-1]:.0f} % for {need} cycles)",
                evidence=(
                    f"CPU of {c.name} in the last {need} cycles: {figures} (100 % = one core; "
                    f"threshold {limit:g} %)"
                ),
                fix=(
                    f"see what it is doing (`docker top {c.name}`, `docker logs --tail 50 {c.name}`): "
                    f"a busy loop or retry without a pause; restart it to relieve the host "
                    f"(`docker restart {c.name}`), then fix the loop"
                ),
            )
        )
    return found
