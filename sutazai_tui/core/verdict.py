"""The whole picture in one word, Nagios style: OK, WARNING, CRITICAL or UNKNOWN, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from sutazai_tui.models import EndpointStatus, Finding, Snapshot, State, container_reason, container_state


class Level(IntEnum):
    """Exit codes of `check`, by the Nagios plugin convention."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


_BY_STATE = {
    State.OK: Level.OK,
    State.DEGRADED: Level.WARNING,
    State.STALE: Level.WARNING,
    State.EMERGENCY: Level.CRITICAL,
    State.DOWN: Level.CRITICAL,
}
_BY_SEVERITY = {"critical": Level.CRITICAL, "warning": Level.WARNING}
# Worse-than order for exit codes: CRITICAL, then UNKNOWN (could not judge), then WARNING, then OK.
RANK = {Level.OK: 0, Level.WARNING: 1, Level.UNKNOWN: 2, Level.CRITICAL: 3}


@dataclass
class Overall:
    """The worst level found and the reasons behind it, worst first."""

    level: Level = Level.OK
    reasons: list[tuple[Level, str]] = field(default_factory=list)

    def add(self, level: Level, reason: str, binding: bool = False) -> None:
        """Count one problem; an UNKNOWN counts towards the level only when `binding`."""
        self.reasons.append((level, reason))
        if level is Level.UNKNOWN and not binding:
            return  # e.g. an ambiguous answer: said, but it does not make the whole UNKNOWN
        if RANK[level] > RANK[self.level]:
            self.level = level

    def lines(self) -> list[str]:
        """Reasons as text, worst first."""
        order = {Level.CRITICAL: 0, Level.WARNING: 1, Level.UNKNOWN: 2, Level.OK: 3}
        return [f"{lvl.name}: {text}" for lvl, text in sorted(self.reasons, key=lambda r: order[r[0]])]


def not_asked_level(e: EndpointStatus) -> Level:
    """An endpoint we could not ask: at least UNKNOWN, and no better than its last real verdict.

    Not asking says nothing about the backend, so it can never improve the verdict: a 429 on an
    endpoint last seen DOWN stays CRITICAL, and one last seen OK is UNKNOWN, not OK.
    """
    last = _BY_STATE.get(e.last_state, Level.UNKNOWN) if e.last_state is not None else Level.UNKNOWN
    return max(Level.UNKNOWN, last, key=RANK.__getitem__)


def assess(snapshot: Snapshot, findings: list[Finding] | tuple[Finding, ...] = ()) -> Overall:
    """OK only when every endpoint and container is fine; UNKNOWN when nothing could be judged."""
    overall = Overall()
    judged = 0
    for e in snapshot.endpoints:
        if e.not_asked:
            overall.add(not_asked_level(e), f"{e.name}: {e.reason}", binding=True)
            continue
        if e.state is State.UNKNOWN:
            overall.add(Level.UNKNOWN, f"{e.name}: {e.reason}")
            continue
        judged += 1
        if e.state is not State.OK:
            overall.add(_BY_STATE[e.state], f"{e.name} {e.state}: {e.reason}")
        elif e.carried:  # an OK that this run did not hear itself says so (a shared answer)
            overall.add(Level.OK, f"{e.name}: {e.reason}")
    if snapshot.containers is not None:
        status = snapshot.containers
        if status.state is State.DOWN:  # could not ask the engine: says nothing about the containers
            overall.add(Level.UNKNOWN, f"containers: {status.reason}", binding=True)
        else:
            judged += 1
        # A container a finding is about is named once, by the finding (it says why, and the fix);
        # its level still counts.
        explained = {f.subject for f in findings if f.severity in _BY_SEVERITY}
        for c in status.containers:
            state = container_state(c)
            if state is State.OK:
                continue
            row = _BY_STATE.get(state, Level.UNKNOWN)
            if c.name in explained:
                if row is not Level.UNKNOWN and RANK[row] > RANK[overall.level]:
                    overall.level = row
            else:
                overall.add(row, f"{c.name}: {container_reason(c)}")
    for f in findings:
        level = _BY_SEVERITY.get(f.severity)
        if level is not None:
            overall.add(level, f"[{f.id}] {f.subject}: {f.title}")
    if judged == 0 and overall.level is Level.OK:  # nothing answered in a way we could judge
        overall.level = Level.UNKNOWN
    return overall
