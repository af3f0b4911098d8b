"""The container table's order and the findings' weight on its rows, apart from drawing them:
worst first (the primary backend's container pinned on top) or by any column, and which finding
about a container sets its row's STATE. Pure functions over `ContainerStats` and `Finding`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sutazai_tui.diagnosis.lifetimes import is_about
from sutazai_tui.models import ContainerStats, Finding, State, container_state

_HEALTH_RANK = {"unhealthy": 0, "starting": 1, "healthy": 2}


def _neg(value: float | int | None) -> float | None:
    return None if value is None else -value


def _sum(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


# Per column: the sort value (None sorts last); each column's natural order comes first (worst,
# busiest, most restarted, most recently started), `o` cycles them, `O` reverses.
SORT_KEYS: dict[str, Callable[[ContainerStats], Any]] = {
    "name": lambda c: c.name,
    "state": lambda c: -container_state(c).rank,
    "health": lambda c: _HEALTH_RANK.get(c.health or "", 3),
    "restarts": lambda c: -c.restart_count,
    "cpu": lambda c: _neg(c.cpu_percent),
    "mem": lambda c: _neg(c.mem_used),
    "docker": lambda c: c.state,
    "up": lambda c: _neg(c.started_at.timestamp()) if c.started_at and c.state == "running" else None,
    "net": lambda c: _neg(_sum(c.net_rx, c.net_tx)),
    "block": lambda c: _neg(_sum(c.blk_read, c.blk_write)),
}
SORT_ORDER: tuple[str | None, ...] = (None, *SORT_KEYS)  # None: worst first


StateOf = Callable[[ContainerStats], State]
# What a finding about a container makes its row say at least (an info finding changes nothing).
FINDING_STATE = {"critical": State.DOWN, "warning": State.DEGRADED}


def finding_state(finding: Finding) -> State | None:
    """The row state a finding calls for: critical DOWN (emergency mode EMERGENCY), warning DEGRADED."""
    state = FINDING_STATE.get(finding.severity)
    return State.EMERGENCY if state is State.DOWN and finding.id.startswith("emergency") else state


def flagged_by(
    containers: Sequence[ContainerStats], findings: Sequence[Finding], primary: str
) -> dict[str, Finding]:
    """Per container name, the worst finding about it that changes its row (none: not listed)."""
    names = [c.name for c in containers]
    flagged: dict[str, Finding] = {}
    for finding in findings:
        state = finding_state(finding)
        if state is None:
            continue
        for name in names:
            if not is_about(finding.subject, name, primary, names):
                continue
            held = flagged.get(name)
            if held is None or state.rank > (finding_state(held) or State.OK).rank:
                flagged[name] = finding
    return flagged


def worst_first(
    containers: Sequence[ContainerStats], state: StateOf = container_state, first: str | None = None
) -> list[ContainerStats]:
    """Containers ordered by badness (DOWN first), then by name; `first` (the primary) pinned on top."""
    return sorted(containers, key=lambda c: (c.name != first, -state(c).rank, c.name))


def sort_containers(
    containers: Sequence[ContainerStats],
    column: str | None,
    reverse: bool = False,
    state: StateOf = container_state,
    first: str | None = None,
) -> list[ContainerStats]:
    """Containers by a column (None: worst first), ties by name; unknown values always last; the
    `first` container (the primary backend's) stays on top whatever the order."""
    ordered = worst_first(containers, state)
    if column is None:
        ordered = ordered[::-1] if reverse else ordered
    else:
        key = (lambda c: -state(c).rank) if column == "state" else SORT_KEYS[column]
        known = sorted((c for c in ordered if key(c) is not None), key=key, reverse=reverse)
        ordered = known + [c for c in ordered if key(c) is None]
    return sorted(ordered, key=lambda c: c.name != first)  # stable: the rest keep their order
