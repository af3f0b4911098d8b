"""The first cycle's CPU figures on the real engine: the container list first, then CPU % from a
second read of only the counters a moment later, whatever the interval (sources/engine/source.py);
when the inspects take longer than that moment, the second read is taken beside them and the
first cycle has its CPU figures itself, shown early through `listed` (sources/engine/first_cpu.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import ContainersStatus, Snapshot, State
from sutazai_tui.records.recording import read_recording
from sutazai_tui.session.session import Cycle, Session
from sutazai_tui.sources.engine.source import DockerSource
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client

pytestmark = [pytest.mark.engine]
__all__ = ["containers", "docker_client"]  # fixtures, used by name

BUSY = ["sh", "-c", "while :; do :; done"]


def _cpu(snapshot: Snapshot, name: str) -> float | None:
    assert snapshot.containers is not None
    (found,) = [c for c in snapshot.containers.containers if c.name == name]
    return found.cpu_percent


async def test_the_first_cycle_shows_the_list_then_its_cpu_figures_at_a_long_interval(
    backend: SimulatedBackend, containers: ContainerFactory, tmp_path: Any
) -> None:
    busy = containers.run("busy", BUSY, nano_cpus=500_000_000)
    record = tmp_path / "rec.jsonl"
    settings = settings_for(
        backend.url, containers=True, container_prefix=containers.prefix, interval=3600.0, record=record
    )
    source = DockerSource(prefix=containers.prefix, timeout=10)
    session = Session(settings, Monitor(settings, containers=source))
    seen: list[Cycle] = []
    cycles = session.cycles()
    try:
        seen.append(await anext(cycles))
        if _cpu(seen[0].snapshot, busy.name) is not None:
            pytest.skip("the engine was slower than the window: the first cycle had its CPU itself")
        seen.append(await anext(cycles))
        # The list came first, without CPU (no earlier sample), then the same cycle with it.
        assert [c.snapshot.cycle for c in seen] == [1, 1]
        assert _cpu(seen[0].snapshot, busy.name) is None
        cpu = _cpu(seen[1].snapshot, busy.name)
        assert cpu is not None and cpu > 5, cpu  # half a core busy: tens of percent
        assert seen[1].events == ()  # the same cycle: its events were told once
        # One snapshot in the history, the refined one; its series carries the figure.
        assert len(session.history.snapshots) == 1
        assert _cpu(session.history.snapshots[0], busy.name) == cpu
        assert session.history.series(busy.name, "cpu_percent") == [cpu]
        # A later cycle has its CPU from the earlier sample: no second follow-up.
        session.poll_now()
        seen.append(await anext(cycles))
        assert [c.snapshot.cycle for c in seen] == [1, 1, 2]
        assert _cpu(seen[2].snapshot, busy.name) is not None
    finally:
        await cycles.aclose()
        await session.close()
    # The recording holds each cycle once.
    assert [f.cycle for f in read_recording(record).frames] == [1, 2]


class SlowInspects(DockerSource):
    """The engine source with inspects slower than the first CPU window (a loaded engine's)."""

    async def _inspect_all(self, rows: Any) -> Any:
        await asyncio.sleep(1.6)
        return await super()._inspect_all(rows)


async def test_slow_inspects_give_the_list_then_cpu_figures_before_the_cycle_ends(
    containers: ContainerFactory,
) -> None:
    busy = containers.run("busy", BUSY, nano_cpus=500_000_000)
    source = SlowInspects(prefix=containers.prefix, timeout=10)
    early: list[tuple[float, ContainersStatus]] = []
    try:
        status = await source.poll(lambda s: early.append((time.monotonic(), s)))
        ended = time.monotonic()
        # First the list: names and state from the engine's list, nothing read or judged yet.
        (at_list, listed), (at_cpu, measured) = early
        assert [(c.name, c.state, c.cpu_percent) for c in listed.containers] == [(busy.name, "running", None)]
        assert listed.state is State.UNKNOWN and ended - at_list > 1.0  # well before the inspects ended
        # Then the same list with the first CPU figures, while the inspects still ran.
        (cpu,) = [c.cpu_percent for c in measured.containers]
        assert cpu is not None and cpu > 5 and at_cpu < ended, cpu
        # The cycle itself has them: no follow-up is left to do.
        (found,) = status.containers
        assert status.state is State.OK and found.cpu_percent is not None and found.restart_count == 0
        assert await source.cpu_follow_up(1.0) is None
        # A later cycle gives no early answer: the table keeps the last full one.
        early.clear()
        await source.poll(lambda s: early.append((time.monotonic(), s)))
        assert early == []
    finally:
        await source.close()


async def test_the_warm_up_lists_the_containers_before_any_cycle(
    backend: SimulatedBackend, containers: ContainerFactory
) -> None:
    """Session.warm_up (the TUI calls it while its first frames draw) makes the engine client and
    gives the list to `on_listed` on the loop, before any cycle; the first cycle then uses them."""
    box = containers.run("sleepy", ["sleep", "300"])
    settings = settings_for(backend.url, containers=True, container_prefix=containers.prefix, interval=3600.0)
    session, idle = Session(settings), Session(settings)
    early: list[ContainersStatus] = []
    got = asyncio.Event()

    def on_listed(status: ContainersStatus) -> None:
        early.append(status)
        got.set()

    session.warm_up(on_listed)
    idle.warm_up()  # warmed up and closed, never polled: its Monitor is closed too
    try:
        async with asyncio.timeout(30):
            await got.wait()
        (status,) = early
        assert [(c.name, c.state) for c in status.containers] == [(box.name, "running")]
        assert status.state is State.UNKNOWN and session.snapshot is None and session.monitor is None
        cycles = session.cycles()
        cycle = await anext(cycles)
        await cycles.aclose()
        assert cycle.snapshot.containers is not None and cycle.snapshot.containers.state is State.OK
        assert [c.restart_count for c in cycle.snapshot.containers.containers] == [0]  # inspected
    finally:
        await session.close()
        await idle.close()
    assert idle.monitor is not None
