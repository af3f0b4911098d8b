"""The seam every container source plugs into (real engine, simulated fleet, replay)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sutazai_tui.models import ContainersStatus

# The first CPU figures: the counters read again this long after the first read. Above the 0.5 s a
# figure needs (CFS throttles per 100 ms; /proc/stat ticks are 10 ms, < 1 % of this at 2 CPUs), and
# short, so the first CPU % is on screen ~0.7 s after the list (docs/architecture.md).
FIRST_CPU_WINDOW_S = 0.6
# An early answer of the first cycle, for a table only (docs/architecture.md "The first answers").
Listed = Callable[[ContainersStatus], None]


class ContainerSource(Protocol):
    """Lists the monitored containers with their stats, once per cycle.

    `poll` must never raise for engine faults: an unreachable engine is a `ContainersStatus`
    with state DOWN and a one-line reason, and the next call tries again. It must not block the
    event loop: blocking clients run in threads inside.
    """

    @property
    def engine(self) -> str:
        """Where the containers are asked for, shown in the header (e.g. unix:///var/run/docker.sock)."""
        ...

    async def poll(self, listed: Listed | None = None) -> ContainersStatus:
        """One cycle's view of the containers. `listed`, if given, may be called before the
        answer with what is known sooner (the first cycle's list, its first CPU figures): a
        partial view, state UNKNOWN, for a table to show and nothing to judge."""
        ...

    async def cpu_follow_up(self, window: float) -> ContainersStatus | None:
        """The last cycle again with the CPU figures it could not have (no earlier sample), read
        `window` seconds after it; None when it has them all or cannot (a simulated fleet, a replay)."""
        ...

    async def close(self) -> None:
        """Release connections and threads."""
        ...
