"""One poll cycle over every source -> Snapshot, and the schedule that runs cycles.

`Monitor.cycle` asks the endpoints, the container engine and the host at once and never raises;
`Scheduler` runs it every interval, never two at a time, with a coalescing "poll now" and pause.
Both are plain asyncio: the TUI runs the scheduler in a worker, `check` runs one cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainersStatus, Event, HostStats, Snapshot, State
from sutazai_tui.sources.base import ContainerSource
from sutazai_tui.sources.engine import fault_detail
from sutazai_tui.sources.host import HostSource
from sutazai_tui.sources.http import HttpSource


class Monitor:
    """Owns the sources and the history; `cycle` makes one Snapshot."""

    def __init__(
        self,
        settings: Settings,
        http: HttpSource | None = None,
        containers: ContainerSource | None = None,
        host: HostSource | None = None,
    ) -> None:
        self.settings = settings
        self.http = http if http is not None else HttpSource(settings)
        self.containers = containers
        self.host = host if host is not None else HostSource()
        self.history = History(settings.history_size, settings.interval)
        self._cycle = 0

    @property
    def target(self) -> str:
        """The backend being watched, for headers and recordings."""
        return self.settings.base_url

    async def cycle(self) -> Snapshot:
        """Poll everything concurrently; a failing source becomes a line in `errors`, never raises."""
        self._cycle += 1
        started = time.monotonic()
        taken_at = datetime.now(UTC)
        ask_containers = self.containers.poll() if self.containers is not None else _none()
        endpoints, containers, host = await asyncio.gather(
            self.http.poll(), ask_containers, self.host.poll(), return_exceptions=True
        )
        errors: list[str] = []
        if isinstance(endpoints, BaseException):
            errors.append(f"endpoints: {type(endpoints).__name__}: {endpoints}")
            endpoints = ()
        if isinstance(containers, BaseException):
            engine = self.containers.engine if self.containers is not None else "?"
            # One line with the cause's kind, never the exception's raw text (it may be a traceback).
            reason = f"container source failed: {fault_detail(containers, self.settings.docker_timeout)}"
            containers = ContainersStatus(engine=engine, state=State.DOWN, reason=reason)
        host_stats: HostStats | None = None
        if isinstance(host, BaseException):
            errors.append(f"host: {type(host).__name__}: {host}")
        else:
            host_stats = host
        return Snapshot(
            cycle=self._cycle,
            taken_at=taken_at,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
            target=self.target,
            endpoints=endpoints,
            containers=containers,
            host=host_stats,
            errors=tuple(errors),
        )

    async def close(self) -> None:
        """Release every source's connections."""
        await self.http.close()
        if self.containers is not None:
            await self.containers.close()


async def _none() -> None:
    return None


SnapshotHandler = Callable[[Snapshot, list[Event]], Awaitable[None] | None]


class Scheduler:
    """Runs `monitor.cycle` every interval; at most one cycle in flight, ever.

    The next cycle is armed only when the last one finished, so a slow cycle delays the next
    instead of overlapping it. `poll_now` during a cycle is coalesced into that cycle.
    """

    def __init__(
        self,
        monitor: Monitor,
        on_snapshot: SnapshotHandler,
        on_cycle_start: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.monitor = monitor
        self.interval = monitor.settings.interval
        self._on_snapshot = on_snapshot
        self._on_cycle_start = on_cycle_start
        self._clock = clock
        self._poke = asyncio.Event()
        self._forced = False
        self.paused = False
        self.in_flight = False
        self.next_due = clock()
        self.cycles = 0
        self.coalesced = 0

    def poll_now(self) -> bool:
        """Ask for a cycle now; False when one is already running (this request joins it)."""
        if self.in_flight:
            self.coalesced += 1
            return False
        self._forced = True
        self._poke.set()
        return True

    def pause(self) -> None:
        """Stop starting cycles (one in flight still finishes)."""
        self.paused = True

    def resume(self) -> None:
        """Start cycles again; poll at once if one is overdue."""
        self.paused = False
        self._poke.set()

    def seconds_to_next(self) -> float | None:
        """Countdown for the header; None while paused or polling."""
        if self.paused or self.in_flight:
            return None
        return max(0.0, self.next_due - self._clock())

    async def _wait_turn(self) -> None:
        while True:
            if self._forced or (not self.paused and self._clock() >= self.next_due):
                self._forced = False
                return
            self._poke.clear()
            timeout = None if self.paused else max(0.0, self.next_due - self._clock())
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives as
            # the poke is set, and the loop would outlive its worker.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._poke.wait()

    async def run_once(self) -> Snapshot:
        """One cycle, recorded in history and handed to the handler."""
        self.in_flight = True
        if self._on_cycle_start is not None:
            self._on_cycle_start()
        try:
            snapshot = await self.monitor.cycle()
        finally:
            self.in_flight = False
            self.next_due = self._clock() + self.interval
        self.cycles += 1
        events = self.monitor.history.add(snapshot)
        result = self._on_snapshot(snapshot, events)
        if result is not None:
            await result
        return snapshot

    async def run(self) -> None:
        """Cycle until cancelled."""
        while True:
            await self._wait_turn()
            await self.run_once()
