"""Churn on the real engine: containers appearing and vanishing while the source reads them.

A container removed between the list and its inspect or counters is "gone", not an engine fault:
the container part stays OK and no exception text reaches any status.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

from sutazai_tui.models import ContainersStatus, State
from sutazai_tui.sources.engine.source import DockerSource
from tests.docker_support import ContainerFactory, containers, docker_client, engine

__all__ = ["containers", "docker_client"]  # fixtures, used by name below

RAW_EXCEPTION = re.compile(r"\w+(Error|Exception)\b|Traceback|Expecting value")


def _remove(factory: ContainerFactory, name: str) -> None:
    from docker.errors import NotFound

    with contextlib.suppress(NotFound):
        factory.client.containers.get(name).remove(force=True)


@engine
async def test_one_container_created_and_one_removed_per_second_keeps_the_engine_ok(
    containers: ContainerFactory,
) -> None:
    source = DockerSource(prefix=containers.prefix, timeout=10)
    statuses: list[ContainersStatus] = []
    stop = asyncio.Event()

    async def monitor() -> None:
        while not stop.is_set():
            statuses.append(await source.poll())
            await asyncio.sleep(0.2)  # a polling interval, faster than any real one

    task = asyncio.create_task(monitor())
    alive: list[str] = []
    start = time.monotonic()
    try:
        for second in range(30):
            made: Any = await asyncio.to_thread(containers.run, f"churn{second}", ["sleep", "60"])
            alive.append(made.name)
            if len(alive) > 3:
                await asyncio.to_thread(_remove, containers, alive.pop(0))
            # Pace to one create and one remove per second (a rate, not a settle delay).
            await asyncio.sleep(max(0.0, start + second + 1 - time.monotonic()))
    finally:
        stop.set()
        await task
        await source.close()

    assert len(statuses) >= 30, len(statuses)
    bad = [(s.state, s.reason) for s in statuses if s.state is not State.OK]
    assert not bad, bad[:3]
    texts = [s.reason for s in statuses] + [c.name for s in statuses for c in s.containers]
    raw = [t for t in texts if RAW_EXCEPTION.search(t)]
    assert not raw, raw[:3]
    assert max(len(s.containers) for s in statuses) >= 3  # it did see the churning fleet
