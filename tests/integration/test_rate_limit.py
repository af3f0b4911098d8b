"""The monitor must never be the reason the backend blocks us: hammer "poll now" for 10 s."""

from __future__ import annotations

import asyncio

import pytest

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import BURST_WINDOW_S, SimulatedBackend
from sutazai_tui.models import Snapshot
from sutazai_tui.session.session import Session
from tests.conftest import settings_for


@pytest.mark.slow
async def test_held_refresh_stays_under_the_budget_and_the_backends_limit() -> None:
    backend = SimulatedBackend("healthy", rate_limit=True)  # the real limiter: 10 per 10 s
    await backend.start()
    settings = settings_for(backend.url, request_budget=8, interval=30)
    monitor = Monitor(settings)
    seen: list[Snapshot] = []
    running = 0
    most_running = 0

    def on_start() -> None:
        nonlocal running, most_running
        running += 1
        most_running = max(most_running, running)

    def on_snapshot(snap: Snapshot) -> None:
        nonlocal running
        running -= 1
        seen.append(snap)

    session = Session(settings, monitor)

    async def follow() -> None:
        async for cycle in session.cycles(on_start=on_start):
            on_snapshot(cycle.snapshot)

    task = asyncio.create_task(follow())
    loop = asyncio.get_running_loop()
    end = loop.time() + BURST_WINDOW_S
    while loop.time() < end:
        session.poll_now()  # a held key repeats about 30 times a second
        await asyncio.sleep(1 / 30)
    task.cancel()
    await session.close()
    await backend.stop()
    sent = len(backend.request_times)
    # The window is sliding: count the worst 10 s inside the run, not only the total.
    worst = max(
        sum(1 for t in backend.request_times if s <= t < s + BURST_WINDOW_S) for s in backend.request_times
    )
    assert worst <= 8, f"{worst} requests in one 10 s window"
    assert backend.limiter is not None and sum(backend.limiter.violations.values()) == 0
    assert sent >= 6  # it did poll: the budget throttles, it does not stop
    assert len(seen) > 3 and most_running == 1
    # Not asked: the host's fresh answer (shared) or UNKNOWN, each saying the budget is why.
    skipped = [e for snap in seen for e in snap.endpoints if e.carried]
    assert skipped and all("request budget" in e.reason for e in skipped)
    assert all(e.reason.startswith(("shared: ", "not asked: ")) for e in skipped)
