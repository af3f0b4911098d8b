"""Sessions without the UI: one target and several consumed through the same `Session.cycles()`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import State
from sutazai_tui.session.session import Cycle, Session, sessions_for
from tests.conftest import settings_for
from tests.targets_support import two_backends, two_target_settings

__all__ = ["two_backends"]  # a fixture, used by name


async def until(condition: Callable[[], bool], deadline_s: float = 10.0) -> None:
    """Let the loop run until `condition` holds; fail after the deadline."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {deadline_s} s")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running(
    sessions: tuple[Session, ...], cycles: list[Cycle], on_start: Callable[[], None] | None = None
) -> AsyncIterator[None]:
    """Every session's loop as a task (as the TUI runs them as workers), cancelled and closed after."""

    async def follow(session: Session) -> None:
        async for cycle in session.cycles(on_start):
            cycles.append(cycle)

    tasks = [asyncio.create_task(follow(s)) for s in sessions]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for session in sessions:
            await session.close()


async def test_one_backend_is_one_session_polled_on_demand(backend: SimulatedBackend, tmp_path: Path) -> None:
    settings = settings_for(backend.url, tmp_path, interval=60.0, record=tmp_path / "rec.jsonl")
    sessions = sessions_for(settings)
    assert len(sessions) == 1 and sessions[0].key == 0
    session, cycles = sessions[0], list[Any]()
    joined: list[bool | None] = []  # poll_now asked while each cycle is in flight

    def started() -> None:
        joined.append(session.poll_now())

    async with running(sessions, cycles, started):
        await until(lambda: len(cycles) == 1)  # the first cycle is due at once, the next in 60 s
        first = cycles[0]
        assert first.session is session and session.snapshot is first.snapshot
        assert session.history.latest is first.snapshot
        assert {e.state for e in first.snapshot.endpoints} == {State.OK} and not session.trouble
        assert session.poll_now() is True
        await until(lambda: len(cycles) == 2)
        # Asked during each cycle, "poll now" joined it rather than start another.
        assert joined == [False, False]
        assert session.scheduler is not None and session.scheduler.coalesced == 2
        session.set_paused(True)
        assert session.seconds_to_next() is None
        assert len(cycles) == 2 and backend.requests["/health"] == 2
        recorder = session.recorder
        assert recorder is not None and recorder.size > 0  # both cycles recorded
    assert session.recorder is None  # closed with the session


async def test_targets_are_sessions_run_by_the_same_loop(
    tmp_path: Path, two_backends: tuple[SimulatedBackend, SimulatedBackend]
) -> None:
    prod, staging = two_backends
    settings = two_target_settings(tmp_path, prod, staging)
    sessions = sessions_for(settings)
    assert [(s.key, s.name) for s in sessions] == [(1, "prod"), (2, "staging")]
    cycles: list[Cycle] = []
    async with running(sessions, cycles):
        await until(lambda: {c.session.name for c in cycles} == {"prod", "staging"})
        by_name = {c.session.name: c for c in cycles}
        assert {e.state for e in by_name["prod"].snapshot.endpoints} == {State.OK}
        assert {e.state for e in by_name["staging"].snapshot.endpoints} == {State.DOWN}
        prod_session, staging_session = sessions
        assert not prod_session.trouble and staging_session.trouble
        assert prod_session.history is not staging_session.history
        # Poll one target: only its backend is asked again.
        assert staging_session.poll_now() is True
        await until(lambda: staging.requests["/health"] == 2)
        await until(lambda: len(cycles) == 3)
        assert prod.requests["/health"] == 1 and cycles[-1].session is staging_session
    assert (tmp_path / "rec.prod.jsonl").is_file() and (tmp_path / "rec.staging.jsonl").is_file()
