"""One poll cycle over every source -> Snapshot, and the schedule that runs cycles.

`Monitor.cycle` asks the endpoints, the container engine and the host at once and never raises;
after the engine answered, the evidence that needs its answer (logs, dependency probes) follows,
still alongside the endpoints, and `core.evidence` joins it into the endpoints' final states.
`Scheduler` says when the next cycle may start: every interval, never two at a time, with a
coalescing "poll now" and pause. Both are plain asyncio; `Session.cycles` (session/) drives them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.budget import HostBudget
from sutazai_tui.core.evidence import join_evidence
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainersStatus, HostStats, LogEvidence, ProbeResult, Snapshot, State
from sutazai_tui.sources.backend.client import HttpSource
from sutazai_tui.sources.backend.gate import endpoint_pace
from sutazai_tui.sources.engine.base import FIRST_CPU_WINDOW_S, ContainerSource, Listed
from sutazai_tui.sources.engine.client import fault_detail
from sutazai_tui.sources.engine.details import LogReader
from sutazai_tui.sources.engine.factory import log_reader
from sutazai_tui.sources.engine.log_evidence import LogWatcher, watched
from sutazai_tui.sources.host import HostSource
from sutazai_tui.sources.probes import default_probes, run_probes

EngineView = tuple[ContainersStatus | None, tuple[LogEvidence, ...], tuple[ProbeResult, ...]]


class Monitor:
    """Owns the sources and the history; `cycle` makes one Snapshot."""

    def __init__(
        self,
        settings: Settings,
        http: HttpSource | None = None,
        containers: ContainerSource | None = None,
        host: HostSource | None = None,
        logs: LogReader | None = None,
    ) -> None:
        self.settings = settings
        # One budget per backend for every process on this host (the backend limits per client IP).
        self.http = http or HttpSource(settings, budget=HostBudget.for_settings(settings))
        self.containers = containers
        self.host = host if host is not None else HostSource()
        # A reader made here (the engine's) is closed with the monitor; a given one is the giver's.
        # The Session reads logs and inspect through the same engine client (`engine_details`).
        self.engine_details = log_reader(settings, containers) if logs is None else None
        reader = logs if logs is not None else self.engine_details
        self.logs = (
            LogWatcher(reader, self.http.redactor, settings.docker_timeout) if reader is not None else None
        )
        self.history = History(settings.history_size, settings.interval, endpoint_pace(settings))
        self._cycle = 0

    @property
    def engine(self) -> str | None:
        """Where the containers are asked for; None without a container source."""
        return self.containers.engine if self.containers is not None else None

    @property
    def target(self) -> str:
        """The backend being watched, for headers and recordings."""
        return self.settings.base_url

    async def cycle(self, listed: Listed | None = None) -> Snapshot:
        """Poll everything concurrently; a failing source becomes a line in `errors`, never raises.
        `listed` gets the container source's early answers (a table's, never a verdict's input)."""
        self._cycle += 1
        started = time.monotonic()
        taken_at = datetime.now(UTC)
        # The engine first: its list request is in flight while the endpoints' requests are made.
        engine_view, endpoints, host = await asyncio.gather(
            self._engine_view(listed), self.http.poll(), self.host.poll(), return_exceptions=True
        )
        errors: list[str] = []
        if isinstance(endpoints, BaseException):
            errors.append(f"endpoints: {type(endpoints).__name__}: {endpoints}")
            endpoints = ()
        containers, logs, probes = (None, (), ()) if isinstance(engine_view, BaseException) else engine_view
        if isinstance(engine_view, BaseException):
            engine = self.containers.engine if self.containers is not None else "?"
            # One line with the cause's kind, never the exception's raw text (it may be a traceback).
            reason = f"container source failed: {fault_detail(engine_view, self.settings.docker_timeout)}"
            containers = ContainersStatus(engine=engine, state=State.DOWN, reason=reason)
        budget = getattr(self.http, "budget", None)
        if isinstance(budget, HostBudget):  # a budget file rebuilt, or a folder refused: one line each
            errors.extend(f"budget: {line}" for line in budget.take_notices())
        host_stats: HostStats | None = None
        if isinstance(host, BaseException):
            errors.append(f"host: {type(host).__name__}: {host}")
        else:
            host_stats = host
        snapshot = Snapshot(
            cycle=self._cycle,
            taken_at=taken_at,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
            target=self.target,
            endpoints=endpoints,
            containers=containers,
            host=host_stats,
            logs=logs,
            probes=probes,
            errors=tuple(errors),
        )
        return join_evidence(snapshot, self.settings.primary_service, self.settings.container_prefix)

    async def cpu_follow_up(self, snapshot: Snapshot) -> Snapshot | None:
        """The snapshot with the CPU figures its cycle could not have yet (no earlier sample): the
        container source reads only its counters again, FIRST_CPU_WINDOW_S after the first read —
        the endpoints are not asked again. None when there is nothing to add."""
        if self.containers is None or snapshot.containers is None or snapshot.containers.state is State.DOWN:
            return None
        status = await self.containers.cpu_follow_up(FIRST_CPU_WINDOW_S)
        return snapshot.model_copy(update={"containers": status}) if status is not None else None

    async def _engine_view(self, listed: Listed | None) -> EngineView:
        """Containers, then (needing their ids, start times and ports) their logs and the probes."""
        status = await self.containers.poll(listed) if self.containers is not None else None
        found = status.containers if status is not None and status.state is not State.DOWN else ()
        s = self.settings
        chosen = default_probes(s.probes, found, s.container_prefix, self.engine)
        watched_now = watched(found, s.primary_service) if self.logs is not None else []
        logs, probes = await asyncio.gather(
            self.logs.read(watched_now) if self.logs is not None else _empty(),
            run_probes(chosen, s.timeout),
        )
        return status, logs, probes

    async def close(self) -> None:
        """Release every source's connections (the log reader's engine client too)."""
        await self.http.close()
        if self.containers is not None:
            await self.containers.close()
        if self.engine_details is not None:
            await asyncio.to_thread(self.engine_details.close)


async def _empty() -> tuple[LogEvidence, ...]:
    return ()


class Scheduler:
    """When the next cycle may start: every interval after the last one ended, at once on
    `poll_now`, never while paused, and never while one is in flight.

    It polls nothing itself: `Session.cycles` runs each `turn` (see session/session.py). The next
    cycle is armed only when the last one ended, so a slow cycle delays the next instead of
    overlapping it; `poll_now` during a cycle is coalesced into that cycle.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
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

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait until a cycle is due, then hold the one in-flight slot while the body polls."""
        await self._wait_turn()
        self.in_flight = True
        try:
            yield
            self.cycles += 1
        finally:
            self.in_flight = False
            self.next_due = self._clock() + self.interval
