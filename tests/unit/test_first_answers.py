"""The first cycle's early answers (Session.cycles' `on_listed`): the table's only.

A source's partial view (the engine's list before its inspects) reaches the `on_listed` hook and
nothing else: no history, no finding, no recording, no alert, no verdict comes from it; the
cycle's own answer is what every consumer judges. The parsers of a list row are checked here too.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.session.session import Cycle, Session
from sutazai_tui.sources.engine.base import Listed
from sutazai_tui.sources.engine.first_cpu import Counted, FirstCpu
from sutazai_tui.sources.engine.listrow import listed, listing
from tests.conftest import settings_for

GHOST = "sutazai-ghost"  # only in the early answer: a container in a crash loop that the full cycle lacks


class EarlyFleet:
    """A container source whose first poll gives an alarming early answer, then a calm full one."""

    engine = "fake://early"

    def __init__(self) -> None:
        self.polls = 0

    async def poll(self, listed: Listed | None = None) -> ContainersStatus:
        self.polls += 1
        if listed is not None and self.polls == 1:
            ghost = ContainerStats(name=GHOST, id="g" * 64, state="restarting", restart_count=9, exit_code=1)
            listed(
                ContainersStatus(engine=self.engine, state=State.DOWN, reason="early", containers=(ghost,))
            )
        calm = ContainerStats(name="sutazai-redis", id="r" * 64, state="running", cpu_percent=1.0)
        return ContainersStatus(
            engine=self.engine,
            state=State.OK,
            reason="1 running",
            containers=(calm,),
            checked_at=datetime.now(UTC),
        )

    async def cpu_follow_up(self, window: float) -> ContainersStatus | None:
        del window
        return None

    async def close(self) -> None:
        return None


async def test_the_early_answer_reaches_only_the_hook(backend: SimulatedBackend, tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    settings = settings_for(backend.url, tmp_path, record=record)
    hook = tmp_path / "hook-ran"
    settings = settings.model_copy(update={"on_state_change": ["touch", str(hook)]})
    fleet = EarlyFleet()
    session = Session(settings, Monitor(settings, containers=fleet))
    early: list[ContainersStatus] = []
    cycles: list[Cycle] = []
    try:
        async for cycle in session.cycles(on_listed=early.append):
            cycles.append(cycle)
            break
    finally:
        await session.close()
    assert [c.name for s in early for c in s.containers] == [GHOST]  # the hook saw it
    (cycle,) = cycles
    snap = cycle.snapshot
    assert snap.containers is not None and [c.name for c in snap.containers.containers] == ["sutazai-redis"]
    assert [s.containers for s in session.history.snapshots] == [snap.containers]  # only the full one
    assert not any(GHOST in (f.subject + f.title) for f in cycle.findings)
    assert not any(GHOST in e.subject for e in (*cycle.events, *session.history.events))
    assert cycle.alerts == () and not hook.exists()  # nothing alarming reached the hook
    assert GHOST not in record.read_text()  # the recording holds the cycle's answer only
    assert not any(GHOST in reason for _, reason in cycle.overall.reasons)


async def test_without_the_hook_nothing_early_is_made(backend: SimulatedBackend, tmp_path: Path) -> None:
    """`check`, the exporter, serve and heal pass no `on_listed`: the source is asked without one."""
    settings = settings_for(backend.url, tmp_path)
    fleet = EarlyFleet()
    session = Session(settings, Monitor(settings, containers=fleet))
    try:
        async for cycle in session.cycles():
            assert cycle.snapshot.containers is not None
            break
    finally:
        await session.close()
    assert fleet.polls == 1  # and its early answer was never built (no hook to give it to)


def test_a_list_row_is_a_container_not_read_yet() -> None:
    row = {
        "Id": "a" * 64,
        "Names": ["/sutazai-api"],
        "Image": "sutazai/api:1\x1b[31m",  # engine text is cleaned where it enters
        "ImageID": "sha256:" + "b" * 64,
        "State": "running",
        "Status": "Up 3 minutes (health: starting)",
        "Created": 1_700_000_000,
    }
    c = listed(row)
    assert (c.name, c.state, c.health, c.image) == (
        "sutazai-api",
        "running",
        "starting",
        "sutazai/api:1␛[31m",
    )
    assert c.created_at == datetime.fromtimestamp(1_700_000_000, UTC)
    # What inspect and the counters add is unknown, never a made-up zero or a time.
    assert c.started_at is None and c.cpu_percent is None and c.mem_used is None and c.exit_code is None
    assert listed({**row, "Status": "Up 2 hours (unhealthy)"}).health == "unhealthy"
    assert listed({**row, "Status": "Exited (1) 2 minutes ago", "State": "exited"}).health is None
    status = listing("unix:///x.sock", [row, {**row, "Id": "c" * 64, "Names": ["/sutazai-a"]}])
    assert status.state is State.UNKNOWN and [c.name for c in status.containers] == [
        "sutazai-a",
        "sutazai-api",
    ]
    measured = listing("unix:///x.sock", [row], {"a" * 64: {"cpu_percent": 12.5, "mem_used": 3}})
    assert measured.containers[0].cpu_percent == 12.5 and measured.containers[0].mem_used == 3


async def test_the_second_counters_read_is_shown_early_or_left_to_the_follow_up() -> None:
    reads: list[int] = []
    noted: list[object] = []

    async def again() -> Counted:
        reads.append(len(reads))
        return {"c": {"read": len(reads)}}, []

    def first_read() -> asyncio.Future[Counted]:
        done: asyncio.Future[Counted] = asyncio.get_running_loop().create_future()
        done.set_result(({"c": {"read": 0}}, []))
        return done

    # The inspects outlast the window: the second read lands beside them and is shown early.
    shown: list[Counted] = []
    landed = asyncio.Event()

    def show(counted: Counted) -> None:
        shown.append(counted)
        landed.set()

    slow = FirstCpu(first_read(), again, noted.append, window=0.05)
    slow.start(show)
    async with asyncio.timeout(10):  # the inspects, slower than the window: still running
        await landed.wait()
    assert shown == [({"c": {"read": 1}}, [])] and noted == [{"c": {"read": 0}}]
    assert await slow.result(wait=False) == shown[0]  # the cycle keeps it: CPU % in its answer
    # The inspects were quicker: not waited for, given up; nothing shown after the cycle's answer.
    quick = FirstCpu(first_read(), again, noted.append, window=30.0)
    quick.start(shown.append)
    assert await quick.result(wait=False) is None and len(shown) == 1 and reads == [0]
    # `check` waits the window out, the read started after its inspects; nothing is shown then.
    waited = FirstCpu(first_read(), again, noted.append, window=0.05)
    assert await waited.result(wait=True) == ({"c": {"read": 2}}, []) and len(shown) == 1
