"""One cycle over the simulated backend, the schedule, history and staleness."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.answers import EMERGENCY, HANG, RECOVERED
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_monitor
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.models import Event, Snapshot, State
from sutazai_tui.session.session import Session
from tests.conftest import ANSWER_TIMEOUT, settings_for


async def wait_for(condition: object, deadline: float = 5.0) -> None:
    """Poll a condition on the loop until it holds, or fail after `deadline` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not condition():  # type: ignore[operator]
        assert loop.time() < end, "condition not met in time"
        await asyncio.sleep(0.01)


def following(session: Session, seen: list[Snapshot]) -> asyncio.Task[None]:
    """Consume the session's cycles in a task, keeping each snapshot."""

    async def follow() -> None:
        async for cycle in session.cycles():
            seen.append(cycle.snapshot)

    return asyncio.create_task(follow())


async def test_cycle_follows_the_incident(backend: SimulatedBackend) -> None:
    # With the simulated fleet, whose backend log says which mode it started in: EMERGENCY needs it.
    settings = settings_for(backend.url, timeout=ANSWER_TIMEOUT, containers=True)
    monitor = demo_monitor(settings, SimulatedFleet(backend))
    states = {}
    for phase in (HANG, EMERGENCY, RECOVERED):
        backend.forced_phase = phase
        snap = await monitor.cycle()
        monitor.history.add(snap)
        states[phase] = {e.name: e.state for e in snap.endpoints}
    await monitor.close()
    assert states[HANG] == {"health": State.DOWN, "emergency": State.DOWN, "mcp": State.DOWN}
    assert states[EMERGENCY] == {"health": State.DEGRADED, "emergency": State.EMERGENCY, "mcp": State.DOWN}
    assert states[RECOVERED] == {"health": State.OK, "emergency": State.OK, "mcp": State.OK}
    subjects = [(e.subject, e.new) for e in monitor.history.events]
    assert ("emergency", State.EMERGENCY) in subjects and ("health", State.OK) in subjects


async def test_host_stats_are_present(backend: SimulatedBackend) -> None:
    monitor = Monitor(settings_for(backend.url))
    first = await monitor.cycle()
    second = await monitor.cycle()
    await monitor.close()
    # Measured from the first cycle on, over two samples of its own (never psutil's first 0.0).
    assert first.host is not None and first.host.cpu_percent is not None
    assert second.host is not None and second.host.cpu_percent is not None
    assert second.host.mem_total and second.host.disk_total


async def test_poll_now_never_overlaps_a_cycle(backend: SimulatedBackend) -> None:
    backend.forced_phase = HANG
    settings = settings_for(backend.url, timeout=ANSWER_TIMEOUT, interval=60)
    session = Session(settings, Monitor(settings))
    seen: list[Snapshot] = []
    task = following(session, seen)
    await wait_for(lambda: session.polling)
    accepted = [session.poll_now() for _ in range(20)]
    await wait_for(lambda: len(seen) == 1)
    task.cancel()
    await session.close()
    assert accepted == [False] * 20
    assert session.scheduler is not None and session.scheduler.coalesced == 20
    assert backend.requests["/health"] == 1


async def test_pause_stops_cycles_and_resume_restarts(backend: SimulatedBackend) -> None:
    settings = settings_for(backend.url, interval=0.05)
    session = Session(settings, Monitor(settings))
    seen: list[Snapshot] = []
    task = following(session, seen)
    await wait_for(lambda: len(seen) >= 2)
    session.set_paused(True)
    await wait_for(lambda: not session.polling)
    count = len(seen)
    requests = backend.requests["/health"]
    await asyncio.sleep(0.3)  # six intervals in which a running scheduler would poll
    assert len(seen) == count and backend.requests["/health"] == requests
    session.set_paused(False)
    await wait_for(lambda: len(seen) > count)
    task.cancel()
    await session.close()


async def test_stale_when_no_poll_completed_for_two_intervals(backend: SimulatedBackend) -> None:
    monitor = Monitor(settings_for(backend.url, interval=10))
    snap = await monitor.cycle()
    events: list[Event] = monitor.history.add(snap)
    assert events == []  # a healthy start is not news
    health = snap.endpoints[0]
    assert monitor.history.display_state(health, snap.taken_at + timedelta(seconds=5))[0] is State.OK
    state, reason = monitor.history.display_state(health, snap.taken_at + timedelta(seconds=25))
    assert state is State.STALE and "no poll has completed" in reason
    assert monitor.history.stale_reason(snap.taken_at + timedelta(seconds=25)) == "last poll 25 s ago"
    await monitor.close()


async def test_history_is_bounded(backend: SimulatedBackend) -> None:
    monitor = Monitor(settings_for(backend.url, history_size=5))
    for _ in range(8):
        monitor.history.add(await monitor.cycle())
    await monitor.close()
    assert len(monitor.history.snapshots) == 5
    assert monitor.history.latest is not None and monitor.history.latest.cycle == 8
    assert len(monitor.history.latencies("health")) == 5
